import { newSeat, onStage, type LiveRoom, type RoomMeeting, type Waiter } from './room-state';

/**
 * What a room's mirror holds: the part of a live room that must survive its owner node (host, lock, lobby,
 * admitted and removed people, lecture roles, seats with their peer ids). Sockets, transports, media and timers
 * are this node's own and are not in it: a node that takes the meeting over restores the room from this, and
 * each person who comes back takes their seat (same peer id) with new media.
 */
export interface RoomSnapshot {
  v: 1;
  meetingId: string;
  title: string;
  hostUserId: string;
  waitingRoom: boolean;
  locked: boolean;
  seats: { peerId: string; userId: string; name: string; guest: boolean; handRaised: boolean }[];
  lobby: { peerId: string; userId: string; name: string }[];
  admitted: string[];
  removed: string[];
  lecture?: { lecturerUserId: string; coPresenters: string[]; floor: string[] };
}

export function snapshotRoom(room: LiveRoom): RoomSnapshot {
  return {
    v: 1,
    meetingId: room.meetingId,
    title: room.title,
    hostUserId: room.hostUserId,
    waitingRoom: room.waitingRoom,
    locked: room.locked,
    seats: [...room.seats.values()].map((s) => ({
      peerId: s.peerId,
      userId: s.userId,
      name: s.name,
      guest: s.guest ?? false,
      handRaised: s.handRaised,
    })),
    lobby: [...room.lobby.values()].map((w) => ({ peerId: w.peerId, userId: w.userId, name: w.name })),
    admitted: [...room.admitted],
    removed: [...room.removed],
    lecture: room.lecture && {
      lecturerUserId: room.lecture.lecturerUserId,
      coPresenters: [...room.lecture.coPresenterUserIds],
      floor: [...room.lecture.floorPeerIds],
    },
  };
}

/** A snapshot this code can restore (one written by this version, for this meeting). */
export function isRoomSnapshot(value: unknown, meetingId: string): value is RoomSnapshot {
  const s = value as Partial<RoomSnapshot> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.v === 1 &&
    s.meetingId === meetingId &&
    Array.isArray(s.seats) &&
    Array.isArray(s.lobby)
  );
}

/**
 * The room as it was on the node that served it before: every seat away since `at` (nobody is connected here
 * yet), the waiters without a socket (they take their place back when they join again). The title comes from
 * the meeting as stored now.
 */
export function restoreRoom(meeting: RoomMeeting, s: RoomSnapshot, at: Date): LiveRoom {
  const seats = s.seats.map((x) => {
    const seat = newSeat(x.peerId, x.userId, x.name, x.guest);
    seat.handRaised = x.handRaised;
    seat.awaySince = at;
    return seat;
  });
  const lobby: Waiter[] = s.lobby.map((w) => ({ ...w, socketId: '' }));
  const room: LiveRoom = {
    meetingId: meeting.id,
    title: meeting.title,
    hostUserId: s.hostUserId,
    waitingRoom: s.waitingRoom,
    locked: s.locked,
    seats: new Map(seats.map((seat) => [seat.peerId, seat])),
    lobby: new Map(lobby.map((w) => [w.peerId, w])),
    admitted: new Set(s.admitted),
    removed: new Set(s.removed),
    lastLevelsAt: 0,
    lecture: s.lecture && {
      lecturerUserId: s.lecture.lecturerUserId,
      coPresenterUserIds: new Set(s.lecture.coPresenters),
      floorPeerIds: new Set(s.lecture.floor),
    },
  };
  // Everyone joins the restored room again and is told of the stage then.
  for (const seat of seats) seat.announced = onStage(room, seat);
  return room;
}
