/** The media layer: the only place that imports mediasoup-client. The UI imports from here. */
export {
  LocalMedia,
  type LocalDevices,
  type LocalMediaError,
  type LocalSource,
  type MediaDeviceOption,
} from './local-media';
export { RoomConnection, type ConsumerStats, type RoomConnectionOptions } from './room-connection';
export { prepareRoomDevice } from './room-device';
export { type LinkStats } from './tile-reports';
export { DownlinkWatch } from './downlink-watch';
export { StaleAudioWatch } from './stale-audio';
export { QualityTracker, classifyLink, type LinkQuality, type QualitySnapshot } from './connection-quality';
export { FINAL_STATES, type ConnectionState, type RoomEvent, type ServerRoomEvent } from './room-events';
export { RtcRequestError, request, type RtcSocket } from './signalling';
export {
  SignallingClient,
  type SignallingOptions,
  type SignallingSubscriber,
  type SignallingSubscription,
} from './signalling-client';
export { ReconnectPolicy } from './reconnect-policy';
export {
  MediaSessionProvider,
  localTrackKey,
  useMediaElement,
  useMediaSession,
  type MediaSession,
} from './media-session';
export { exposeRoomForTests } from './test-hooks';
