import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type {
  ChatMessage,
  ConsumerInfo,
  LectureState,
  PeerInfo,
  ProducerInfo,
  QaList,
  QaQuestion,
  RoomJoin,
  RoomJoined,
  RoomReadyResult,
  RecordingState,
  RoomState,
  RtcServerEvents,
  WaitingPeer,
} from '@branchmeet/shared';
import type { types } from 'mediasoup';
import { AuthUser } from '../auth/auth-user';
import { Conflict, Forbidden, NotFound } from '../common/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';
import { LectureQaService } from '../lectures/lecture-qa.service';
import type { PeerLeaveReason } from '../media/media-events';
import { MediaService } from '../media/media.service';
import { MediaError, type MediaSource } from '../media/media.types';
import { MeetingPresence } from '../meetings/meeting-presence';
import { MeetingEntity } from '../meetings/meeting.entity';
import { MeetingsService } from '../meetings/meetings.service';

/** mediasoup's parameter objects arrive as opaque JSON checked for shape by the shared schemas. */
type Opaque = Record<string, unknown>;
const asMedia = <T>(value: Opaque): T => value as T;

/** How the room service reaches sockets; the gateway implements it on the `/rtc` namespace. */
export interface RoomNotifier {
  toSocket<E extends keyof RtcServerEvents>(
    socketId: string,
    event: E,
    payload: Parameters<RtcServerEvents[E]>[0],
  ): void;
  toMeeting<E extends keyof RtcServerEvents>(
    meetingId: string,
    event: E,
    payload: Parameters<RtcServerEvents[E]>[0],
    exceptSocketId?: string,
  ): void;
  /** Adds the socket to / removes it from the meeting's broadcast channel. */
  enter(socketId: string, meetingId: string): void;
  leave(socketId: string, meetingId: string): void;
  disconnect(socketId: string): void;
}

/** Who sends a request: the socket and the signed-in user behind it. */
export interface RtcCaller {
  socketId: string;
  user: AuthUser;
}

interface Seat {
  peerId: string;
  userId: string;
  name: string;
  /** An outside guest (invite link): role `guest`. */
  guest?: boolean;
  handRaised: boolean;
  /** null while the client is away (grace period). */
  socketId: string | null;
  /** Sent its RTP capabilities (room.ready): new producers are consumed for it as they appear. */
  ready: boolean;
  /** Producers a consumer was made for on this seat's current receive transport. */
  consumed: Set<string>;
  /** '' for a lecture's listener without the floor: it has no send transport. */
  sendTransportId: string;
  recvTransportId: string;
  graceTimer?: NodeJS.Timeout;
  /** When the client dropped (set during the grace period): if it never comes back, that is when it left. */
  awaySince?: Date;
}

interface Waiter {
  peerId: string;
  userId: string;
  name: string;
  socketId: string;
}

interface LiveRoom {
  meetingId: string;
  title: string;
  hostUserId: string;
  waitingRoom: boolean;
  locked: boolean;
  seats: Map<string, Seat>;
  lobby: Map<string, Waiter>;
  /** Admitted from the lobby: they enter directly from now on. */
  admitted: Set<string>;
  /** Removed by the host: they cannot come back to this meeting. */
  removed: Set<string>;
  lastLevelsAt: number;
  /** When the latest of those who left so far went (the room's end if everyone has gone). */
  lastLeftAt?: Date;
  /** The room is empty: the meeting ends when this fires (MEETING_EMPTY_END_SECONDS). */
  emptyTimer?: NodeJS.Timeout;
  /** Lecture mode (meeting type `lecture`). */
  lecture?: LectureRoles;
}

/** Who presents in a lecture and who holds the floor. */
interface LectureRoles {
  lecturerUserId: string;
  /** Added by the host; they publish like the lecturer. */
  coPresenters: Set<string>;
  /** Listeners' peers given the floor: they have a send transport for audio. */
  floor: Set<string>;
}

type SocketPlace = { meetingId: string; peerId: string; waiting: boolean };

const AUDIO_LEVELS_MIN_INTERVAL_MS = 400;

/**
 * The live rooms' signalling state on top of the SFU: who is seated, hands, the host, the lobby, the lock and
 * the reconnect grace period. The gateway validates and authorises socket requests and calls this service;
 * media (transports, producers, consumers) goes through MediaService.
 *
 * One seat per person per meeting: a join by the same user — with `resumePeerId` or from a second socket —
 * takes the existing seat over (same peerId, old media closed, `resumed: true`); the older socket is told
 * `self.removed` with `by` = its own peerId and disconnected. Nobody else sees peer.left/peer.joined for it.
 * A room whose last participant leaves ends the meeting MEETING_EMPTY_END_SECONDS later unless someone comes
 * back (audited as ended by nobody, reason "empty"); it ends at the moment it emptied.
 */
@Injectable()
export class RoomService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(RoomService.name);
  private readonly rooms = new Map<string, LiveRoom>();
  private readonly bySocket = new Map<string, SocketPlace>();
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Producers the host is pausing/closing: their paused/closed event says byHost. */
  private readonly byHost = new Set<string>();
  private notifier?: RoomNotifier;
  /** The app is shutting down: sockets closing now start no grace periods. */
  private closing = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly media: MediaService,
    private readonly meetings: MeetingsService,
    private readonly presence: MeetingPresence,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly qa: LectureQaService,
  ) {}

  attach(notifier: RoomNotifier): void {
    this.notifier = notifier;
  }

  // ── recording (issue 6): the recordings module tells the room whether it records, and through it everyone ──
  private recordingStateOf?: (meetingId: string) => RecordingState;

  provideRecordingState(of: (meetingId: string) => RecordingState): void {
    this.recordingStateOf = of;
  }

  /** Sends an event to everyone in a live meeting (no-op before the gateway attached). */
  broadcast<E extends keyof RtcServerEvents>(
    meetingId: string,
    event: E,
    payload: Parameters<RtcServerEvents[E]>[0],
  ): void {
    this.notifier?.toMeeting(meetingId, event, payload);
  }

  private get notify(): RoomNotifier {
    if (!this.notifier) throw new Error('RoomService used before the /rtc gateway attached its notifier');
    return this.notifier;
  }

  onModuleInit(): void {
    const ev = this.media.events;
    this.unsubscribe.push(
      ev.on('producerAdded', (e) => void this.onProducerAdded(e.meetingId, e.peerId, e.producerId)),
      ev.on('producerClosed', (e) => {
        for (const seat of this.rooms.get(e.meetingId)?.seats.values() ?? [])
          seat.consumed.delete(e.producerId);
        this.notifier?.toMeeting(e.meetingId, 'producer.closed', {
          peerId: e.peerId,
          producerId: e.producerId,
          source: e.source,
          byHost: this.byHost.delete(e.producerId),
        });
      }),
      ev.on('producerPaused', (e) =>
        this.notifier?.toMeeting(e.meetingId, 'producer.paused', {
          peerId: e.peerId,
          producerId: e.producerId,
          source: e.source,
          byHost: this.byHost.delete(e.producerId),
        }),
      ),
      ev.on('producerResumed', (e) =>
        this.notifier?.toMeeting(e.meetingId, 'producer.resumed', {
          peerId: e.peerId,
          producerId: e.producerId,
          source: e.source,
        }),
      ),
      ev.on('consumerClosed', (e) => {
        const socketId = this.rooms.get(e.meetingId)?.seats.get(e.peerId)?.socketId;
        if (socketId)
          this.notify.toSocket(socketId, 'consumer.closed', {
            consumerId: e.consumerId,
            producerId: e.producerId,
          });
      }),
      ev.on('downlinkChanged', (e) => {
        const socketId = this.rooms.get(e.meetingId)?.seats.get(e.peerId)?.socketId;
        if (socketId) this.notify.toSocket(socketId, 'media.downlink', { videoPaused: e.videoPaused });
      }),
      ev.on('layersWanted', (e) => {
        const socketId = this.rooms.get(e.meetingId)?.seats.get(e.peerId)?.socketId;
        const { producerId, maxSpatialLayer } = e;
        if (socketId) this.notify.toSocket(socketId, 'media.layers', { producerId, maxSpatialLayer });
      }),
      ev.on('activeSpeaker', (e) =>
        this.notifier?.toMeeting(e.meetingId, 'speaker.changed', { peerId: e.peerId }),
      ),
      ev.on('audioLevels', (e) => {
        const room = this.rooms.get(e.meetingId);
        if (!room) return;
        const now = Date.now();
        if (e.levels.length > 0 && now - room.lastLevelsAt < AUDIO_LEVELS_MIN_INTERVAL_MS) return;
        room.lastLevelsAt = now;
        this.notify.toMeeting(e.meetingId, 'audio.levels', {
          levels: e.levels.map((l) => ({ peerId: l.peerId, volume: l.volume })),
        });
      }),
      ev.on('roomMoved', (e) => {
        // Every transport is gone: clients rejoin with resumePeerId and set up their media again.
        for (const seat of this.rooms.get(e.meetingId)?.seats.values() ?? []) {
          seat.ready = false;
          seat.consumed.clear();
        }
        this.notifier?.toMeeting(e.meetingId, 'media.moved', { meetingId: e.meetingId });
      }),
    );
  }

  onModuleDestroy(): void {
    this.closing = true;
    for (const off of this.unsubscribe) off();
    for (const room of this.rooms.values()) {
      clearTimeout(room.emptyTimer);
      for (const seat of room.seats.values()) clearTimeout(seat.graceTimer);
    }
  }

  /** The participants of a live room (for tests and health). */
  participants(meetingId: string): PeerInfo[] {
    const room = this.rooms.get(meetingId);
    return room ? [...room.seats.values()].map((s) => this.peerInfo(room, s, [])) : [];
  }

  // ── joining and leaving ──────────────────────────────────────────────────────────────────────────────────
  async join(caller: RtcCaller, req: RoomJoin): Promise<RoomJoined> {
    const entry = await this.meetings.entry(caller.user, req.meetingId);
    return this.serial(req.meetingId, () =>
      this.seat(caller, req, entry.meeting, entry.userName, entry.isGuest),
    );
  }

  private async seat(
    caller: RtcCaller,
    req: RoomJoin,
    meeting: MeetingEntity,
    name: string,
    guest = false,
  ): Promise<RoomJoined> {
    const place = this.bySocket.get(caller.socketId);
    // A seated socket may only join again to take its own seat back (its media moved or its ICE failed).
    const rejoin = place?.meetingId === req.meetingId && place.peerId === req.resumePeerId;
    if (place && !place.waiting && !rejoin) throw Conflict('rtc.alreadyInRoom');
    if (place?.waiting) this.dropWaiter(place);
    const room = this.roomFor(meeting);
    const userId = caller.user.id;
    if (room.removed.has(userId)) throw Forbidden('rtc.removedFromMeeting');
    const isHost = room.hostUserId === userId;
    const seats = [...room.seats.values()];
    const existing =
      seats.find((s) => s.peerId === req.resumePeerId && s.userId === userId) ??
      seats.find((s) => s.userId === userId);

    // A guest always waits for the host to let them in.
    const lobby = room.waitingRoom || room.locked || guest;
    if (!existing && !isHost && lobby && !room.admitted.has(userId)) {
      const waiter: Waiter = { peerId: randomUUID(), userId, name, socketId: caller.socketId };
      room.lobby.set(waiter.peerId, waiter);
      this.bySocket.set(caller.socketId, { meetingId: room.meetingId, peerId: waiter.peerId, waiting: true });
      this.notifyLobby(room);
      return { status: 'waiting', room: this.state(room) };
    }

    let seat: Seat;
    if (existing) {
      seat = existing;
      clearTimeout(seat.graceTimer);
      seat.graceTimer = undefined;
      seat.awaySince = undefined;
      if (seat.socketId && seat.socketId !== caller.socketId) {
        const old = seat.socketId;
        this.bySocket.delete(old);
        this.notify.leave(old, room.meetingId);
        this.notify.toSocket(old, 'self.removed', { by: seat.peerId, reason: 'replaced' });
        this.notify.disconnect(old);
      }
      seat.ready = false;
      seat.consumed.clear();
    } else {
      seat = {
        peerId: randomUUID(),
        userId,
        name,
        guest,
        handRaised: false,
        socketId: null,
        ready: false,
        consumed: new Set(),
        sendTransportId: '',
        recvTransportId: '',
      };
      room.seats.set(seat.peerId, seat);
      // Someone is back before the empty room ended: the meeting goes on.
      clearTimeout(room.emptyTimer);
      room.emptyTimer = undefined;
    }
    seat.socketId = caller.socketId;

    try {
      // A lecture's listener receives only: no send transport (joins stay light) unless it holds the floor.
      const sends = this.maySend(room, seat);
      // media.join closes the old media of a resumed seat (others get producer.closed, not peer.left).
      const joined = await this.media.join(
        room.meetingId,
        { peerId: seat.peerId, userId },
        { lecture: room.lecture !== undefined, listener: !this.isPresenter(room, seat) },
      );
      const [send, recv] = await Promise.all([
        sends ? this.media.createTransport(room.meetingId, seat.peerId, 'send') : undefined,
        this.media.createTransport(room.meetingId, seat.peerId, 'recv'),
      ]);
      const chat = await this.meetings.recentChat(room.meetingId);
      seat.sendTransportId = send?.id ?? '';
      seat.recvTransportId = recv.id;
      this.bySocket.set(caller.socketId, { meetingId: room.meetingId, peerId: seat.peerId, waiting: false });
      this.notify.enter(caller.socketId, room.meetingId);
      const self = this.peerInfo(room, seat, []);
      if (!existing) this.notify.toMeeting(room.meetingId, 'peer.joined', self, caller.socketId);
      this.presence.set(room.meetingId, room.seats.size);
      if (isHost && room.lobby.size > 0)
        this.notify.toSocket(caller.socketId, 'lobby.waiting', { waiting: this.waiting(room) });
      const transport = (t: typeof recv) => ({
        id: t.id,
        iceParameters: t.iceParameters,
        iceCandidates: t.iceCandidates.map((c) => ({ ...c })),
        dtlsParameters: {
          ...t.dtlsParameters,
          fingerprints: t.dtlsParameters.fingerprints.map((f) => ({ ...f })),
        },
      });
      return {
        status: 'joined',
        self,
        room: this.state(room),
        routerRtpCapabilities: { ...joined.routerRtpCapabilities } as Opaque,
        sendTransport: send ? transport(send) : null,
        recvTransport: transport(recv),
        iceServers: joined.iceServers,
        peers: [...room.seats.values()]
          .filter((s) => s !== seat)
          .map((s) => this.peerInfo(room, s, joined.producers)),
        chat,
        resumed: existing !== undefined,
        ...(room.lecture ? { lecture: this.lectureState(room) } : {}),
        recording: this.recordingStateOf?.(room.meetingId),
      };
    } catch (e) {
      if (!existing) await this.vacate(room, seat, 'left');
      else this.bySocket.delete(caller.socketId);
      throw e;
    }
  }

  /** The client leaves on purpose: no grace period. */
  async leave(caller: RtcCaller): Promise<null> {
    const place = this.bySocket.get(caller.socketId);
    if (!place) return null;
    if (place.waiting) {
      this.dropWaiter(place);
      return null;
    }
    await this.serial(place.meetingId, async () => {
      const room = this.rooms.get(place.meetingId);
      const seat = room?.seats.get(place.peerId);
      if (room && seat?.socketId === caller.socketId) await this.vacate(room, seat, 'left');
    });
    return null;
  }

  /** The socket dropped: a waiter leaves the lobby; a seated peer keeps its seat for the grace period. */
  disconnected(socketId: string, at = new Date()): void {
    const place = this.bySocket.get(socketId);
    if (!place || this.closing) return;
    this.bySocket.delete(socketId);
    if (place.waiting) return this.dropWaiter(place);
    const room = this.rooms.get(place.meetingId);
    const seat = room?.seats.get(place.peerId);
    if (!room || !seat || seat.socketId !== socketId) return;
    seat.socketId = null;
    seat.ready = false;
    seat.awaySince = at;
    const expire = () =>
      void this.serial(room.meetingId, async () => {
        if (room.seats.get(seat.peerId) === seat && seat.socketId === null)
          await this.vacate(room, seat, 'disconnected');
      }).catch((e: unknown) => this.log.error(`expiring peer ${seat.peerId}: ${String(e)}`));
    const graceMs = this.config.RTC_RECONNECT_GRACE_SECONDS * 1000;
    if (graceMs <= 0) expire();
    else seat.graceTimer = setTimeout(expire, graceMs);
  }

  // ── media ────────────────────────────────────────────────────────────────────────────────────────────────
  /** The client's RTP capabilities: a consumer (paused) for every producer already in the room. */
  async ready(caller: RtcCaller, rtpCapabilities: Opaque): Promise<RoomReadyResult> {
    const { room, seat } = this.seated(caller);
    await this.media.setRtpCapabilities(
      room.meetingId,
      seat.peerId,
      asMedia<types.RtpCapabilities>(rtpCapabilities),
    );
    seat.ready = true;
    const producers = (await this.media.room(room.meetingId)).producers(seat.peerId);
    const consumers = await Promise.all(producers.map((p) => this.consumeFor(room, seat, p.producerId)));
    return { consumers: consumers.filter((c): c is ConsumerInfo => c !== null) };
  }

  async connectTransport(caller: RtcCaller, transportId: string, dtlsParameters: Opaque): Promise<null> {
    const { room, seat } = this.seated(caller);
    await this.media.connectTransport(
      room.meetingId,
      seat.peerId,
      transportId,
      asMedia<types.DtlsParameters>(dtlsParameters),
    );
    return null;
  }

  async restartIce(caller: RtcCaller, transportId: string) {
    const { room, seat } = this.seated(caller);
    const ice = await this.media.restartIce(room.meetingId, seat.peerId, transportId);
    return { iceParameters: { ...ice } };
  }

  async produce(
    caller: RtcCaller,
    req: {
      transportId: string;
      kind: 'audio' | 'video';
      source: MediaSource;
      rtpParameters: Opaque;
      paused: boolean;
    },
  ): Promise<{ producerId: string }> {
    const { room, seat } = this.seated(caller);
    if (room.lecture && !this.isPresenter(room, seat)) {
      if (!room.lecture.floor.has(seat.peerId)) throw Forbidden('lecture.listenerNoFloor');
      if (req.source !== 'mic') throw Forbidden('lecture.floorAudioOnly');
    }
    const producer = await this.media.produce(room.meetingId, seat.peerId, {
      transportId: req.transportId,
      kind: req.kind,
      source: req.source,
      rtpParameters: asMedia<types.RtpParameters>(req.rtpParameters),
    });
    if (req.paused) await this.media.pauseProducer(room.meetingId, producer.producerId);
    return { producerId: producer.producerId };
  }

  /** Pause (mute), resume or close one of the caller's own producers. */
  async ownProducer(
    caller: RtcCaller,
    producerId: string,
    action: 'pause' | 'resume' | 'close',
  ): Promise<null> {
    const { room, seat } = this.seated(caller);
    (await this.media.room(room.meetingId)).producerOf(seat.peerId, producerId); // is it the caller's?
    if (action === 'pause') await this.media.pauseProducer(room.meetingId, producerId);
    else if (action === 'resume') await this.media.resumeProducer(room.meetingId, producerId);
    else await this.media.closeProducer(room.meetingId, seat.peerId, producerId);
    return null;
  }

  /** The client has attached its consumers: media starts. A consumer closed meanwhile is skipped. */
  async resumeConsumers(caller: RtcCaller, consumerIds: string[]): Promise<null> {
    const { room, seat } = this.seated(caller);
    const results = await Promise.allSettled(
      consumerIds.map((id) => this.media.resumeConsumer(room.meetingId, seat.peerId, id)),
    );
    const failed = results.find(
      (r): r is PromiseRejectedResult =>
        r.status === 'rejected' &&
        !(r.reason instanceof MediaError && r.reason.code === 'consumer_not_found'),
    );
    if (failed) throw failed.reason;
    return null;
  }

  async tile(caller: RtcCaller, consumerId: string, height: number): Promise<null> {
    const { room, seat } = this.seated(caller);
    await this.media.setConsumerTileSize(room.meetingId, seat.peerId, consumerId, height);
    return null;
  }

  // ── chat and hands ───────────────────────────────────────────────────────────────────────────────────────
  async chat(caller: RtcCaller, text: string): Promise<ChatMessage> {
    const { room, seat } = this.seated(caller);
    const message = await this.meetings.addChat(room.meetingId, seat.userId, seat.name, text);
    this.notify.toMeeting(room.meetingId, 'chat.received', message, caller.socketId);
    return message;
  }

  hand(caller: RtcCaller, raised: boolean): null {
    const { room, seat } = this.seated(caller);
    this.setHand(room, seat, raised);
    return null;
  }

  // ── host controls ────────────────────────────────────────────────────────────────────────────────────────
  /** Mutes one participant, or everyone but the host: their microphone producer is paused server-side. */
  async hostMute(caller: RtcCaller, peerId: string | undefined): Promise<null> {
    const { room, seat: host } = this.hosting(caller);
    const targets = peerId ? [this.seatOf(room, peerId)] : [...room.seats.values()].filter((s) => s !== host);
    const mediaRoom = await this.media.room(room.meetingId);
    await Promise.all(
      targets.map(async (t) => {
        const mic = mediaRoom.peers.get(t.peerId)?.producerFor('mic');
        if (!mic || mic.paused) return;
        this.byHost.add(mic.id);
        await this.media.pauseProducer(room.meetingId, mic.id).finally(() => this.byHost.delete(mic.id));
      }),
    );
    await this.meetings.auditHostAction(
      room.meetingId,
      host.userId,
      'host.mute',
      peerId ? { userId: targets[0].userId } : { all: true, count: targets.length },
    );
    return null;
  }

  /** Stops a participant's camera: its producer is closed. */
  async hostStopVideo(caller: RtcCaller, peerId: string): Promise<null> {
    const { room } = this.hosting(caller);
    const target = this.seatOf(room, peerId);
    const camera = (await this.media.room(room.meetingId)).peers.get(target.peerId)?.producerFor('camera');
    if (camera) {
      this.byHost.add(camera.id);
      await this.media.closeProducer(room.meetingId, target.peerId, camera.id);
      this.byHost.delete(camera.id);
    }
    return null;
  }

  /** Removes a participant from the meeting; they cannot come back to it. */
  async hostRemove(caller: RtcCaller, peerId: string): Promise<null> {
    const { room, seat: host } = this.hosting(caller);
    const target = this.seatOf(room, peerId);
    if (target === host) throw Forbidden('rtc.hostOnly');
    room.removed.add(target.userId);
    await this.meetings.auditHostAction(room.meetingId, host.userId, 'host.remove', {
      userId: target.userId,
    });
    const socketId = target.socketId;
    if (socketId)
      this.notify.toSocket(socketId, 'self.removed', { by: host.peerId, reason: 'removed_by_host' });
    await this.serial(room.meetingId, () => this.vacate(room, target, 'removed'));
    // Like a replaced socket, a removed one is closed: it has no business on /rtc for this meeting any more.
    if (socketId) this.notify.disconnect(socketId);
    return null;
  }

  async hostLock(caller: RtcCaller, locked: boolean): Promise<null> {
    const { room, seat } = this.hosting(caller);
    room.locked = locked;
    await this.meetings.saveSettings(room.meetingId, { waitingRoom: room.waitingRoom, locked });
    await this.meetings.auditHostAction(room.meetingId, seat.userId, 'host.lock', { locked });
    this.notify.toMeeting(room.meetingId, 'room.changed', this.state(room));
    return null;
  }

  /**
   * Ends the meeting for everyone (audited). `room.ended` makes a client drop its connection, so the host's own
   * copy goes out just after the acknowledgement: sent first, it left the host's request unanswered.
   */
  async hostEnd(caller: RtcCaller): Promise<null> {
    const { room, seat } = this.hosting(caller);
    await this.serial(room.meetingId, async () => {
      await this.meetings.end(room.meetingId, seat.userId, 'host');
      await this.close(room, seat.peerId, caller.socketId);
    });
    setImmediate(() => this.notify.toSocket(caller.socketId, 'room.ended', { by: seat.peerId }));
    return null;
  }

  async hostTransfer(caller: RtcCaller, peerId: string): Promise<null> {
    const { room, seat } = this.hosting(caller);
    const target = this.seatOf(room, peerId);
    if (target.userId === room.hostUserId) return null;
    if (target.guest) throw Forbidden('rtc.guestCannotHost');
    await this.meetings.transferHost(room.meetingId, seat.userId, target.userId);
    room.hostUserId = target.userId;
    this.notify.toMeeting(room.meetingId, 'room.changed', this.state(room));
    if (room.lecture) await this.serial(room.meetingId, () => this.lectureHostChanged(room, seat, target));
    if (target.socketId && room.lobby.size > 0)
      this.notify.toSocket(target.socketId, 'lobby.waiting', { waiting: this.waiting(room) });
    return null;
  }

  hostLowerHand(caller: RtcCaller, peerId: string): null {
    const { room } = this.hosting(caller);
    this.setHand(room, this.seatOf(room, peerId), false);
    return null;
  }

  lobby(caller: RtcCaller, peerId: string, admit: boolean): null {
    const { room } = this.hosting(caller);
    const waiter = room.lobby.get(peerId);
    if (!waiter) throw NotFound('rtc.peerNotFound');
    room.lobby.delete(peerId);
    this.bySocket.delete(waiter.socketId);
    if (admit) {
      room.admitted.add(waiter.userId);
      this.notify.toSocket(waiter.socketId, 'lobby.admitted', { meetingId: room.meetingId });
    } else {
      this.notify.toSocket(waiter.socketId, 'lobby.denied', { meetingId: room.meetingId });
    }
    this.notifyLobby(room);
    return null;
  }

  // ── lecture mode (微课堂) ────────────────────────────────────────────────────────────────────────────────────
  /** The lecturer or the host gives a listener the floor: an audio send transport, its hand lowered. */
  async giveFloor(caller: RtcCaller, peerId: string): Promise<null> {
    const { room, lecture } = this.lecturing(caller);
    return this.serial(room.meetingId, async () => {
      const target = this.seatOf(room, peerId);
      if (this.isPresenter(room, target)) throw Conflict('lecture.isPresenter');
      if (lecture.floor.has(target.peerId)) return null;
      await this.grantSend(room, target, true);
      lecture.floor.add(target.peerId);
      this.setHand(room, target, false);
      this.notify.toMeeting(room.meetingId, 'lecture.changed', this.lectureState(room));
      return null;
    });
  }

  /** Takes the floor back: the listener's producers and send transport close; it is told `lecture.send` null. */
  async takeFloor(caller: RtcCaller, peerId: string): Promise<null> {
    const { room, lecture } = this.lecturing(caller);
    return this.serial(room.meetingId, async () => {
      const target = this.seatOf(room, peerId);
      if (!lecture.floor.delete(target.peerId)) return null;
      await this.revokeSend(room, target);
      this.notify.toMeeting(room.meetingId, 'lecture.changed', this.lectureState(room));
      return null;
    });
  }

  /** The host makes a participant a co-presenter: camera, microphone and screen like the lecturer. */
  async addPresenter(caller: RtcCaller, peerId: string): Promise<null> {
    const { room } = this.hosting(caller);
    const lecture = this.lectureOf(room);
    return this.serial(room.meetingId, async () => {
      const target = this.seatOf(room, peerId);
      if (this.isPresenter(room, target)) return null;
      lecture.coPresenters.add(target.userId);
      if (lecture.floor.delete(target.peerId)) await this.revokeSend(room, target);
      await this.grantSend(room, target, false);
      this.setHand(room, target, false);
      this.notify.toMeeting(room.meetingId, 'lecture.changed', this.lectureState(room));
      return null;
    });
  }

  async removePresenter(caller: RtcCaller, peerId: string): Promise<null> {
    const { room } = this.hosting(caller);
    const lecture = this.lectureOf(room);
    return this.serial(room.meetingId, async () => {
      const target = this.seatOf(room, peerId);
      if (target.userId === lecture.lecturerUserId) throw Conflict('lecture.cannotRemoveLecturer');
      if (!lecture.coPresenters.delete(target.userId)) return null;
      if (target.userId !== room.hostUserId) await this.revokeSend(room, target);
      this.notify.toMeeting(room.meetingId, 'lecture.changed', this.lectureState(room));
      return null;
    });
  }

  async ask(caller: RtcCaller, text: string): Promise<QaQuestion> {
    const { room, seat } = this.seated(caller);
    this.lectureOf(room);
    const question = await this.qa.ask(room.meetingId, { id: seat.userId, name: seat.name }, text);
    this.notify.toMeeting(room.meetingId, 'qa.changed', question, caller.socketId);
    return question;
  }

  async upvote(caller: RtcCaller, questionId: string): Promise<QaQuestion> {
    const { room, seat } = this.seated(caller);
    this.lectureOf(room);
    const question = await this.qa.upvote(room.meetingId, questionId, seat.userId);
    this.notify.toMeeting(room.meetingId, 'qa.changed', question, caller.socketId);
    return question;
  }

  async answer(caller: RtcCaller, questionId: string): Promise<QaQuestion> {
    const { room, seat } = this.lecturing(caller);
    const question = await this.qa.answer(room.meetingId, questionId, seat.userId);
    this.notify.toMeeting(room.meetingId, 'qa.changed', question, caller.socketId);
    return question;
  }

  async questions(caller: RtcCaller): Promise<QaList> {
    const { room, seat } = this.seated(caller);
    this.lectureOf(room);
    return this.qa.list(room.meetingId, seat.userId);
  }

  /** The host presents in a lecture: the new one may publish now, the old one only if still a presenter. */
  private async lectureHostChanged(room: LiveRoom, from: Seat, to: Seat): Promise<void> {
    const lecture = this.lectureOf(room);
    if (lecture.floor.delete(to.peerId)) await this.revokeSend(room, to);
    await this.grantSend(room, to, false);
    if (room.seats.get(from.peerId) === from && !this.maySend(room, from)) await this.revokeSend(room, from);
    this.notify.toMeeting(room.meetingId, 'lecture.changed', this.lectureState(room));
  }

  /** Presenters of a lecture publish freely: the lecturer, the host, co-presenters. Everyone outside a lecture. */
  private isPresenter(room: LiveRoom, seat: Seat): boolean {
    const l = room.lecture;
    return (
      !l ||
      seat.userId === l.lecturerUserId ||
      seat.userId === room.hostUserId ||
      l.coPresenters.has(seat.userId)
    );
  }

  private maySend(room: LiveRoom, seat: Seat): boolean {
    return this.isPresenter(room, seat) || (room.lecture?.floor.has(seat.peerId) ?? false);
  }

  private lectureOf(room: LiveRoom): LectureRoles {
    if (!room.lecture) throw Conflict('lecture.notLecture');
    return room.lecture;
  }

  /** The caller is the lecture's lecturer or the room's host. */
  private lecturing(caller: RtcCaller): { room: LiveRoom; seat: Seat; lecture: LectureRoles } {
    const { room, seat } = this.seated(caller);
    const lecture = this.lectureOf(room);
    if (seat.userId !== lecture.lecturerUserId && seat.userId !== room.hostUserId)
      throw Forbidden('lecture.lecturerOnly');
    return { room, seat, lecture };
  }

  /** A send transport for the seat (unless it has one), handed to its socket with `lecture.send`. */
  private async grantSend(room: LiveRoom, seat: Seat, audioOnly: boolean): Promise<void> {
    if (seat.sendTransportId) return;
    const t = await this.media.createTransport(room.meetingId, seat.peerId, 'send');
    seat.sendTransportId = t.id;
    if (seat.socketId)
      this.notify.toSocket(seat.socketId, 'lecture.send', {
        audioOnly,
        sendTransport: {
          id: t.id,
          iceParameters: { ...t.iceParameters },
          iceCandidates: t.iceCandidates.map((c) => ({ ...c })),
          dtlsParameters: {
            ...t.dtlsParameters,
            fingerprints: t.dtlsParameters.fingerprints.map((f) => ({ ...f })),
          },
        },
      });
  }

  /** Closes the seat's send transport and with it its producers (everyone gets producer.closed). */
  private async revokeSend(room: LiveRoom, seat: Seat): Promise<void> {
    const id = seat.sendTransportId;
    if (!id) return;
    seat.sendTransportId = '';
    await this.media.closeTransport(room.meetingId, seat.peerId, id).catch((e: unknown) => {
      if (!(e instanceof MediaError)) throw e; // already gone with its media
    });
    if (seat.socketId)
      this.notify.toSocket(seat.socketId, 'lecture.send', { sendTransport: null, audioOnly: true });
  }

  private lectureState(room: LiveRoom): LectureState {
    const l = this.lectureOf(room);
    return {
      lecturerUserId: l.lecturerUserId,
      coPresenterUserIds: [...l.coPresenters],
      floorPeerIds: [...l.floor],
    };
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────────────────
  private roomFor(meeting: MeetingEntity): LiveRoom {
    let room = this.rooms.get(meeting.id);
    if (!room) {
      room = {
        meetingId: meeting.id,
        title: meeting.title,
        hostUserId: meeting.hostId,
        waitingRoom: meeting.settings.waitingRoom,
        locked: meeting.settings.locked,
        seats: new Map(),
        lobby: new Map(),
        admitted: new Set(),
        removed: new Set(),
        lastLevelsAt: 0,
        lecture:
          meeting.type === 'lecture'
            ? {
                lecturerUserId: meeting.lecturerId ?? meeting.hostId,
                coPresenters: new Set(),
                floor: new Set(),
              }
            : undefined,
      };
      this.rooms.set(meeting.id, room);
    }
    return room;
  }

  /** Takes a seat away: its media closes (others get producer.closed), then peer.left. The last one ends it. */
  private async vacate(room: LiveRoom, seat: Seat, reason: PeerLeaveReason): Promise<void> {
    if (room.seats.get(seat.peerId) !== seat) return;
    room.seats.delete(seat.peerId);
    clearTimeout(seat.graceTimer);
    const hadFloor = room.lecture?.floor.delete(seat.peerId) ?? false;
    if (seat.socketId) {
      this.bySocket.delete(seat.socketId);
      this.notify.leave(seat.socketId, room.meetingId);
    }
    await this.media.leave(room.meetingId, seat.peerId, {
      reason,
      at: reason === 'disconnected' ? seat.awaySince : undefined,
    });
    this.notify.toMeeting(room.meetingId, 'peer.left', { peerId: seat.peerId });
    if (hadFloor) this.notify.toMeeting(room.meetingId, 'lecture.changed', this.lectureState(room));
    this.presence.set(room.meetingId, room.seats.size);
    if (room.seats.size > 0) {
      const wentAt = (reason === 'disconnected' && seat.awaySince) || new Date();
      if (!room.lastLeftAt || wentAt > room.lastLeftAt) room.lastLeftAt = wentAt;
      return;
    }
    // The last one left: the meeting ends a while later (at the moment they went) unless someone comes back.
    // A dropped person went at their last activity, which may be before others left on purpose: the room was
    // empty from the latest of those.
    const wentAt = (reason === 'disconnected' && seat.awaySince) || new Date();
    const emptySince = room.lastLeftAt && room.lastLeftAt > wentAt ? room.lastLeftAt : wentAt;
    room.lastLeftAt = undefined;
    const endEmpty = async () => {
      if (this.rooms.get(room.meetingId) !== room || room.seats.size > 0) return;
      await this.meetings.end(room.meetingId, null, 'empty', emptySince);
      await this.close(room, seat.peerId);
    };
    const delayMs = this.config.MEETING_EMPTY_END_SECONDS * 1000;
    if (delayMs <= 0) return endEmpty();
    clearTimeout(room.emptyTimer);
    room.emptyTimer = setTimeout(
      () =>
        void this.serial(room.meetingId, endEmpty).catch((e: unknown) =>
          this.log.error(`ending empty meeting ${room.meetingId}: ${String(e)}`),
        ),
      delayMs,
    );
  }

  /** The meeting ended: everyone (and everyone waiting) is told, the room and its router close. */
  private async close(room: LiveRoom, by: string, toldLater?: string): Promise<void> {
    clearTimeout(room.emptyTimer);
    this.notify.toMeeting(room.meetingId, 'room.ended', { by }, toldLater);
    for (const waiter of room.lobby.values()) {
      this.notify.toSocket(waiter.socketId, 'room.ended', { by });
      this.bySocket.delete(waiter.socketId);
    }
    for (const seat of room.seats.values()) {
      clearTimeout(seat.graceTimer);
      if (seat.socketId) {
        this.bySocket.delete(seat.socketId);
        this.notify.leave(seat.socketId, room.meetingId);
      }
    }
    this.rooms.delete(room.meetingId);
    this.presence.set(room.meetingId, 0);
    await this.media.closeRoom(room.meetingId);
  }

  private dropWaiter(place: SocketPlace): void {
    const room = this.rooms.get(place.meetingId);
    const waiter = room?.lobby.get(place.peerId);
    if (!room || !waiter) return;
    room.lobby.delete(place.peerId);
    this.bySocket.delete(waiter.socketId);
    this.notifyLobby(room);
  }

  private async onProducerAdded(
    meetingId: string,
    producerPeerId: string,
    producerId: string,
  ): Promise<void> {
    const room = this.rooms.get(meetingId);
    if (!room) return;
    await Promise.all(
      [...room.seats.values()]
        .filter((s) => s.peerId !== producerPeerId && s.ready && s.socketId)
        .map(async (seat) => {
          const consumer = await this.consumeFor(room, seat, producerId);
          if (consumer && seat.socketId) this.notify.toSocket(seat.socketId, 'consumer.created', consumer);
        }),
    );
  }

  /** A paused consumer of `producerId` for the seat, once; null when it cannot be made (logged). */
  private async consumeFor(room: LiveRoom, seat: Seat, producerId: string): Promise<ConsumerInfo | null> {
    if (seat.consumed.has(producerId)) return null;
    seat.consumed.add(producerId);
    try {
      const c = await this.media.consume(room.meetingId, seat.peerId, {
        transportId: seat.recvTransportId,
        producerId,
      });
      return {
        consumerId: c.id,
        producerId: c.producerId,
        peerId: c.producerPeerId,
        kind: c.kind,
        source: c.source,
        rtpParameters: { ...c.rtpParameters } as Opaque as ConsumerInfo['rtpParameters'],
        producerPaused: c.producerPaused,
      };
    } catch (e) {
      seat.consumed.delete(producerId);
      this.log.warn(`no consumer of ${producerId} for peer ${seat.peerId}: ${String(e)}`);
      return null;
    }
  }

  private setHand(room: LiveRoom, seat: Seat, raised: boolean): void {
    if (seat.handRaised === raised) return;
    seat.handRaised = raised;
    this.notify.toMeeting(room.meetingId, 'hand.changed', { peerId: seat.peerId, raised });
  }

  private notifyLobby(room: LiveRoom): void {
    const waiting = this.waiting(room);
    for (const seat of room.seats.values())
      if (seat.userId === room.hostUserId && seat.socketId)
        this.notify.toSocket(seat.socketId, 'lobby.waiting', { waiting });
  }

  private waiting(room: LiveRoom): WaitingPeer[] {
    return [...room.lobby.values()].map((w) => ({ peerId: w.peerId, userId: w.userId, name: w.name }));
  }

  private seated(caller: RtcCaller): { room: LiveRoom; seat: Seat } {
    const place = this.bySocket.get(caller.socketId);
    if (place?.waiting) throw Forbidden('rtc.waitingForHost');
    const room = place && this.rooms.get(place.meetingId);
    const seat = place && room?.seats.get(place.peerId);
    if (!room || !seat) throw Conflict('rtc.notInRoom');
    return { room, seat };
  }

  private hosting(caller: RtcCaller): { room: LiveRoom; seat: Seat } {
    const seated = this.seated(caller);
    if (seated.seat.userId !== seated.room.hostUserId) throw Forbidden('rtc.hostOnly');
    return seated;
  }

  private seatOf(room: LiveRoom, peerId: string): Seat {
    const seat = room.seats.get(peerId);
    if (!seat) throw NotFound('rtc.peerNotFound');
    return seat;
  }

  private state(room: LiveRoom): RoomState {
    return {
      meetingId: room.meetingId,
      title: room.title,
      hostUserId: room.hostUserId,
      locked: room.locked,
      waitingRoom: room.waitingRoom,
    };
  }

  private peerInfo(room: LiveRoom, seat: Seat, producers: ProducerInfo[]): PeerInfo {
    return {
      peerId: seat.peerId,
      userId: seat.userId,
      name: seat.name,
      role: seat.userId === room.hostUserId ? 'host' : seat.guest ? 'guest' : 'member',
      handRaised: seat.handRaised,
      producers: producers.filter((p) => p.peerId === seat.peerId),
    };
  }

  /** Runs membership changes of one meeting one at a time (joins, leaves, expiries, removal, end). */
  private serial<T>(meetingId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(meetingId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    const settled = next.catch(() => undefined);
    this.queues.set(meetingId, settled);
    void settled.then(() => {
      if (this.queues.get(meetingId) === settled) this.queues.delete(meetingId);
    });
    return next;
  }
}
