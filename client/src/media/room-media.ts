import type { LocalMedia, LocalSource } from './local-media';
import { RoomDiagnostics, type ConsumerStats, type SignalTrace } from './room-diagnostics';
import type { RoomEvent } from './room-events';
import type { RoomLink } from './room-link';
import { RoomPublisher } from './room-publisher';
import { RoomReceiver } from './room-receiver';
import type { RtcRequestName, RtcRequestPayload, RtcRequestResult } from './signalling';
import { Emitter } from './emitter';
import type { LinkStats } from './tile-reports';

export type RoomConnectionEvents = {
  event: [RoomEvent];
  /** A playable track appeared or went away. */
  tracks: [];
};

/**
 * What the UI does with a room's media: the person's mic, camera and screen (the publisher), the remote tracks
 * and tile sizes (the receiver), and what browser tests and the quality indicator read (the diagnostics). The
 * RoomConnection built on it owns the socket, the joining and the state.
 */
export abstract class RoomMedia extends Emitter<RoomConnectionEvents> {
  protected readonly diagnostics = new RoomDiagnostics();
  protected readonly publisher: RoomPublisher;
  protected readonly receiver: RoomReceiver;
  /** What the publisher and receiver see of the room. */
  protected readonly roomLink: RoomLink;

  constructor(
    protected readonly local: LocalMedia,
    publish: { mic: boolean; camera: boolean } | undefined,
    tileDebounceMs: () => number,
  ) {
    super();
    const generation = () => this.generation;
    const joined = () => this.joined;
    this.roomLink = {
      get generation() {
        return generation();
      },
      get joined() {
        return joined();
      },
      request: (event, payload) => this.request(event, payload),
      send: (event, payload) => this.send(event, payload),
      emitEvent: (event) => this.emitEvent(event),
      tracksChanged: () => this.emit('tracks'),
    };
    this.publisher = new RoomPublisher(local, this.roomLink, publish);
    this.receiver = new RoomReceiver(this.roomLink, tileDebounceMs, () => this.socketConnected);
  }

  protected abstract get generation(): number;
  protected abstract get joined(): boolean;
  protected abstract get socketConnected(): boolean;
  protected abstract request<E extends RtcRequestName>(
    event: E,
    payload: RtcRequestPayload<E>,
  ): Promise<RtcRequestResult<E>>;
  /** Sends a request in the room (chat, hand, host controls…); rejects with the server's error. */
  abstract send<E extends RtcRequestName>(
    event: E,
    payload: RtcRequestPayload<E>,
  ): Promise<RtcRequestResult<E>>;

  protected emitEvent(event: RoomEvent): void {
    this.emit('event', event);
  }

  isOn(source: LocalSource): boolean {
    return this.publisher.isOn(source);
  }

  /** Unmutes / mutes the microphone (a muted mic is a paused producer). False if the mic cannot be opened. */
  setMic(on: boolean): Promise<boolean> {
    return this.publisher.setDevice('mic', on);
  }

  /** Turns the camera on / off (off is a paused producer: the track is disabled, the light goes off). */
  setCamera(on: boolean): Promise<boolean> {
    return this.publisher.setDevice('camera', on);
  }

  /** Starts sharing a screen (the browser asks which) or stops it. False if nothing was shared. */
  setScreen(on: boolean): Promise<boolean> {
    return this.publisher.setScreen(on);
  }

  /**
   * Turns simulcast layers of the camera (or screen) producer on or off, encoding by encoding; false when there
   * is no such producer. For a handler that learns which layers anybody receives.
   */
  setLayersActive(source: 'camera' | 'screen', active: readonly boolean[]): Promise<boolean> {
    return this.publisher.setLayersActive(source, active);
  }

  /**
   * The height in CSS pixels a remote video is shown at (0: not on screen, so not received); sent debounced, only
   * when changed. The server picks layers from it and the person's downlink, not from device pixels.
   */
  reportTile(consumerId: string, height: number): void {
    this.receiver.reportTile(consumerId, height);
  }

  /** The playable track of a consumer, or of a local source as `local:<source>`. */
  track(key: string): MediaStreamTrack | null {
    if (key.startsWith('local:')) return this.local.track(key.slice(6) as LocalSource);
    return this.receiver.track(key);
  }

  /** The signalling requests since the room began on a connected socket, with their round-trip times. */
  signalTrace(): SignalTrace {
    return this.diagnostics.signalTrace();
  }

  consumerIds(): string[] {
    return this.receiver.consumerIds();
  }

  /** Per-consumer receive statistics from the browser (for diagnostics and browser tests). */
  stats(): Promise<ConsumerStats[]> {
    return this.receiver.stats();
  }

  /** The link's state, round trip and bytes received, for the connection-quality indicator. */
  linkStats(): Promise<LinkStats> {
    return RoomDiagnostics.linkStats(this.receiver.transport, this.publisher.sendTransport);
  }

  /** Whether the person chose audio only (setAudioOnly). */
  get audioOnlyMode(): boolean {
    return this.receiver.audioOnly;
  }

  /**
   * Audio only, by hand: no video is received (the server is told every video tile is hidden, so it pauses those
   * consumers) and the camera is turned off. Off again: video is received at the tiles' sizes; the camera stays
   * as the person leaves it.
   */
  async setAudioOnly(on: boolean): Promise<void> {
    this.receiver.setAudioOnly(on);
    if (on && this.publisher.enabled.camera) await this.setCamera(false).catch(() => undefined);
  }
}
