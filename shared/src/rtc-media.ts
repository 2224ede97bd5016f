import { z } from 'zod';
import { Uuid } from './common';

/**
 * The media side of the `/rtc` wire contract (./rtc): mediasoup's parameter objects, and the peers, producers,
 * consumers and transports as a client sees them.
 */
// mediasoup's parameter objects travel as opaque JSON: the server checks their shape, mediasoup their content.
const Json = z.record(z.string(), z.unknown());
export const RtpCapabilities = z.looseObject({
  codecs: z.array(Json).optional(),
  headerExtensions: z.array(Json).optional(),
});
export const RtpParameters = z.looseObject({ codecs: z.array(Json), encodings: z.array(Json).optional() });
export const DtlsParameters = z.looseObject({ fingerprints: z.array(Json), role: z.string().optional() });
export const IceParameters = z.looseObject({ usernameFragment: z.string(), password: z.string() });

export const MediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;
/** What a producer carries: the microphone, the camera, or a shared screen. */
export const MediaSource = z.enum(['mic', 'camera', 'screen']);
export type MediaSource = z.infer<typeof MediaSource>;
export const PeerRole = z.enum(['host', 'member', 'guest']);
export type PeerRole = z.infer<typeof PeerRole>;

export const TransportOptions = z.object({
  id: z.string(),
  iceParameters: IceParameters,
  iceCandidates: z.array(Json),
  dtlsParameters: DtlsParameters,
});
export type TransportOptions = z.infer<typeof TransportOptions>;

export const IceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;

export const ProducerInfo = z.object({
  producerId: z.string(),
  peerId: z.string(),
  kind: MediaKind,
  source: MediaSource,
  paused: z.boolean(),
});
export type ProducerInfo = z.infer<typeof ProducerInfo>;

export const PeerInfo = z.object({
  peerId: z.string(),
  userId: Uuid,
  name: z.string(),
  role: PeerRole,
  handRaised: z.boolean(),
  producers: z.array(ProducerInfo),
});
export type PeerInfo = z.infer<typeof PeerInfo>;

export const ConsumerInfo = z.object({
  consumerId: z.string(),
  producerId: z.string(),
  peerId: z.string(),
  kind: MediaKind,
  source: MediaSource,
  rtpParameters: RtpParameters,
  /** Created paused; resumed by `consumer.resume` once the client has attached it. */
  producerPaused: z.boolean(),
});
export type ConsumerInfo = z.infer<typeof ConsumerInfo>;

/** A request about one seat. */
export const PeerRef = z.object({ peerId: z.string() });
export type PeerRef = z.infer<typeof PeerRef>;
/** A request without parameters. */
export const Empty = z.object({});
export type Empty = z.infer<typeof Empty>;
