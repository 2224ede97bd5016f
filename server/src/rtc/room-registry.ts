import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { PeerInfo } from '@branchmeet/shared';
import { RoomCalls } from '../cluster/room-calls';
import { Conflict, Forbidden } from '../common/domain-error';
import { KeyedQueue } from '../common/keyed-queue';
import type { QaSeat } from '../lectures/lecture-qa-live';
import {
  leadsLecture,
  peerInfo,
  type LiveRoom,
  type RtcCaller,
  type Seat,
  type SocketPlace,
} from './room-state';

/**
 * The live rooms of this process: by meeting, and where each socket is (seated or waiting). It answers "who is
 * in the room" and "how many" for any node (RoomCalls `room.users`, `room.count`), resolves a caller to their seat (the checks every request starts with),
 * and runs each meeting's membership changes one at a time.
 */
@Injectable()
export class RoomRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly rooms = new Map<string, LiveRoom>();
  private readonly bySocket = new Map<string, SocketPlace>();
  private readonly queue = new KeyedQueue();
  private off: (() => void)[] = [];
  private changeListener?: (room: LiveRoom) => void;

  constructor(private readonly calls: RoomCalls) {}

  onModuleInit(): void {
    this.off.push(
      this.calls.handle('room.users', (meetingId) => this.participants(meetingId).map((p) => p.userId)),
      this.calls.handle('room.count', (meetingId) => this.rooms.get(meetingId)?.seats.size ?? 0),
    );
  }

  onModuleDestroy(): void {
    for (const off of this.off.splice(0)) off();
  }

  /** Runs membership changes of one meeting one at a time (joins, leaves, expiries, removal, end). */
  serial<T>(meetingId: string, fn: () => Promise<T>): Promise<T> {
    return this.queue.run(meetingId, fn);
  }

  room(meetingId: string): LiveRoom | undefined {
    return this.rooms.get(meetingId);
  }

  /** Makes `room` the meeting's live room (opened or restored by the node that owns the meeting). */
  install(room: LiveRoom): void {
    this.rooms.set(room.meetingId, room);
  }

  /** Someone changed what a room must keep beyond this node (seats, lobby, host, lock, roles): see onChanged. */
  changed(room: LiveRoom): void {
    if (this.isLive(room)) this.changeListener?.(room);
  }

  /** The one listener of `changed` (the room's mirror). */
  onChanged(listener: (room: LiveRoom) => void): void {
    this.changeListener = listener;
  }

  /** Forgets the room (it closed); a newer room of the same meeting stays. */
  forget(room: LiveRoom): void {
    if (this.rooms.get(room.meetingId) === room) this.rooms.delete(room.meetingId);
  }

  /** Whether this very room is still the meeting's live room. */
  isLive(room: LiveRoom): boolean {
    return this.rooms.get(room.meetingId) === room;
  }

  place(socketId: string): SocketPlace | undefined {
    return this.bySocket.get(socketId);
  }

  setPlace(socketId: string, place: SocketPlace): void {
    this.bySocket.set(socketId, place);
  }

  dropPlace(socketId: string): void {
    this.bySocket.delete(socketId);
  }

  /** The participants of a live room (for tests, health and the minutes' votes). */
  participants(meetingId: string): PeerInfo[] {
    const room = this.rooms.get(meetingId);
    return room ? [...room.seats.values()].map((s) => peerInfo(room, s, [])) : [];
  }

  /** The caller's room and seat; refused while waiting in the lobby or when not in a room. */
  seated(caller: RtcCaller): { room: LiveRoom; seat: Seat } {
    const place = this.bySocket.get(caller.socketId);
    if (place?.waiting) throw Forbidden('rtc.waitingForHost');
    const room = place && this.rooms.get(place.meetingId);
    const seat = place && room?.seats.get(place.peerId);
    if (!room || !seat) throw Conflict('rtc.notInRoom');
    return { room, seat };
  }

  /** Seated, and the room's host. */
  hosting(caller: RtcCaller): { room: LiveRoom; seat: Seat } {
    const seated = this.seated(caller);
    if (seated.seat.userId !== seated.room.hostUserId) throw Forbidden('rtc.hostOnly');
    return seated;
  }

  /** The caller's seat as the lecture Q&A sees it. */
  qaSeat(caller: RtcCaller): QaSeat {
    const { room, seat } = this.seated(caller);
    return {
      meetingId: room.meetingId,
      socketId: caller.socketId,
      userId: seat.userId,
      name: seat.name,
      lecture: room.lecture !== undefined,
      leadsLecture: leadsLecture(room, seat.userId),
    };
  }
}
