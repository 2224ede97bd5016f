import { z } from 'zod';
import { ApiError, Uuid } from './common';
import { locales } from './messages';
import { minutesRequestSchemas, type MinutesClientEvents, type MinutesServerEvents } from './minutes-live';
import type { NotificationServerEvents } from './notifications';
import { RecordingState, type RecordingServerEvents } from './recordings';

/**
 * The live-room signalling contract on the socket.io namespace `/rtc`. Every client→server event carries one
 * object, validated by the schema of the same name, and is acknowledged with `Ack<T>`. Server→client events
 * are named in the past tense. The same event maps type the server (`Server<…>`) and the client (`Socket<…>`).
 *
 * Joining takes four round trips before media flows: `room.join` (router capabilities, both transports, the
 * peers and their producers, ICE servers, chat history), `room.ready` (the client's RTP capabilities; answered
 * with a consumer for every existing producer, created paused), `transport.connect` (DTLS of the receive
 * transport), `consumer.resume` (all of them at once). Publishing is `transport.connect` + `media.produce`.
 */
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

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ApiError };

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

export const ChatMessage = z.object({
  id: z.string(),
  meetingId: Uuid,
  userId: Uuid,
  name: z.string(),
  text: z.string(),
  at: z.string(),
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

// ── lecture mode (微课堂) ──────────────────────────────────────────────────────────────────────────────────
/**
 * A lecture's roles: the lecturer (the meeting's lecturer, else its host), co-presenters the host adds, and the
 * listeners holding the floor. Presenters (the lecturer, the host, co-presenters) publish camera, microphone and
 * screen; every other seat receives only (no send transport) until given the floor, and then sends audio only.
 */
export const LectureState = z.object({
  lecturerUserId: Uuid,
  coPresenterUserIds: z.array(Uuid),
  /** Peers of listeners who have the floor. */
  floorPeerIds: z.array(z.string()),
});
export type LectureState = z.infer<typeof LectureState>;

/** To one seat: it may publish now (a send transport) or no longer (null); `audioOnly` for a listener. */
export const LectureSend = z.object({ sendTransport: TransportOptions.nullable(), audioOnly: z.boolean() });
export type LectureSend = z.infer<typeof LectureSend>;

export const QaAsk = z.object({ text: z.string().trim().min(1).max(500) });
export type QaAsk = z.infer<typeof QaAsk>;
export const QaRef = z.object({ questionId: Uuid });
export type QaRef = z.infer<typeof QaRef>;

/** A question of a lecture's Q&A, stored with the meeting. */
export const QaQuestion = z.object({
  id: Uuid,
  meetingId: Uuid,
  authorId: Uuid,
  authorName: z.string(),
  text: z.string(),
  upvotes: z.number().int(),
  answered: z.boolean(),
  answeredAt: z.string().nullable(),
  at: z.string(),
});
export type QaQuestion = z.infer<typeof QaQuestion>;
/** The Q&A of a lecture, oldest first, with the questions the caller upvoted. */
export const QaList = z.object({ questions: z.array(QaQuestion), upvoted: z.array(Uuid) });
export type QaList = z.infer<typeof QaList>;

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
    peers: z.array(PeerInfo),
    chat: z.array(ChatMessage),
    /** True when `resumePeerId` was honoured: the same peer, its old media closed. */
    resumed: z.boolean(),
    /** A lecture (meeting type `lecture`): who presents, who has the floor. */
    lecture: LectureState.optional(),
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
export const PeerRef = z.object({ peerId: z.string() });
export type PeerRef = z.infer<typeof PeerRef>;
export const HostMute = z.object({ peerId: z.string().optional() }); // no peerId: everyone but the host
export type HostMute = z.infer<typeof HostMute>;
export const HostLock = z.object({ locked: z.boolean() });
export type HostLock = z.infer<typeof HostLock>;
export const Empty = z.object({});
export type Empty = z.infer<typeof Empty>;

// ── server → client payloads ──────────────────────────────────────────────────────────────────────────────
export const WaitingPeer = z.object({ peerId: z.string(), userId: Uuid, name: z.string() });
export type WaitingPeer = z.infer<typeof WaitingPeer>;

type Handler<Req, Res> = (req: Req, ack: (res: Ack<Res>) => void) => void;

/** client → server, each acknowledged (the minutes' events: ./minutes-live). */
export interface RtcClientEvents extends MinutesClientEvents {
  'room.join': Handler<RoomJoin, RoomJoined>;
  'room.ready': Handler<RoomReady, RoomReadyResult>;
  'room.leave': Handler<Empty, null>;
  'media.capabilities': Handler<Empty, MediaCapabilities>;
  'transport.connect': Handler<TransportConnect, null>;
  'transport.restartIce': Handler<TransportRestartIce, { iceParameters: z.infer<typeof IceParameters> }>;
  'media.produce': Handler<MediaProduce, { producerId: string }>;
  'media.pause': Handler<ProducerRef, null>;
  'media.resume': Handler<ProducerRef, null>;
  'media.close': Handler<ProducerRef, null>;
  'consumer.resume': Handler<ConsumerResume, null>;
  'consumer.tile': Handler<ConsumerTile, null>;
  'chat.send': Handler<ChatSend, ChatMessage>;
  'hand.raise': Handler<Empty, null>;
  'hand.lower': Handler<Empty, null>;
  'host.mute': Handler<HostMute, null>;
  'host.stopVideo': Handler<PeerRef, null>;
  'host.remove': Handler<PeerRef, null>;
  'host.lock': Handler<HostLock, null>;
  'host.end': Handler<Empty, null>;
  'host.transfer': Handler<PeerRef, null>;
  'host.lowerHand': Handler<PeerRef, null>;
  'lobby.admit': Handler<PeerRef, null>;
  'lobby.deny': Handler<PeerRef, null>;
  // lecture mode: the lecturer or host gives and takes the floor; the host adds and removes co-presenters
  'lecture.giveFloor': Handler<PeerRef, null>;
  'lecture.takeFloor': Handler<PeerRef, null>;
  'lecture.addPresenter': Handler<PeerRef, null>;
  'lecture.removePresenter': Handler<PeerRef, null>;
  'qa.ask': Handler<QaAsk, QaQuestion>;
  'qa.upvote': Handler<QaRef, QaQuestion>;
  'qa.answer': Handler<QaRef, QaQuestion>;
  'qa.list': Handler<Empty, QaList>;
}

/**
 * server → client: the room's, the minutes' (./minutes-live) and, on any socket of a signed-in person, their
 * notifications (./notifications).
 */
export interface RtcServerEvents
  extends MinutesServerEvents, NotificationServerEvents, RecordingServerEvents {
  'peer.joined': (peer: PeerInfo) => void;
  'peer.left': (p: { peerId: string }) => void;
  /** A new producer in the room: the consumer for it was created paused; resume it with `consumer.resume`. */
  'consumer.created': (consumer: ConsumerInfo) => void;
  'consumer.closed': (p: { consumerId: string; producerId: string }) => void;
  'producer.paused': (p: {
    peerId: string;
    producerId: string;
    source: MediaSource;
    byHost: boolean;
  }) => void;
  'producer.resumed': (p: { peerId: string; producerId: string; source: MediaSource }) => void;
  'producer.closed': (p: {
    peerId: string;
    producerId: string;
    source: MediaSource;
    byHost: boolean;
  }) => void;
  'chat.received': (message: ChatMessage) => void;
  'hand.changed': (p: { peerId: string; raised: boolean }) => void;
  'speaker.changed': (p: { peerId: string | null }) => void;
  'audio.levels': (p: { levels: { peerId: string; volume: number }[] }) => void;
  'room.changed': (room: RoomState) => void;
  'room.ended': (p: { by: string }) => void;
  'lobby.waiting': (p: { waiting: WaitingPeer[] }) => void;
  'lobby.admitted': (p: { meetingId: string }) => void;
  'lobby.denied': (p: { meetingId: string }) => void;
  /** This socket leaves the room: the host removed this person, or the same person joined from elsewhere. */
  'self.removed': (p: { by: string; reason: 'removed_by_host' | 'replaced' }) => void;
  /** The room moved to another media worker (the old one died): rejoin with `resumePeerId`. */
  'media.moved': (p: { meetingId: string }) => void;
  /** To one seat: its downlink cannot carry video, so the server paused the video it receives (or resumed it). */
  'media.downlink': (p: { videoPaused: boolean }) => void;
  /** To a publisher: the layers of its simulcast producer that anyone receives (MediaLayers). */
  'media.layers': (p: MediaLayers) => void;
  /** A lecture's roles changed (co-presenters, the floor). */
  'lecture.changed': (state: LectureState) => void;
  /** To one seat: it was given (a send transport) or lost (null) the right to publish. */
  'lecture.send': (p: LectureSend) => void;
  /** A question was asked, upvoted or answered. */
  'qa.changed': (question: QaQuestion) => void;
}

/** The request schema of each client→server event: the gateway parses every payload with it. */
export const rtcRequestSchemas = {
  'room.join': RoomJoin,
  'room.ready': RoomReady,
  'room.leave': Empty,
  'media.capabilities': Empty,
  'transport.connect': TransportConnect,
  'transport.restartIce': TransportRestartIce,
  'media.produce': MediaProduce,
  'media.pause': ProducerRef,
  'media.resume': ProducerRef,
  'media.close': ProducerRef,
  'consumer.resume': ConsumerResume,
  'consumer.tile': ConsumerTile,
  'chat.send': ChatSend,
  'hand.raise': Empty,
  'hand.lower': Empty,
  'host.mute': HostMute,
  'host.stopVideo': PeerRef,
  'host.remove': PeerRef,
  'host.lock': HostLock,
  'host.end': Empty,
  'host.transfer': PeerRef,
  'host.lowerHand': PeerRef,
  'lobby.admit': PeerRef,
  'lobby.deny': PeerRef,
  'lecture.giveFloor': PeerRef,
  'lecture.takeFloor': PeerRef,
  'lecture.addPresenter': PeerRef,
  'lecture.removePresenter': PeerRef,
  'qa.ask': QaAsk,
  'qa.upvote': QaRef,
  'qa.answer': QaRef,
  'qa.list': Empty,
  ...minutesRequestSchemas,
} as const satisfies Record<keyof RtcClientEvents, z.ZodType>;

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
  participants: z.number().int(),
});
export type LiveMeeting = z.infer<typeof LiveMeeting>;
