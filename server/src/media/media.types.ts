import type { types } from 'mediasoup';

/** What a producer carries; the client says which when it produces. */
export const MEDIA_SOURCES = ['mic', 'camera', 'screen'] as const;
export type MediaSource = (typeof MEDIA_SOURCES)[number];
export const SOURCE_KIND: Record<MediaSource, types.MediaKind> = {
  mic: 'audio',
  camera: 'video',
  screen: 'video',
};

export type WorkerAppData = { index: number };
export type RouterAppData = { meetingId: string };
export type TransportDirection = 'send' | 'recv';
export type TransportAppData = { meetingId: string; peerId: string; direction: TransportDirection };
export type ProducerAppData = { meetingId: string; peerId: string; source: MediaSource };
export type ConsumerAppData = {
  meetingId: string;
  peerId: string;
  producerPeerId: string;
  source: MediaSource;
};
export type ObserverAppData = { meetingId: string };

export type MediaWorker = types.Worker<WorkerAppData>;
export type MediaRouter = types.Router<RouterAppData>;
export type MediaWebRtcServer = types.WebRtcServer<WorkerAppData>;
export type MediaWebRtcTransport = types.WebRtcTransport<TransportAppData>;
export type MediaProducer = types.Producer<ProducerAppData>;
export type MediaConsumer = types.Consumer<ConsumerAppData>;

/** What a client needs to create its side of a WebRtcTransport. */
export interface TransportInfo {
  id: string;
  direction: TransportDirection;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

/** The TransportInfo of a transport. */
export function transportInfo(t: MediaWebRtcTransport): TransportInfo {
  return {
    id: t.id,
    direction: t.appData.direction,
    iceParameters: t.iceParameters,
    iceCandidates: t.iceCandidates,
    dtlsParameters: t.dtlsParameters,
  };
}

/** What a client is told of a consumer created for it. */
export function consumerInfo(
  consumer: types.Consumer,
  producerPeerId: string,
  source: MediaSource,
): ConsumerInfo {
  return {
    id: consumer.id,
    producerId: consumer.producerId,
    producerPeerId,
    kind: consumer.kind,
    source,
    rtpParameters: consumer.rtpParameters,
    type: consumer.type,
    producerPaused: consumer.producerPaused,
  };
}

/** A producer another peer can consume. */
export interface ProducerInfo {
  producerId: string;
  peerId: string;
  kind: types.MediaKind;
  source: MediaSource;
  paused: boolean;
}

/** What a client needs to create its side of a consumer (it is paused until the client acks). */
export interface ConsumerInfo {
  id: string;
  producerId: string;
  producerPeerId: string;
  kind: types.MediaKind;
  source: MediaSource;
  rtpParameters: types.RtpParameters;
  type: types.ConsumerType;
  producerPaused: boolean;
}

/**
 * Codecs every router offers: Opus (in-band FEC and DTX: the client asks for both when it produces, and consumers carry the producer's
 * parameters); VP8
 * (simulcast); H264 constrained baseline, packetization-mode 1 (Safari). Video starts at 300 kbit/s, not 1 Mbit/s:
 * a weak link is not flooded before the estimate knows it (audio first). mediasoup offers no RED (audio/red).
 */
export const MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 300 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
      'x-google-start-bitrate': 300,
    },
  },
];

/** Errors the signalling layer maps to its own codes; `code` is stable. */
export type MediaErrorCode =
  | 'room_not_found'
  | 'peer_not_found'
  | 'transport_not_found'
  | 'producer_not_found'
  | 'consumer_not_found'
  | 'cannot_consume'
  | 'source_in_use'
  | 'bad_request'
  | 'media_state'
  | 'no_worker';

export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/**
 * A worker request made on a peer's behalf: the worker's refusal is the peer's mistake, not a server fault —
 * TypeError for bad parameters, any other error for a request that does not fit the object's state (a second
 * `connect()`, a closed transport).
 */
export async function peerRequest<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof MediaError || !(e instanceof Error)) throw e;
    throw new MediaError(e instanceof TypeError ? 'bad_request' : 'media_state', e.message.slice(0, 200));
  }
}
