import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { LectureListenersPage, LectureListenersQuery, PeerInfo, ProducerInfo } from '@branchmeet/shared';
import { Forbidden } from '../common/domain-error';
import { SocketHub, type ServerEvent, type ServerPayload } from '../common/socket-hub';
import { RoomRegistry } from './room-registry';
import {
  isPresenter,
  lectureOf,
  onStage,
  peerInfo,
  roleOf,
  type LiveRoom,
  type RtcCaller,
  type Seat,
} from './room-state';

/** A lecture's listener count goes out at most this often per room (and once more with its final value). */
export const AUDIENCE_COUNT_INTERVAL_MS = 1000;

interface CountState {
  /** The count last sent, and when. */
  sent: number;
  sentAt: number;
  timer?: NodeJS.Timeout;
}

/**
 * Who is told of whom. In an ordinary meeting every seat is announced to everyone (`peer.joined`, `peer.left`,
 * the join answer's `peers`), as before. In a lecture only the stage is: the lecturer, presenters and listeners
 * given the floor, from their first time on stage until they leave. A listener's join and leave are counted
 * instead — `lecture.audience` to the whole room, coalesced to about once a second per room — so N listeners
 * cost O(N) messages, not N². The presenters (who give the floor and answer raised hands) page through the
 * listeners with `lecture.listeners`, and a listener's raised hand reaches only them.
 */
@Injectable()
export class RoomAudience implements OnModuleDestroy {
  private readonly counts = new Map<string, CountState>();

  constructor(
    private readonly registry: RoomRegistry,
    private readonly hub: SocketHub,
  ) {}

  onModuleDestroy(): void {
    for (const c of this.counts.values()) clearTimeout(c.timer);
    this.counts.clear();
  }

  /** A new seat: announced to the others if it is on stage, else counted. */
  joined(room: LiveRoom, seat: Seat, self: PeerInfo): void {
    if (onStage(room, seat)) {
      seat.announced = true;
      this.hub.toMeetingExcept(room.meetingId, seat.socketId ?? undefined, 'peer.joined', self);
    }
    this.recount(room);
  }

  /** A seat left the room (it is no longer among its seats). */
  left(room: LiveRoom, seat: Seat): void {
    if (seat.announced) this.hub.toMeeting(room.meetingId, 'peer.left', { peerId: seat.peerId });
    this.recount(room);
  }

  /** The lecture's roles changed: whoever is on stage for the first time is announced; the count follows. */
  rolesChanged(room: LiveRoom): void {
    for (const seat of room.seats.values()) {
      if (seat.announced || !onStage(room, seat)) continue;
      seat.announced = true;
      this.hub.toMeetingExcept(
        room.meetingId,
        seat.socketId ?? undefined,
        'peer.joined',
        peerInfo(room, seat, []),
      );
    }
    this.recount(room);
  }

  /** The seats a joining seat is told of (all but itself): every announced seat, with its producers. */
  known(room: LiveRoom, seat: Seat, producers: ProducerInfo[]): PeerInfo[] {
    return [...room.seats.values()]
      .filter((s) => s !== seat && s.announced)
      .map((s) => peerInfo(room, s, producers));
  }

  /** Tells about a seat: everyone if it is announced, else only the presenters and the seat itself. */
  aboutSeat<E extends ServerEvent>(room: LiveRoom, seat: Seat, event: E, ...payload: ServerPayload<E>): void {
    if (seat.announced) return this.hub.toMeeting(room.meetingId, event, ...payload);
    for (const s of room.seats.values())
      if (s.socketId && (s === seat || isPresenter(room, s)))
        this.hub.toSocket(s.socketId, event, ...payload);
  }

  /** The lecture's listeners (not on stage). */
  listenerCount(room: LiveRoom): number {
    let n = 0;
    for (const seat of room.seats.values()) if (roleOf(room, seat) === 'listener') n++;
    return n;
  }

  /** A page of the listeners, for a presenter: raised hands first, then in joining order. */
  page(caller: RtcCaller, q: LectureListenersQuery): LectureListenersPage {
    const { room, seat } = this.registry.seated(caller);
    lectureOf(room);
    if (!isPresenter(room, seat)) throw Forbidden('lecture.presentersOnly');
    const search = q.search?.toLowerCase();
    const matching = [...room.seats.values()].filter(
      (s) => roleOf(room, s) === 'listener' && (!search || s.name.toLowerCase().includes(search)),
    );
    const ordered = [...matching.filter((s) => s.handRaised), ...matching.filter((s) => !s.handRaised)];
    return {
      total: ordered.length,
      listeners: ordered.slice(q.offset, q.offset + q.limit).map((s) => peerInfo(room, s, [])),
    };
  }

  /** The room closed or moved away: no count is sent for it any more. */
  forget(meetingId: string): void {
    clearTimeout(this.counts.get(meetingId)?.timer);
    this.counts.delete(meetingId);
  }

  /**
   * The listener count may have changed: sent now if the last one went out more than an interval ago, else
   * once when the interval is over (whatever it is then: joins in between coalesce into one message).
   */
  private recount(room: LiveRoom): void {
    if (!room.lecture || !this.registry.isLive(room)) return;
    let c = this.counts.get(room.meetingId);
    if (!c) {
      c = { sent: 0, sentAt: 0 };
      this.counts.set(room.meetingId, c);
    }
    if (c.timer) return;
    const wait = c.sentAt + AUDIENCE_COUNT_INTERVAL_MS - Date.now();
    if (wait <= 0) return this.send(room, c);
    const state = c;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      if (this.counts.get(room.meetingId) === state && this.registry.isLive(room)) this.send(room, state);
    }, wait);
  }

  private send(room: LiveRoom, c: CountState): void {
    const listeners = this.listenerCount(room);
    if (listeners === c.sent && c.sentAt > 0) return;
    c.sent = listeners;
    c.sentAt = Date.now();
    this.hub.toMeeting(room.meetingId, 'lecture.audience', { listeners });
  }
}
