import type { ChatMessage } from '@branchmeet/shared';
import type { AuthUser } from '../auth/auth-user';
import { LeaseKeeper } from '../cluster/lease-keeper';
import type { ClusterRuntime } from '../cluster/cluster.runtime';
import { LocalCluster } from '../cluster/local-cluster';
import { RoomCalls } from '../cluster/room-calls';
import type { AppConfig } from '../config/config';
import { RoomEvents } from '../common/room-events';
import { SocketHub, type RtcNamespace } from '../common/socket-hub';
import { LectureQaLive } from '../lectures/lecture-qa-live';
import type { LectureQaService } from '../lectures/lecture-qa.service';
import { MediaEventBus } from '../media/media-events';
import type { MediaService } from '../media/media.service';
import type { MediaSource, TransportInfo } from '../media/media.types';
import type { MeetingsService } from '../meetings/meetings.service';
import { HostControls } from '../rtc/host-controls';
import { LectureRolesService } from '../rtc/lecture-roles';
import { MediaRelay } from '../rtc/media-relay';
import { RoomAudience } from '../rtc/room-audience';
import { RoomChat } from '../rtc/room-chat';
import { RoomLobby } from '../rtc/room-lobby';
import { RoomOwnership } from '../rtc/room-ownership';
import { RoomRegistry } from '../rtc/room-registry';
import { RoomSeating } from '../rtc/room-seating';
import type { RoomMeeting, RtcCaller } from '../rtc/room-state';

/**
 * Stand-ins for what the live room units talk to (in the manner of LiveKit's rtcfakes): a `/rtc` namespace that
 * records what would be sent where, an SFU that hands out transports and producers as plain objects and emits
 * its events on a real MediaEventBus, and a meetings service that keeps what it is told. Unit tests build the
 * real room units on top with `rtcUnits()`.
 */

export interface Sent {
  to: string;
  except?: string;
  event: string;
  payload: unknown;
}

/**
 * A stand-in for the `/rtc` namespace. `clusterWide` lists what was sent or joined without `local` (with several
 * nodes that goes through Redis to every node), as `<channel> <event>` or `<socket>+<channel>`.
 */
export function fakeNamespace() {
  const sent: Sent[] = [];
  const joins: string[] = [];
  const clusterWide: string[] = [];
  const disconnected: string[] = [];
  /** Sockets no longer connected. */
  const gone = new Set<string>();
  const operator = (local: boolean, to: string, except?: string) => ({
    emit: (event: string, payload: unknown) => {
      sent.push({ to, except, event, payload });
      if (!local) clusterWide.push(`${to} ${event}`);
    },
    except: (id: string) => operator(local, to, id),
  });
  const scope = (local: boolean) => ({
    to: (room: string) => operator(local, room),
    in: (socketId: string) => ({
      socketsJoin: (room: string) => {
        joins.push(`${socketId}+${room}`);
        if (!local) clusterWide.push(`${socketId}+${room}`);
      },
      socketsLeave: (room: string) => {
        joins.push(`${socketId}-${room}`);
        if (!local) clusterWide.push(`${socketId}-${room}`);
      },
    }),
  });
  const ns = {
    ...scope(false),
    local: scope(true),
    sockets: {
      get: (socketId: string) =>
        gone.has(socketId) ? undefined : { disconnect: () => disconnected.push(socketId) },
    },
  };
  return { ns: ns as unknown as RtcNamespace, sent, joins, clusterWide, disconnected, gone };
}

interface FakeProducer {
  id: string;
  peerId: string;
  source: MediaSource;
  kind: 'audio' | 'video';
  paused: boolean;
}

/** The SFU as the room units see it. */
export class FakeMedia {
  readonly events = new MediaEventBus();
  readonly producers = new Map<string, FakeProducer>();
  readonly calls: string[] = [];
  /** Make the next call of this name fail with this error. */
  failNext: Record<string, Error> = {};
  private n = 0;

  private fail(name: string): void {
    this.calls.push(name);
    const e = this.failNext[name];
    if (e) {
      delete this.failNext[name];
      throw e;
    }
  }

  join(meetingId: string, peer: { peerId: string }) {
    this.fail(`join:${peer.peerId}`);
    return Promise.resolve({
      routerRtpCapabilities: { codecs: [] },
      iceServers: [],
      rejoined: false,
      producers: [...this.producers.values()].map((p) => ({
        producerId: p.id,
        peerId: p.peerId,
        kind: p.kind,
        source: p.source,
        paused: p.paused,
      })),
    });
  }

  createTransport(_meetingId: string, peerId: string, direction: 'send' | 'recv'): Promise<TransportInfo> {
    this.fail(`createTransport:${direction}:${peerId}`);
    return Promise.resolve({
      id: `${direction}-${peerId}-${++this.n}`,
      direction,
      iceParameters: { usernameFragment: 'u', password: 'p' },
      iceCandidates: [],
      dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] },
    } as TransportInfo);
  }

  closeTransport(_meetingId: string, peerId: string, transportId: string): Promise<void> {
    this.fail(`closeTransport:${peerId}:${transportId}`);
    return Promise.resolve();
  }

  leave(meetingId: string, peerId: string, why: { reason: string }): Promise<void> {
    this.calls.push(`leave:${peerId}:${why.reason}`);
    return Promise.resolve();
  }

  closeRoom(meetingId: string, reason = 'ended'): Promise<void> {
    this.calls.push(`closeRoom:${meetingId}:${reason}`);
    return Promise.resolve();
  }

  setRtpCapabilities(): Promise<void> {
    return Promise.resolve();
  }

  /** A producer appears in the room (as if the peer had produced). */
  addProducer(meetingId: string, peerId: string, source: MediaSource): string {
    const id = `producer-${++this.n}`;
    const kind = source === 'mic' ? 'audio' : 'video';
    this.producers.set(id, { id, peerId, source, kind, paused: false });
    this.events.emit('producerAdded', { meetingId, peerId, producerId: id, kind, source });
    return id;
  }

  produce(meetingId: string, peerId: string, req: { source: MediaSource }) {
    this.fail(`produce:${peerId}`);
    return Promise.resolve({ producerId: this.addProducer(meetingId, peerId, req.source) });
  }

  room(_meetingId: string) {
    const producers = [...this.producers.values()];
    return Promise.resolve({
      producers: (exceptPeerId?: string) =>
        producers
          .filter((p) => p.peerId !== exceptPeerId)
          .map((p) => ({
            producerId: p.id,
            peerId: p.peerId,
            kind: p.kind,
            source: p.source,
            paused: p.paused,
          })),
      producerOf: (peerId: string, producerId: string) => {
        const p = this.producers.get(producerId);
        if (!p || p.peerId !== peerId) throw new Error('not yours');
        return p;
      },
      peers: {
        get: (peerId: string) => ({
          producerFor: (source: MediaSource) =>
            producers.find((p) => p.peerId === peerId && p.source === source),
        }),
      },
    });
  }

  consume(meetingId: string, peerId: string, req: { producerId: string }) {
    this.fail(`consume:${peerId}:${req.producerId}`);
    const p = this.producers.get(req.producerId)!;
    return Promise.resolve({
      id: `consumer-${++this.n}`,
      producerId: p.id,
      producerPeerId: p.peerId,
      kind: p.kind,
      source: p.source,
      rtpParameters: {},
      type: 'simple',
      producerPaused: p.paused,
    });
  }

  pauseProducer(meetingId: string, producerId: string): Promise<void> {
    this.fail(`pause:${producerId}`);
    const p = this.producers.get(producerId)!;
    p.paused = true;
    this.events.emit('producerPaused', { meetingId, peerId: p.peerId, producerId, source: p.source });
    return Promise.resolve();
  }

  resumeProducer(): Promise<void> {
    return Promise.resolve();
  }

  closeProducer(meetingId: string, _peerId: string, producerId: string): Promise<void> {
    this.fail(`close:${producerId}`);
    const p = this.producers.get(producerId)!;
    this.producers.delete(producerId);
    this.events.emit('producerClosed', { meetingId, peerId: p.peerId, producerId, source: p.source });
    return Promise.resolve();
  }
}

/** The meetings service as the room units see it: who may enter, and what they recorded. */
export class FakeMeetings {
  readonly meetings = new Map<string, RoomMeeting & { status: string }>();
  readonly ended: { meetingId: string; by: string | null; reason: string; at?: Date }[] = [];
  readonly audited: { action: string; details: unknown }[] = [];
  guests = new Set<string>();

  add(meeting: Partial<RoomMeeting> & { id: string; hostId: string }): RoomMeeting {
    const m = {
      title: 'Meeting',
      type: 'other',
      lecturerId: null,
      settings: { waitingRoom: false, locked: false },
      status: 'live',
      ...meeting,
    };
    this.meetings.set(m.id, m);
    return m;
  }

  entry(user: AuthUser, meetingId: string) {
    const meeting = this.meetings.get(meetingId);
    if (!meeting) return Promise.reject(new Error('no such meeting'));
    return Promise.resolve({
      meeting,
      userName: `name-of-${user.id}`,
      isHost: meeting.hostId === user.id,
      isGuest: this.guests.has(user.id),
    });
  }

  /** The chat as stored, oldest first. */
  readonly chat: ChatMessage[] = [];

  recentChat(meetingId: string): Promise<ChatMessage[]> {
    return Promise.resolve(this.chat.filter((m) => m.meetingId === meetingId));
  }

  addChat(meetingId: string, userId: string, name: string, text: string): Promise<ChatMessage> {
    const message = {
      id: `c${this.chat.length + 1}`,
      meetingId,
      userId,
      name,
      text,
      at: new Date(0).toISOString(),
    };
    this.chat.push(message);
    return Promise.resolve(message);
  }

  end(meetingId: string, by: string | null, reason: string, at?: Date): Promise<void> {
    this.ended.push({ meetingId, by, reason, at });
    return Promise.resolve();
  }

  auditHostAction(_meetingId: string, _actor: string, action: string, details: unknown): Promise<void> {
    this.audited.push({ action, details });
    return Promise.resolve();
  }

  saveSettings(): Promise<void> {
    return Promise.resolve();
  }

  transferHost(): Promise<void> {
    return Promise.resolve();
  }
}

export const caller = (socketId: string, userId: string): RtcCaller => ({
  socketId,
  user: { id: userId, isAdmin: false } as AuthUser,
});

/** RoomCalls as a node without REDIS_URL has them: every call is a direct call of this process's handler. */
export function localRoomCalls(cluster: LocalCluster, config: AppConfig): RoomCalls {
  return new RoomCalls({ channel: undefined } as ClusterRuntime, cluster, cluster, config);
}

/** The room units wired as the module wires them, on fakes. */
export function rtcUnits(config: { graceSeconds?: number; emptyEndSeconds?: number } = {}) {
  const wire = fakeNamespace();
  const hub = new SocketHub();
  hub.bind(wire.ns);
  const bus = new RoomEvents();
  const media = new FakeMedia();
  const meetings = new FakeMeetings();
  const appConfig = {
    RTC_RECONNECT_GRACE_SECONDS: config.graceSeconds ?? 0,
    MEETING_EMPTY_END_SECONDS: config.emptyEndSeconds ?? 0,
    CLUSTER_LEASE_TTL_SECONDS: 5,
    CLUSTER_NODE_TTL_SECONDS: 5,
  } as AppConfig;
  const asMedia = media as unknown as MediaService;
  const asMeetings = meetings as unknown as MeetingsService;
  // One node, no Redis: the single-node cluster the app runs on without REDIS_URL (real, not a fake).
  const cluster = new LocalCluster({
    id: 'node-1',
    url: 'http://127.0.0.1:3000',
    media: { address: '127.0.0.1', portBase: 40000 },
  });
  const calls = localRoomCalls(cluster, appConfig);
  const registry = new RoomRegistry(calls);
  registry.onModuleInit();
  const lobby = new RoomLobby(registry, hub);
  const audience = new RoomAudience(registry, hub);
  const keeper = new LeaseKeeper(cluster, 5000);
  const ownership = new RoomOwnership(cluster, cluster, cluster, keeper, registry, appConfig);
  const chat = new RoomChat(registry, hub, asMeetings, audience);
  const seating = new RoomSeating(
    registry,
    lobby,
    hub,
    bus,
    asMedia,
    asMeetings,
    ownership,
    audience,
    chat,
    appConfig,
  );
  const relay = new MediaRelay(registry, hub, asMedia);
  relay.onModuleInit();
  const lecture = new LectureRolesService(registry, hub, asMedia, chat, audience);
  const host = new HostControls(registry, hub, asMedia, asMeetings, relay, seating, lobby, lecture, chat);
  const qaStore = {
    ask: (meetingId: string, by: { id: string }, text: string) =>
      Promise.resolve({ id: 'q1', text, by: by.id }),
    upvote: () => Promise.resolve({ id: 'q1' }),
    answer: () => Promise.resolve({ id: 'q1', answered: true }),
    list: () => Promise.resolve({ questions: [] }),
  };
  const qa = new LectureQaLive(qaStore as unknown as LectureQaService, hub);
  /** What went to one target (a socket id or `meeting:<id>`), event names only. */
  const eventsTo = (to: string) => wire.sent.filter((s) => s.to === to).map((s) => s.event);
  /** Seats `userId` on socket `socketId` in `meetingId` (default m1); fails the test unless the answer is a seat. */
  const join = async (
    socketId: string,
    userId: string,
    opts: { meetingId?: string; resumePeerId?: string } = {},
  ) => {
    const r = await seating.join(caller(socketId, userId), {
      meetingId: opts.meetingId ?? 'm1',
      resumePeerId: opts.resumePeerId,
    });
    if (r.status !== 'joined') throw new Error(`${userId}: expected a seat, got ${r.status}`);
    return r;
  };
  const teardown = () => {
    void ownership.onModuleDestroy();
    void keeper.close();
    seating.onModuleDestroy();
    audience.onModuleDestroy();
    relay.onModuleDestroy();
    registry.onModuleDestroy();
  };
  return {
    wire,
    hub,
    bus,
    media,
    meetings,
    calls,
    registry,
    lobby,
    audience,
    seating,
    cluster,
    keeper,
    ownership,
    relay,
    chat,
    lecture,
    host,
    qa,
    eventsTo,
    join,
    teardown,
  };
}
