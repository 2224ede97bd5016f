import type {
  ApiError,
  ChatMessage,
  LectureAudience,
  LectureState,
  minutesServerEvents,
  notificationServerEvents,
  PeerInfo,
  RecordingState,
  RoomState,
  RtcServerEvents,
} from '@branchmeet/shared';
import type { LocalSource } from './local-media';

/**
 * Where the connection to the room stands:
 * connecting (first join) → joined, or waiting (lobby) → joined; reconnecting after a drop, then joined again;
 * and the ends: left (by us), ended (for all), removed (by the host), denied (from the lobby), failed.
 */
export type ConnectionState =
  'connecting' | 'waiting' | 'joined' | 'reconnecting' | 'left' | 'ended' | 'removed' | 'denied' | 'failed';

export const FINAL_STATES: readonly ConnectionState[] = ['left', 'ended', 'removed', 'denied', 'failed'];

/**
 * The room's server→client events: the minutes' own go to the minutes client, and a person's notifications travel
 * on the same socket, but neither is the room's; `media.layers` (dynacast) is the media layer's own.
 */
type RoomServerEvents = Omit<
  RtcServerEvents,
  keyof typeof minutesServerEvents | keyof typeof notificationServerEvents | 'media.layers'
>;

/** One server→client event of the room, as `{ type, payload }`. */
export type ServerRoomEvent = {
  [K in keyof RoomServerEvents]: { type: K; payload: Parameters<RoomServerEvents[K]>[0] };
}[keyof RoomServerEvents];

/** What the media layer tells the UI: the server's events (consumers only once playable) and its own. */
export type RoomEvent =
  | ServerRoomEvent
  | { type: 'connection'; state: ConnectionState; error?: ApiError }
  | {
      type: 'joined';
      self: PeerInfo;
      room: RoomState;
      peers: PeerInfo[];
      chat: ChatMessage[];
      resumed: boolean;
      lecture?: LectureState;
      /** A lecture's listener count (the listeners themselves are not among `peers`). */
      audience?: LectureAudience;
      /** Whether the meeting is being recorded. */
      recording?: RecordingState;
    }
  | { type: 'waiting'; room: RoomState }
  /** The person's own mic/camera/screen went on or off (`byHost`: the host did it). */
  | { type: 'local'; source: LocalSource; on: boolean; byHost?: boolean }
  /** Every consumer is gone (the media session is being rebuilt after a reconnect). */
  | { type: 'media.reset' };

/** The room's server events the connection hands to the UI as they are (besides acting on some). */
export const FORWARDED_SERVER_EVENTS = [
  'peer.joined',
  'peer.left',
  'producer.paused',
  'producer.resumed',
  'producer.closed',
  'chat.received',
  'hand.changed',
  'speaker.changed',
  'audio.levels',
  'room.changed',
  'lobby.waiting',
  'lecture.changed',
  'lecture.audience',
  'qa.changed',
  'recording.changed',
  'media.downlink',
] as const satisfies readonly (keyof RtcServerEvents)[];
