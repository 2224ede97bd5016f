import { z } from 'zod';
import { Uuid } from './common';
import { locales } from './messages';
import { lectureRequests, lectureServerEvents, LectureAudience, LectureState } from './lecture-live';
import { minutesRequests, minutesServerEvents } from './minutes-live';
import { notificationServerEvents } from './notifications';
import {
  ConsumerInfo,
  DtlsParameters,
  Empty,
  IceParameters,
  IceServer,
  MediaKind,
  MediaSource,
  PeerInfo,
  PeerRef,
  RtpCapabilities,
  RtpParameters,
  TransportOptions,
} from './rtc-media';
import { RecordingState, recordingServerEvents } from './recordings';
import type {
  ClientEventsOf,
  EventContracts,
  ParsedRequestOf,
  RequestContracts,
  RequestPayloadOf,
  RequestResultOf,
  ServerEventsOf,
} from './wire';

/**
 * The live-room signalling contract on the socket.io namespace `/rtc`, written once as two schema maps at the
 * end of this file: `rtcRequests` (client→server, each carrying one object and acknowledged with an `Ack`) and
 * `rtcServerEvents` (server→client, named in the past tense). The types of both ends derive from them.
 *
 * Joining takes four round trips before media flows: `room.join` (router capabilities, both transports, the
 * peers and their producers, ICE servers, chat history), `room.ready` (the client's RTP capabilities; answered
 * with a consumer for every existing producer, created paused), `transport.connect` (DTLS of the receive
 * transport), `consumer.resume` (all of them at once). Publishing is `transport.connect` + `media.produce`.
 *
 * Split by feature into sibling files, merged into the two maps here and re-exported: the media shapes
 * (./rtc-media), lecture mode and its Q&A (./lecture-live), the minutes (./minutes-live), notifications and the
 * recording state.
 */
export * from './rtc-media';
export * from './lecture-live';

export const RTC_NAMESPACE = '/rtc';
export const RTC_PROTOCOL_VERSION = 1;

/**
 * The socket.io handshake `auth` object. `lang` is the UI language for the messages of error acks (a browser
 * cannot set headers on a websocket); without it the server falls back to the handshake's Accept-Language.
 */
export const RtcHandshake = z.object({
  token: z.string().min(1),
  protocol: z.literal(RTC_PROTOCOL_VERSION),
  lang: z.enum(locales).optional(),
});
export type RtcHandshake = z.infer<typeof RtcHandshake>;

export const ChatMessage = z.object({
  id: z.string(),
  meetingId: Uuid,
  userId: Uuid,
  name: z.string(),
  text: z.string(),
  at: z.string(),
  /**
   * Who sees it: everyone, or (a lecture's listener writing) only the presenters and the writer, so that a
   * lecture of thousands is not a chat of thousands. Absent: everyone.
   */
  audience: z.enum(['all', 'presenters']).optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

export const RoomState = z.object({
  meetingId: Uuid,
  title: z.string(),
  hostUserId: Uuid,
  locked: z.boolean(),
  waitingRoom: z.boolean(),
});
export type RoomState = z.infer<typeof RoomState>;

// ── client → server ────────────────────────────────────────────────────────────────────────────────────────
export const RoomJoin = z.object({
  meetingId: Uuid,
  /** Given when the client reconnects within the grace period: it takes its seat back (no duplicate peer). */
  resumePeerId: z.string().optional(),
  /**
   * The client's device capabilities, when it loaded its device beforehand (`media.capabilities`): the join then
   * does what `room.ready` does and its answer carries the consumers — a round trip less before the first audio.
   */
  rtpCapabilities: RtpCapabilities.optional(),
});
export type RoomJoin = z.infer<typeof RoomJoin>;

/**
 * Several nodes: another node serves this meeting (its owner). The client connects `/rtc` at `url` and sends the
 * same `room.join` there; nothing was changed on this node.
 */
export const RoomRedirect = z.object({ status: z.literal('redirect'), nodeId: z.string(), url: z.url() });
export type RoomRedirect = z.infer<typeof RoomRedirect>;

export const RoomJoined = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('joined'),
    self: PeerInfo,
    room: RoomState,
    routerRtpCapabilities: RtpCapabilities,
    /** null for a listener of a lecture (receive-only until given the floor: `lecture.send`). */
    sendTransport: TransportOptions.nullable(),
    recvTransport: TransportOptions,
    iceServers: z.array(IceServer),
    /**
     * The other seats known to everyone. In a lecture these are the stage (the lecturer, presenters, listeners
     * given the floor, and whoever has been on it since they joined); the listeners are only counted (`audience`).
     */
    peers: z.array(PeerInfo),
    chat: z.array(ChatMessage),
    /** True when `resumePeerId` was honoured: the same peer, its old media closed. */
    resumed: z.boolean(),
    /** A lecture (meeting type `lecture`): who presents, who has the floor. */
    lecture: LectureState.optional(),
    /** A lecture: how many listeners it has; later changes come as `lecture.audience`. */
    audience: LectureAudience.optional(),
    /** Whether the meeting is being recorded; later changes come as `recording.changed`. */
    recording: RecordingState.optional(),
    /** When the join carried `rtpCapabilities`: a consumer (paused) per producer in the room, audio first. */
    consumers: z.array(ConsumerInfo).optional(),
  }),
  /** The room has a waiting room (or is locked) and this person waits for the host to admit them. */
  z.object({ status: z.literal('waiting'), room: RoomState }),
  RoomRedirect,
]);
export type RoomJoined = z.infer<typeof RoomJoined>;

export const RoomReady = z.object({ rtpCapabilities: RtpCapabilities });
export type RoomReady = z.infer<typeof RoomReady>;
export const RoomReadyResult = z.object({ consumers: z.array(ConsumerInfo) });
export type RoomReadyResult = z.infer<typeof RoomReadyResult>;
/** The RTP capabilities of this server's routers (all alike): a device loaded with them before a join. */
export const MediaCapabilities = z.object({ routerRtpCapabilities: RtpCapabilities });
export type MediaCapabilities = z.infer<typeof MediaCapabilities>;

export const TransportConnect = z.object({ transportId: z.string(), dtlsParameters: DtlsParameters });
export type TransportConnect = z.infer<typeof TransportConnect>;
export const TransportRestartIce = z.object({ transportId: z.string() });
export type TransportRestartIce = z.infer<typeof TransportRestartIce>;

export const MediaProduce = z.object({
  transportId: z.string(),
  kind: MediaKind,
  source: MediaSource,
  rtpParameters: RtpParameters,
  paused: z.boolean().default(false),
});
export type MediaProduce = z.infer<typeof MediaProduce>;
export const ProducerRef = z.object({ producerId: z.string() });
export type ProducerRef = z.infer<typeof ProducerRef>;

export const ConsumerResume = z.object({ consumerIds: z.array(z.string()).min(1).max(500) });
export type ConsumerResume = z.infer<typeof ConsumerResume>;
/** The size at which the client shows a video: the server picks the simulcast layer from it. */
export const ConsumerTile = z.object({ consumerId: z.string(), height: z.number().int().min(0).max(4320) });
export type ConsumerTile = z.infer<typeof ConsumerTile>;
/**
 * What the receiver itself sees of its downlink: its audio arrives broken (mostly concealed, or not at all), so
 * video must give way at once (true); or its audio is clean again after that (false). Answered with whether the
 * server holds this receiver's video back now.
 */
export const DownlinkReport = z.object({ congested: z.boolean() });
export type DownlinkReport = z.infer<typeof DownlinkReport>;
export const DownlinkState = z.object({ videoPaused: z.boolean() });
export type DownlinkState = z.infer<typeof DownlinkState>;
/**
 * The receiver asks for a fresh consumer of one of its audio consumers' producer (a new receiver in the browser,
 * so a new, empty jitter buffer): its audio arrives clean and in time again but the buffer still holds seconds of
 * delay grown while the link was congested. The answer is the new one, paused until `consumer.resume`; the old
 * one flows on until then and closes then.
 */
export const ConsumerRenew = z.object({ consumerId: z.string().min(1) });
export type ConsumerRenew = z.infer<typeof ConsumerRenew>;

/**
 * To a publisher (dynacast): the highest simulcast layer any receiver wants of its producer; the encodings
 * above it are turned off (not encoded) until a receiver wants them again.
 */
export const MediaLayers = z.object({
  producerId: z.string().min(1),
  maxSpatialLayer: z.number().int().min(0).max(7),
});
export type MediaLayers = z.infer<typeof MediaLayers>;

export const ChatSend = z.object({ text: z.string().trim().min(1).max(2000) });
export type ChatSend = z.infer<typeof ChatSend>;
export const HostMute = z.object({ peerId: z.string().optional() }); // no peerId: everyone but the host
export type HostMute = z.infer<typeof HostMute>;
export const HostLock = z.object({ locked: z.boolean() });
export type HostLock = z.infer<typeof HostLock>;

// ── server → client payloads ──────────────────────────────────────────────────────────────────────────────
export const WaitingPeer = z.object({ peerId: z.string(), userId: Uuid, name: z.string() });
export type WaitingPeer = z.infer<typeof WaitingPeer>;

// ── the wire contract of /rtc: written once, everything else derives from it ────────────────────────────────
/** The answer of a request that returns nothing. */
const Done = z.null();
export const MediaProduced = z.object({ producerId: z.string() });
export type MediaProduced = z.infer<typeof MediaProduced>;
export const IceRestarted = z.object({ iceParameters: IceParameters });
export type IceRestarted = z.infer<typeof IceRestarted>;

/**
 * client → server: every request of `/rtc` with its payload's schema and its answer's (the `data` of its
 * `Ack`). The gateway validates each payload by this map, the client's `request` is typed by it, and a unit test
 * checks that the gateway serves every entry. Lecture mode's (./lecture-live) and the minutes' (./minutes-live)
 * requests share the namespace.
 */
export const rtcRequests = {
  'room.join': { request: RoomJoin, response: RoomJoined },
  'room.ready': { request: RoomReady, response: RoomReadyResult },
  'room.leave': { request: Empty, response: Done },
  'media.capabilities': { request: Empty, response: MediaCapabilities },
  'transport.connect': { request: TransportConnect, response: Done },
  'transport.restartIce': { request: TransportRestartIce, response: IceRestarted },
  'media.produce': { request: MediaProduce, response: MediaProduced },
  'media.pause': { request: ProducerRef, response: Done },
  'media.resume': { request: ProducerRef, response: Done },
  'media.close': { request: ProducerRef, response: Done },
  'consumer.resume': { request: ConsumerResume, response: Done },
  'consumer.tile': { request: ConsumerTile, response: Done },
  'media.downlinkReport': { request: DownlinkReport, response: DownlinkState },
  'consumer.renew': { request: ConsumerRenew, response: ConsumerInfo },
  'chat.send': { request: ChatSend, response: ChatMessage },
  'hand.raise': { request: Empty, response: Done },
  'hand.lower': { request: Empty, response: Done },
  'host.mute': { request: HostMute, response: Done },
  'host.stopVideo': { request: PeerRef, response: Done },
  'host.remove': { request: PeerRef, response: Done },
  'host.lock': { request: HostLock, response: Done },
  'host.end': { request: Empty, response: Done },
  'host.transfer': { request: PeerRef, response: Done },
  'host.lowerHand': { request: PeerRef, response: Done },
  'lobby.admit': { request: PeerRef, response: Done },
  'lobby.deny': { request: PeerRef, response: Done },
  ...lectureRequests,
  ...minutesRequests,
} as const satisfies RequestContracts;
export type RtcRequests = typeof rtcRequests;
export type RtcRequestName = keyof RtcRequests;
/** What the client sends with a request (defaults may be left out). */
export type RtcRequestPayload<E extends RtcRequestName> = RequestPayloadOf<RtcRequests, E>;
/** What the server's handler of a request gets: the payload as its schema parsed it. */
export type RtcParsedRequest<E extends RtcRequestName> = ParsedRequestOf<RtcRequests, E>;
/** The data of a request's `{ ok: true }` answer. */
export type RtcRequestResult<E extends RtcRequestName> = RequestResultOf<RtcRequests, E>;
export const rtcRequestNames = Object.keys(rtcRequests) as RtcRequestName[];

const PeerId = z.object({ peerId: z.string() });
const ProducerEvent = z.object({ peerId: z.string(), producerId: z.string(), source: MediaSource });
const MeetingRef = z.object({ meetingId: Uuid });

/**
 * server → client: each event's payload. The room's events are named in the past tense; the minutes', a
 * person's notifications and the recording state travel on the same socket.
 */
export const rtcServerEvents = {
  /** A seat everyone knows of joined (in a lecture: someone on the stage; listeners are counted instead). */
  'peer.joined': PeerInfo,
  /** A seat announced with `peer.joined` (or in the join answer's `peers`) left. */
  'peer.left': PeerId,
  /** A new producer in the room: the consumer for it was created paused; resume it with `consumer.resume`. */
  'consumer.created': ConsumerInfo,
  'consumer.closed': z.object({ consumerId: z.string(), producerId: z.string() }),
  'producer.paused': ProducerEvent.extend({ byHost: z.boolean() }),
  'producer.resumed': ProducerEvent,
  'producer.closed': ProducerEvent.extend({ byHost: z.boolean() }),
  'chat.received': ChatMessage,
  /** To everyone; a lecture's listener's hand only to the presenters (and the listener). */
  'hand.changed': z.object({ peerId: z.string(), raised: z.boolean() }),
  'speaker.changed': z.object({ peerId: z.string().nullable() }),
  'audio.levels': z.object({ levels: z.array(z.object({ peerId: z.string(), volume: z.number() })) }),
  'room.changed': RoomState,
  /** `by`: the peer who ended it, or why the server did. */
  'room.ended': z.object({ by: z.string() }),
  'lobby.waiting': z.object({ waiting: z.array(WaitingPeer) }),
  'lobby.admitted': MeetingRef,
  'lobby.denied': MeetingRef,
  /** This socket leaves the room: the host removed this person, or the same person joined from elsewhere. */
  'self.removed': z.object({ by: z.string(), reason: z.enum(['removed_by_host', 'replaced']) }),
  /** The room moved to another media worker (the old one died): rejoin with `resumePeerId`. */
  'media.moved': MeetingRef,
  /** The room's node is stopping and handed the meeting to the node at `url`: join there with `resumePeerId`. */
  'room.moved': MeetingRef.extend({ nodeId: z.string(), url: z.url() }),
  /** To one seat: its downlink cannot carry video, so the server paused the video it receives (or resumed it). */
  'media.downlink': DownlinkState,
  /** To a publisher: the layers of its simulcast producer that anyone receives. */
  'media.layers': MediaLayers,
  ...lectureServerEvents,
  ...minutesServerEvents,
  ...notificationServerEvents,
  ...recordingServerEvents,
} as const satisfies EventContracts;
export type RtcServerEventName = keyof typeof rtcServerEvents;
export type RtcServerPayload<E extends RtcServerEventName> = z.infer<(typeof rtcServerEvents)[E]>;

/** socket.io's event maps of `/rtc`: `Server<RtcClientEvents, RtcServerEvents>`, `Socket<RtcServerEvents, RtcClientEvents>`. */
export type RtcClientEvents = ClientEventsOf<RtcRequests>;
export type RtcServerEvents = ServerEventsOf<typeof rtcServerEvents>;

// ── REST: a live room opened ad hoc from a branch page ───────────────────────────────────────────────────────
export const OpenRoomRequest = z.object({
  title: z.string().trim().min(1).max(100).optional(),
  waitingRoom: z.boolean().default(false),
});
export type OpenRoomRequest = z.infer<typeof OpenRoomRequest>;

export const LiveMeeting = z.object({
  id: Uuid,
  unitId: Uuid,
  title: z.string(),
  hostUserId: Uuid,
  /** scheduled → live (the host or a manager opens the room) → ended; scheduled → cancelled. */
  status: z.enum(['scheduled', 'live', 'ended', 'cancelled']),
  /** The actual start; the planned start while the meeting is scheduled (or was cancelled before it began). */
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  /** Who is in the live room now (0 when not live); null while its server cannot be reached (moving). */
  participants: z.number().int().nullable(),
});
export type LiveMeeting = z.infer<typeof LiveMeeting>;
