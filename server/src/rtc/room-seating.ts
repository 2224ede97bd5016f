import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { RoomJoin, RoomJoined, RoomRedirect } from '@branchmeet/shared';
import { Conflict, Forbidden } from '../common/domain-error';
import { RoomEvents } from '../common/room-events';
import { SocketHub } from '../common/socket-hub';
import { APP_CONFIG, AppConfig } from '../config/config';
import type { PeerLeaveReason } from '../media/media-events';
import { MediaService } from '../media/media.service';
import { MeetingsService } from '../meetings/meetings.service';
import { RoomAudience } from './room-audience';
import { RoomChat } from './room-chat';
import { RoomLobby } from './room-lobby';
import { RoomOwnership } from './room-ownership';
import { RoomRegistry } from './room-registry';
import { restoreRoom } from './room-snapshot';
import {
  isPresenter,
  lectureState,
  maySend,
  mustWait,
  newRoom,
  newSeat,
  noteDeparture,
  peerInfo,
  roomState,
  seatToResume,
  wireTransport,
  type LiveRoom,
  type RoomMeeting,
  type RtcCaller,
  type Seat,
} from './room-state';

/**
 * Who sits in a live room: joining (or waiting in the lobby), leaving, the reconnect grace period, the end of a
 * room left empty, and closing a room.
 *
 * One seat per person per meeting: a join by the same user — with `resumePeerId` or from a second socket —
 * takes the existing seat over (same peerId, old media closed, `resumed: true`); the older socket is told
 * `self.removed` with `by` = its own peerId and disconnected. Nobody else sees peer.left/peer.joined for it.
 * Who is told of a join or a leave (everyone, or in a lecture only of the stage) is RoomAudience's.
 * A room whose last participant leaves ends the meeting MEETING_EMPTY_END_SECONDS later unless someone comes
 * back (audited as ended by nobody, reason "empty"); it ends at the moment it emptied.
 */
@Injectable()
export class RoomSeating implements OnModuleDestroy {
  private readonly log = new Logger(RoomSeating.name);
  /** Seats within their reconnect grace, by peer id. */
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  /** Empty rooms about to end, by meeting id. */
  private readonly emptyTimers = new Map<string, NodeJS.Timeout>();
  /** The app is shutting down: sockets closing now start no grace periods. */
  private closing = false;

  constructor(
    private readonly registry: RoomRegistry,
    private readonly lobby: RoomLobby,
    private readonly hub: SocketHub,
    private readonly bus: RoomEvents,
    private readonly media: MediaService,
    private readonly meetings: MeetingsService,
    private readonly ownership: RoomOwnership,
    private readonly audience: RoomAudience,
    private readonly chat: RoomChat,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleDestroy(): void {
    this.closing = true;
    for (const timer of [...this.graceTimers.values(), ...this.emptyTimers.values()]) clearTimeout(timer);
    this.graceTimers.clear();
    this.emptyTimers.clear();
  }

  async join(caller: RtcCaller, req: RoomJoin): Promise<RoomJoined> {
    const entry = await this.meetings.entry(caller.user, req.meetingId);
    return this.registry.serial(req.meetingId, async () => {
      const place = this.registry.place(caller.socketId);
      // A seated socket may only join again to take its own seat back (its media moved or its ICE failed).
      const rejoin = place?.meetingId === req.meetingId && place.peerId === req.resumePeerId;
      if (place && !place.waiting && !rejoin) throw Conflict('rtc.alreadyInRoom');
      const room = this.registry.room(req.meetingId) ?? (await this.openOwned(entry.meeting));
      if ('redirect' in room) return room.redirect;
      return this.seat(caller, req, room, entry.userName, entry.isGuest);
    });
  }

  /**
   * Opens the meeting's room on this node if this node owns the meeting (claimed now, or assigned to it by
   * another node), else says where it is served. A room its previous owner left is restored from the mirror:
   * its people get their seats back when they join again, or leave when their grace period ends.
   */
  private async openOwned(meeting: RoomMeeting): Promise<LiveRoom | { redirect: RoomRedirect }> {
    const owned = await this.ownership.resolve(meeting.id);
    if ('redirect' in owned) return owned;
    const room = owned.snapshot ? restoreRoom(meeting, owned.snapshot, new Date()) : newRoom(meeting);
    this.registry.install(room);
    this.bus.emit('room.opened', { meetingId: room.meetingId, restored: owned.snapshot !== null });
    this.ownership.keep(
      room,
      owned.lease,
      () =>
        void this.registry
          .serial(room.meetingId, () => this.moveAway(room))
          .catch((e: unknown) => this.log.error(`closing moved room ${room.meetingId}: ${String(e)}`)),
    );
    if (owned.snapshot) {
      this.log.log(`meeting ${room.meetingId}: room restored (${room.seats.size} seats)`);
      for (const seat of room.seats.values()) this.startGrace(room, seat);
      for (const waiter of room.lobby.values()) this.waiterGrace(room, waiter.peerId);
    }
    return room;
  }

  /** A waiter restored without a socket leaves the lobby unless they are back within the grace period. */
  private waiterGrace(room: LiveRoom, peerId: string): void {
    const timer = setTimeout(() => {
      if (this.graceTimers.get(peerId) === timer) this.graceTimers.delete(peerId);
      if (this.registry.isLive(room) && room.lobby.get(peerId)?.socketId === '')
        this.lobby.drop({ meetingId: room.meetingId, peerId, waiting: true });
    }, this.config.RTC_RECONNECT_GRACE_SECONDS * 1000);
    this.graceTimers.set(peerId, timer);
  }

  private async seat(
    caller: RtcCaller,
    req: RoomJoin,
    room: LiveRoom,
    name: string,
    guest = false,
  ): Promise<RoomJoined> {
    const place = this.registry.place(caller.socketId);
    if (place?.waiting) this.lobby.drop(place);
    const userId = caller.user.id;
    if (room.removed.has(userId)) throw Forbidden('rtc.removedFromMeeting');
    const isHost = room.hostUserId === userId;
    const existing = seatToResume(room, userId, req.resumePeerId);

    // A guest always waits for the host to let them in.
    if (!existing && mustWait(room, userId, guest)) {
      this.lobby.enqueue(room, caller, name);
      return { status: 'waiting', room: roomState(room) };
    }

    let seat: Seat;
    if (existing) {
      seat = existing;
      this.stopGrace(seat);
      seat.awaySince = undefined;
      if (seat.socketId && seat.socketId !== caller.socketId) {
        const old = seat.socketId;
        this.registry.dropPlace(old);
        this.hub.leaveMeeting(old, room.meetingId);
        this.hub.toSocket(old, 'self.removed', { by: seat.peerId, reason: 'replaced' });
        this.hub.disconnect(old);
      }
      seat.ready = false;
      seat.consumed.clear();
    } else {
      seat = newSeat(randomUUID(), userId, name, guest);
      room.seats.set(seat.peerId, seat);
      // Someone is back before the empty room ended: the meeting goes on.
      clearTimeout(this.emptyTimers.get(room.meetingId));
      this.emptyTimers.delete(room.meetingId);
    }
    seat.socketId = caller.socketId;

    try {
      // A lecture's listener receives only: no send transport (joins stay light) unless it holds the floor.
      const sends = maySend(room, seat);
      // media.join closes the old media of a resumed seat (others get producer.closed, not peer.left).
      const joined = await this.media.join(
        room.meetingId,
        { peerId: seat.peerId, userId },
        { lecture: room.lecture !== undefined, listener: !isPresenter(room, seat) },
      );
      const [send, recv] = await Promise.all([
        sends ? this.media.createTransport(room.meetingId, seat.peerId, 'send') : undefined,
        this.media.createTransport(room.meetingId, seat.peerId, 'recv'),
      ]);
      const chat = await this.chat.history(room, seat);
      seat.sendTransportId = send?.id ?? '';
      seat.recvTransportId = recv.id;
      this.registry.setPlace(caller.socketId, {
        meetingId: room.meetingId,
        peerId: seat.peerId,
        waiting: false,
      });
      this.hub.enterMeeting(caller.socketId, room.meetingId);
      const self = peerInfo(room, seat, []);
      if (!existing) this.audience.joined(room, seat, self);
      if (!existing) this.registry.changed(room);
      if (isHost) this.lobby.showTo(room, caller.socketId);
      return {
        status: 'joined',
        self,
        room: roomState(room),
        routerRtpCapabilities: { ...joined.routerRtpCapabilities } as Record<string, unknown>,
        sendTransport: send ? wireTransport(send) : null,
        recvTransport: wireTransport(recv),
        iceServers: joined.iceServers,
        peers: this.audience.known(room, seat, joined.producers),
        chat,
        resumed: existing !== undefined,
        ...(room.lecture
          ? { lecture: lectureState(room), audience: { listeners: this.audience.listenerCount(room) } }
          : {}),
        recording: this.bus.ask('recordingState', room.meetingId),
      };
    } catch (e) {
      if (!existing) await this.vacate(room, seat, 'left');
      else this.registry.dropPlace(caller.socketId);
      throw e;
    }
  }

  /** The client leaves on purpose: no grace period. */
  async leave(caller: RtcCaller): Promise<null> {
    const place = this.registry.place(caller.socketId);
    if (!place) return null;
    if (place.waiting) {
      this.lobby.drop(place);
      return null;
    }
    await this.registry.serial(place.meetingId, async () => {
      const room = this.registry.room(place.meetingId);
      const seat = room?.seats.get(place.peerId);
      if (room && seat?.socketId === caller.socketId) await this.vacate(room, seat, 'left');
    });
    return null;
  }

  /** The socket dropped: a waiter leaves the lobby; a seated peer keeps its seat for the grace period. */
  disconnected(socketId: string, at = new Date()): void {
    const place = this.registry.place(socketId);
    if (!place || this.closing) return;
    this.registry.dropPlace(socketId);
    if (place.waiting) return this.lobby.drop(place);
    const room = this.registry.room(place.meetingId);
    const seat = room?.seats.get(place.peerId);
    if (!room || !seat || seat.socketId !== socketId) return;
    seat.socketId = null;
    seat.ready = false;
    seat.awaySince = at;
    this.startGrace(room, seat);
  }

  /**
   * A seat without a socket leaves the room unless its person is back within the grace period, counted from when
   * it went away: a silent drop (noticed by the ping, up to RTC_PING_INTERVAL_MS + RTC_PING_TIMEOUT_MS after its
   * last activity) has spent that much of it already.
   */
  private startGrace(room: LiveRoom, seat: Seat): void {
    const expire = () =>
      void this.registry
        .serial(room.meetingId, async () => {
          if (room.seats.get(seat.peerId) === seat && seat.socketId === null)
            await this.vacate(room, seat, 'disconnected');
        })
        .catch((e: unknown) => this.log.error(`expiring peer ${seat.peerId}: ${String(e)}`));
    const away = Date.now() - (seat.awaySince?.getTime() ?? Date.now());
    const graceMs = this.config.RTC_RECONNECT_GRACE_SECONDS * 1000 - Math.max(0, away);
    if (graceMs <= 0) expire();
    else {
      const timer = setTimeout(() => {
        if (this.graceTimers.get(seat.peerId) === timer) this.graceTimers.delete(seat.peerId);
        expire();
      }, graceMs);
      this.graceTimers.set(seat.peerId, timer);
    }
  }

  /** Takes a seat away: its media closes (others get producer.closed), then peer.left. The last one ends it. */
  async vacate(room: LiveRoom, seat: Seat, reason: PeerLeaveReason): Promise<void> {
    if (room.seats.get(seat.peerId) !== seat) return;
    room.seats.delete(seat.peerId);
    this.stopGrace(seat);
    const hadFloor = room.lecture?.floorPeerIds.delete(seat.peerId) ?? false;
    if (seat.socketId) {
      this.registry.dropPlace(seat.socketId);
      this.hub.leaveMeeting(seat.socketId, room.meetingId);
    }
    await this.media.leave(room.meetingId, seat.peerId, {
      reason,
      at: reason === 'disconnected' ? seat.awaySince : undefined,
    });
    this.audience.left(room, seat);
    if (hadFloor) this.hub.toMeeting(room.meetingId, 'lecture.changed', lectureState(room));
    this.registry.changed(room);
    const emptySince = noteDeparture(room, (reason === 'disconnected' && seat.awaySince) || new Date());
    if (!emptySince) return;
    // The last one left: the meeting ends a while later (at the moment they went) unless someone comes back.
    const endEmpty = async () => {
      if (!this.registry.isLive(room) || room.seats.size > 0) return;
      await this.meetings.end(room.meetingId, null, 'empty', emptySince);
      await this.close(room, seat.peerId);
    };
    const delayMs = this.config.MEETING_EMPTY_END_SECONDS * 1000;
    if (delayMs <= 0) return endEmpty();
    clearTimeout(this.emptyTimers.get(room.meetingId));
    const timer = setTimeout(() => {
      if (this.emptyTimers.get(room.meetingId) === timer) this.emptyTimers.delete(room.meetingId);
      void this.registry
        .serial(room.meetingId, endEmpty)
        .catch((e: unknown) => this.log.error(`ending empty meeting ${room.meetingId}: ${String(e)}`));
    }, delayMs);
    this.emptyTimers.set(room.meetingId, timer);
  }

  /** The meeting ended: everyone (and everyone waiting) is told, the room and its router close. */
  async close(room: LiveRoom, by: string, toldLater?: string): Promise<void> {
    clearTimeout(this.emptyTimers.get(room.meetingId));
    this.emptyTimers.delete(room.meetingId);
    this.hub.toMeetingExcept(room.meetingId, toldLater, 'room.ended', { by });
    this.lobby.endAll(room, by);
    for (const seat of room.seats.values()) {
      this.stopGrace(seat);
      if (seat.socketId) {
        this.registry.dropPlace(seat.socketId);
        this.hub.leaveMeeting(seat.socketId, room.meetingId);
      }
    }
    this.registry.forget(room);
    this.audience.forget(room.meetingId);
    // Before the media goes: a recording stops while its packets still flow.
    this.bus.emit('room.closed', { meetingId: room.meetingId, reason: 'ended' });
    await this.media.closeRoom(room.meetingId);
    await this.ownership.release(room);
  }

  /**
   * Another node serves the meeting now (this node lost its lease): the room closes here without ending the
   * meeting. Its people's sockets are closed, so their clients join again, and are sent to the new owner.
   */
  async moveAway(room: LiveRoom): Promise<void> {
    if (!this.registry.isLive(room)) return;
    for (const socketId of await this.closeHere(room)) this.hub.disconnect(socketId);
  }

  /**
   * Closes the room on this node without ending the meeting (it is served elsewhere now, or is about to be):
   * its timers stop, its people leave its channel and its media closes; their presence closes as `moved` (a
   * seat already away since it dropped, at that moment), which the node they take their seat back on goes on
   * with. Returns the sockets that were in it (seated or waiting), still connected.
   */
  async closeHere(room: LiveRoom): Promise<string[]> {
    clearTimeout(this.emptyTimers.get(room.meetingId));
    this.emptyTimers.delete(room.meetingId);
    const sockets: string[] = [];
    for (const seat of room.seats.values()) {
      this.stopGrace(seat);
      if (seat.socketId) {
        sockets.push(seat.socketId);
        this.registry.dropPlace(seat.socketId);
        this.hub.leaveMeeting(seat.socketId, room.meetingId);
      }
    }
    for (const waiter of room.lobby.values()) {
      this.stopGrace(waiter);
      if (!waiter.socketId) continue;
      sockets.push(waiter.socketId);
      this.registry.dropPlace(waiter.socketId);
    }
    this.registry.forget(room);
    this.audience.forget(room.meetingId);
    // Before the media goes: a recording stops while its packets still flow.
    this.bus.emit('room.closed', { meetingId: room.meetingId, reason: 'moved' });
    for (const seat of room.seats.values())
      if (!seat.socketId && seat.awaySince)
        await this.media.leave(room.meetingId, seat.peerId, { reason: 'moved', at: seat.awaySince });
    await this.media.closeRoom(room.meetingId, 'moved');
    return sockets;
  }

  /** Seats in their grace period (tests). */
  get inGrace(): number {
    return this.graceTimers.size;
  }

  private stopGrace(seat: Pick<Seat, 'peerId'>): void {
    clearTimeout(this.graceTimers.get(seat.peerId));
    this.graceTimers.delete(seat.peerId);
  }
}
