import type { types } from 'mediasoup-client';
import type { RoomEvent } from './room-events';
import type { RtcRequestName, RtcRequestPayload, RtcRequestResult } from './signalling';

/** The part of mediasoup-client's Device the room uses (tests substitute a fake). */
export type RoomDevice = Pick<
  types.Device,
  'load' | 'loaded' | 'rtpCapabilities' | 'canProduce' | 'createSendTransport' | 'createRecvTransport'
>;

/** What the publisher and the receiver need from the room they belong to. */
export interface RoomLink {
  /** The media session's number: work begun in an older one is dropped when it finishes. */
  readonly generation: number;
  /** Whether the room is joined (not waiting, reconnecting or ended). */
  readonly joined: boolean;
  /** A request over the room's socket (rejects when there is none). */
  request<E extends RtcRequestName>(event: E, payload: RtcRequestPayload<E>): Promise<RtcRequestResult<E>>;
  /** A request the person asked for: rejects with `network_error` at once while the socket is down. */
  send<E extends RtcRequestName>(event: E, payload: RtcRequestPayload<E>): Promise<RtcRequestResult<E>>;
  emitEvent(event: RoomEvent): void;
  /** A playable track appeared or went away. */
  tracksChanged(): void;
}
