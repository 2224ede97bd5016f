import {
  leadsLecture,
  lectureRole as lectureRoleOf,
  type ApiError,
  type ChatMessage,
  type LectureRole,
  type LectureState,
  type MediaKind,
  type MediaSource,
  type QaQuestion,
  type RecordingState,
  type RoomState,
  type WaitingPeer,
} from '@branchmeet/shared';

import type { ConnectionState, LocalSource, QualitySnapshot, RoomEvent } from '../../media';
import { peerView, type PeerView, type ProducerView } from './peer-view';

export type { LectureRole };
export type { PeerView, ProducerView } from './peer-view';

/** A playable remote stream: the media layer holds the track under `consumerId`. */
export interface ConsumerView {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: MediaKind;
  source: MediaSource;
}

export type LocalFlags = Record<LocalSource, boolean>;

/** Everything the room UI renders from: ids and flags, never tracks. */
export interface RoomViewState {
  connection: ConnectionState;
  error: ApiError | null;
  room: RoomState | null;
  self: PeerView | null;
  /** The other participants, in joining order. */
  peers: Record<string, PeerView>;
  order: string[];
  consumers: Record<string, ConsumerView>;
  activeSpeaker: string | null;
  chat: ChatMessage[];
  lobby: WaitingPeer[];
  local: LocalFlags;
  /** Set when the host muted the mic / stopped the camera, until the person turns it on again. */
  stoppedByHost: LocalSource | null;
  /** Chat messages that arrived while the chat was closed. */
  unreadChat: number;
  chatOpen: boolean;
  /** Who ended the meeting or removed the person (a peer id; the person's own: they joined elsewhere). */
  endedBy: string | null;
  /** Why this socket left the room, when the server said (`self.removed`). */
  removedReason: 'removed_by_host' | 'replaced' | null;
  /** A lecture (微课堂): its roles; null in any other meeting. */
  lecture: LectureState | null;
  /**
   * A lecture's listeners (oneself included when listening), counted by the server: they are not among `peers`,
   * which holds the stage only. The presenters page through them (`lecture.listeners`).
   */
  listeners: number;
  /** Goes up whenever a page of the listeners may have changed (the count, a listener's hand, the roles). */
  audienceVersion: number;
  /** The lecture's Q&A, oldest first, and the questions this person upvoted. */
  questions: QaQuestion[];
  upvoted: string[];
  /** The meeting is being recorded (the red indicator), from the join answer and `recording.changed`. */
  recording: RecordingState | null;
  /** The server paused the video this person receives: the downlink cannot carry it. */
  videoPausedForNetwork: boolean;
  /** The person chose audio only (no video received or sent). */
  audioOnly: boolean;
  /** Connection quality of oneself and of each remote peer, from the receive statistics. */
  quality: QualitySnapshot;
}

export type RoomAction =
  | RoomEvent
  | { type: 'ui.chatOpen'; open: boolean }
  | { type: 'ui.questions'; questions: QaQuestion[]; upvoted: string[] }
  | { type: 'ui.upvoted'; questionId: string }
  | { type: 'ui.audioOnly'; on: boolean }
  | { type: 'ui.quality'; quality: QualitySnapshot };

export function initialRoomState(local: Partial<LocalFlags> = {}): RoomViewState {
  return {
    connection: 'connecting',
    error: null,
    room: null,
    self: null,
    peers: {},
    order: [],
    consumers: {},
    activeSpeaker: null,
    chat: [],
    lobby: [],
    local: { mic: false, camera: false, screen: false, ...local },
    stoppedByHost: null,
    unreadChat: 0,
    chatOpen: false,
    endedBy: null,
    removedReason: null,
    lecture: null,
    listeners: 0,
    audienceVersion: 0,
    questions: [],
    upvoted: [],
    recording: null,
    videoPausedForNetwork: false,
    audioOnly: false,
    quality: { self: 'good', peers: {} },
  };
}

function updatePeer(state: RoomViewState, peerId: string, update: (p: PeerView) => PeerView): RoomViewState {
  if (state.self?.peerId === peerId) return { ...state, self: update(state.self) };
  const peer = state.peers[peerId];
  if (!peer) return state;
  return { ...state, peers: { ...state.peers, [peerId]: update(peer) } };
}

function setProducer(
  state: RoomViewState,
  peerId: string,
  producerId: string,
  change: (p: ProducerView | undefined) => ProducerView | null,
): RoomViewState {
  return updatePeer(state, peerId, (peer) => {
    const next = change(peer.producers[producerId]);
    const producers = { ...peer.producers };
    if (next) producers[producerId] = next;
    else delete producers[producerId];
    return { ...peer, producers };
  });
}

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const next = { ...record };
  delete next[key];
  return next;
}

/** Applies one event of the room (from the server through the media layer, or the UI's own) to the view state. */
export function roomReducer(state: RoomViewState, action: RoomAction): RoomViewState {
  switch (action.type) {
    case 'connection':
      return {
        ...state,
        connection: action.state,
        error: action.error ?? (action.state === 'joined' ? null : state.error),
      };
    case 'waiting':
      return { ...state, room: action.room };
    case 'joined': {
      const peers = Object.fromEntries(action.peers.map((p) => [p.peerId, peerView(p)]));
      return {
        ...state,
        room: action.room,
        self: peerView(action.self),
        peers,
        order: action.peers.map((p) => p.peerId),
        consumers: {},
        lobby: [],
        chat: action.chat,
        lecture: action.lecture ?? null,
        listeners: action.audience?.listeners ?? 0,
        audienceVersion: state.audienceVersion + 1,
        recording: action.recording ?? null,
        videoPausedForNetwork: false,
        activeSpeaker: state.activeSpeaker && peers[state.activeSpeaker] ? state.activeSpeaker : null,
      };
    }
    case 'media.reset':
      return { ...state, consumers: {} };
    case 'peer.joined': {
      const peer = action.payload;
      if (peer.peerId === state.self?.peerId) return state;
      const known = peer.peerId in state.peers;
      return {
        ...state,
        peers: { ...state.peers, [peer.peerId]: peerView(peer) },
        order: known ? state.order : [...state.order, peer.peerId],
      };
    }
    case 'peer.left': {
      const { peerId } = action.payload;
      const consumers = Object.fromEntries(
        Object.entries(state.consumers).filter(([, c]) => c.peerId !== peerId),
      );
      return {
        ...state,
        peers: withoutKey(state.peers, peerId),
        order: state.order.filter((id) => id !== peerId),
        consumers,
        activeSpeaker: state.activeSpeaker === peerId ? null : state.activeSpeaker,
      };
    }
    case 'consumer.created': {
      const c = action.payload;
      const next = setProducer(state, c.peerId, c.producerId, (existing) => ({
        producerId: c.producerId,
        kind: c.kind,
        source: c.source,
        paused: existing?.paused ?? c.producerPaused,
      }));
      return {
        ...next,
        consumers: {
          ...next.consumers,
          [c.consumerId]: {
            consumerId: c.consumerId,
            producerId: c.producerId,
            peerId: c.peerId,
            kind: c.kind,
            source: c.source,
          },
        },
      };
    }
    case 'consumer.closed':
      return { ...state, consumers: withoutKey(state.consumers, action.payload.consumerId) };
    case 'producer.paused':
    case 'producer.resumed': {
      const paused = action.type === 'producer.paused';
      const { peerId, producerId, source } = action.payload;
      return setProducer(state, peerId, producerId, (p) => ({
        producerId,
        kind: p?.kind ?? (source === 'mic' ? 'audio' : 'video'),
        source,
        paused,
      }));
    }
    case 'producer.closed': {
      const { peerId, producerId } = action.payload;
      const next = setProducer(state, peerId, producerId, () => null);
      const consumers = Object.fromEntries(
        Object.entries(next.consumers).filter(([, c]) => c.producerId !== producerId),
      );
      return { ...next, consumers };
    }
    case 'hand.changed': {
      const { peerId, raised } = action.payload;
      const known = peerId === state.self?.peerId || peerId in state.peers;
      // A listener's hand (told to the presenters only): their page of the listeners shows it.
      if (!known) return { ...state, audienceVersion: state.audienceVersion + 1 };
      return updatePeer(state, peerId, (p) => ({ ...p, handRaised: raised }));
    }
    case 'speaker.changed':
      return { ...state, activeSpeaker: action.payload.peerId };
    case 'audio.levels':
      return state;
    case 'chat.received': {
      if (state.chat.some((m) => m.id === action.payload.id)) return state;
      const fromOther = action.payload.userId !== state.self?.userId;
      return {
        ...state,
        chat: [...state.chat, action.payload],
        unreadChat: state.chatOpen || !fromOther ? state.unreadChat : state.unreadChat + 1,
      };
    }
    case 'room.changed':
      return { ...state, room: action.payload };
    case 'lobby.waiting':
      return { ...state, lobby: action.payload.waiting };
    case 'local':
      return {
        ...state,
        local: { ...state.local, [action.source]: action.on },
        stoppedByHost:
          action.byHost && !action.on
            ? action.source
            : action.on && state.stoppedByHost === action.source
              ? null
              : state.stoppedByHost,
      };
    case 'ui.chatOpen':
      return { ...state, chatOpen: action.open, unreadChat: action.open ? 0 : state.unreadChat };
    case 'room.ended':
      return { ...state, endedBy: action.payload.by };
    case 'self.removed':
      return { ...state, endedBy: action.payload.by, removedReason: action.payload.reason };
    case 'lecture.changed':
      return { ...state, lecture: action.payload, audienceVersion: state.audienceVersion + 1 };
    case 'lecture.audience':
      return { ...state, listeners: action.payload.listeners, audienceVersion: state.audienceVersion + 1 };
    case 'qa.changed': {
      const q = action.payload;
      const known = state.questions.some((x) => x.id === q.id);
      return {
        ...state,
        questions: known ? state.questions.map((x) => (x.id === q.id ? q : x)) : [...state.questions, q],
      };
    }
    case 'ui.questions':
      return { ...state, questions: action.questions, upvoted: action.upvoted };
    case 'ui.upvoted':
      return state.upvoted.includes(action.questionId)
        ? state
        : { ...state, upvoted: [...state.upvoted, action.questionId] };
    case 'recording.changed':
      return { ...state, recording: action.payload };
    case 'media.downlink':
      return { ...state, videoPausedForNetwork: action.payload.videoPaused };
    case 'ui.audioOnly':
      return { ...state, audioOnly: action.on };
    case 'ui.quality':
      return { ...state, quality: action.quality };
    case 'lobby.admitted':
    case 'lobby.denied':
    case 'media.moved':
    case 'room.moved':
    case 'lecture.send':
      return state;
  }
}

// ── selectors ──────────────────────────────────────────────────────────────────────────────────────────────
export function isHostPeer(state: RoomViewState, peer: Pick<PeerView, 'userId' | 'role'>): boolean {
  return state.room ? state.room.hostUserId === peer.userId : peer.role === 'host';
}

export function selfIsHost(state: RoomViewState): boolean {
  return state.self !== null && isHostPeer(state, state.self);
}

/** A participant's mic or camera: 'on', 'off' (paused), or 'none' (not published). */
export function sourceState(peer: PeerView, source: MediaSource): 'on' | 'off' | 'none' {
  const producers = Object.values(peer.producers).filter((p) => p.source === source);
  if (producers.length === 0) return 'none';
  return producers.some((p) => !p.paused) ? 'on' : 'off';
}

/** The consumer showing a peer's source, if any. */
export function consumerOf(
  state: RoomViewState,
  peerId: string,
  source: MediaSource,
): ConsumerView | undefined {
  return Object.values(state.consumers).find((c) => c.peerId === peerId && c.source === source);
}

export function orderedPeers(state: RoomViewState): PeerView[] {
  return state.order.map((id) => state.peers[id]).filter((p): p is PeerView => p !== undefined);
}

/** Everyone in the room, oneself included; a lecture's listeners (oneself among them when listening) by count. */
export function peopleInRoom(state: RoomViewState): number {
  if (!state.lecture) return orderedPeers(state).length + (state.self ? 1 : 0);
  const onStage = (p: PeerView) => lectureRole(state, p) !== 'listener';
  const stage = orderedPeers(state).filter(onStage).length + (state.self && onStage(state.self) ? 1 : 0);
  return stage + state.listeners;
}

// ── lecture mode (微课堂) ───────────────────────────────────────────────────────────────────────────────────
/** A participant's part in a lecture (decided in shared/src/lecture-roles.ts); null outside lectures. */
export function lectureRole(
  state: RoomViewState,
  peer: Pick<PeerView, 'peerId' | 'userId'>,
): LectureRole | null {
  return state.lecture ? lectureRoleOf(state.lecture, state.room?.hostUserId, peer) : null;
}

/** The lecturer, the host or a co-presenter: sees (pages through) the lecture's listeners. */
export function selfPresents(state: RoomViewState): boolean {
  const role = state.self ? lectureRole(state, state.self) : null;
  return role === 'lecturer' || role === 'presenter';
}

/** The lecturer or the host: gives and takes the floor, marks questions answered. */
export function selfModerates(state: RoomViewState): boolean {
  if (!state.lecture || !state.self) return false;
  return leadsLecture(state.lecture, state.room?.hostUserId, state.self.userId) || selfIsHost(state);
}

/** The presenters (lecturer first) and listeners holding the floor: the only people a lecture shows. */
export function lectureSpeakers(state: RoomViewState): PeerView[] {
  const rank: Record<LectureRole, number> = { lecturer: 0, presenter: 1, floor: 2, listener: 3 };
  return orderedPeers(state)
    .map((p) => ({ p, r: lectureRole(state, p) ?? 'listener' }))
    .filter((x) => x.r !== 'listener')
    .sort((a, b) => rank[a.r] - rank[b.r])
    .map((x) => x.p);
}
