import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { NotFound } from '../common/domain-error';
import { SocketHub } from '../common/socket-hub';
import { RoomRegistry } from './room-registry';
import { waitingList, type LiveRoom, type RtcCaller, type SocketPlace } from './room-state';

/**
 * The lobby (waiting room): newcomers who must wait are kept here until the host admits or denies them; the
 * host's sockets see the list change (`lobby.waiting`). An admitted person enters directly from then on.
 */
@Injectable()
export class RoomLobby {
  constructor(
    private readonly registry: RoomRegistry,
    private readonly hub: SocketHub,
  ) {}

  /**
   * Puts the caller in the room's lobby under a fresh peer id, or back in the place they had when the room was
   * restored on this node (a waiter without a socket).
   */
  enqueue(room: LiveRoom, caller: RtcCaller, name: string): void {
    const restored = [...room.lobby.values()].find((w) => w.userId === caller.user.id && !w.socketId);
    const peerId = restored?.peerId ?? randomUUID();
    room.lobby.set(peerId, { peerId, userId: caller.user.id, name, socketId: caller.socketId });
    this.registry.setPlace(caller.socketId, { meetingId: room.meetingId, peerId, waiting: true });
    this.notifyHost(room);
    this.registry.changed(room);
  }

  /** A waiter leaves the lobby (left, dropped, or joined from the same socket). */
  drop(place: SocketPlace): void {
    const room = this.registry.room(place.meetingId);
    const waiter = room?.lobby.get(place.peerId);
    if (!room || !waiter) return;
    room.lobby.delete(place.peerId);
    this.registry.dropPlace(waiter.socketId);
    this.notifyHost(room);
    this.registry.changed(room);
  }

  /** The host admits or denies a waiter. */
  decide(caller: RtcCaller, peerId: string, admit: boolean): null {
    const { room } = this.registry.hosting(caller);
    const waiter = room.lobby.get(peerId);
    if (!waiter) throw NotFound('rtc.peerNotFound');
    room.lobby.delete(peerId);
    this.registry.dropPlace(waiter.socketId);
    if (admit) room.admitted.add(waiter.userId);
    // A waiter restored from another node's room has no socket yet: admitted, they enter when they are back.
    if (waiter.socketId)
      this.hub.toSocket(waiter.socketId, admit ? 'lobby.admitted' : 'lobby.denied', {
        meetingId: room.meetingId,
      });
    this.notifyHost(room);
    this.registry.changed(room);
    return null;
  }

  /** Tells one (new) host socket who is waiting, if anyone is. */
  showTo(room: LiveRoom, socketId: string): void {
    if (room.lobby.size > 0) this.hub.toSocket(socketId, 'lobby.waiting', { waiting: waitingList(room) });
  }

  /** The meeting ended: everyone waiting is told and forgotten. */
  endAll(room: LiveRoom, by: string): void {
    for (const waiter of room.lobby.values()) {
      if (waiter.socketId) this.hub.toSocket(waiter.socketId, 'room.ended', { by });
      this.registry.dropPlace(waiter.socketId);
    }
  }

  private notifyHost(room: LiveRoom): void {
    const waiting = waitingList(room);
    for (const seat of room.seats.values())
      if (seat.userId === room.hostUserId && seat.socketId)
        this.hub.toSocket(seat.socketId, 'lobby.waiting', { waiting });
  }
}
