import {
  lectureRole,
  leadsLecture as leads,
  presents,
  type LectureRole,
  type LectureSeats,
  type LectureState,
  type PeerInfo,
  type ProducerInfo,
  type RoomState,
  type TransportOptions,
  type WaitingPeer,
} from '@branchmeet/shared';
import type { AuthUser } from '../auth/auth-user';
import { Conflict, NotFound } from '../common/domain-error';
import type { TransportInfo } from '../media/media.types';

/**
 * A live room's signalling state as plain data, and the pure operations on it. No timers, sockets or promises
 * live here (the seating keeps its timers apart), so a room can be copied, compared in a test, or later held
 * outside this process; the only non-JSON parts are Sets and Dates.
 */

/** Who sends a request: the socket and the signed-in user behind it. */
export interface RtcCaller {
  socketId: string;
  user: AuthUser;
}

export interface Seat {
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
  /** When the client dropped (set during the grace period): if it never comes back, that is when it left. */
  awaySince?: Date;
  /**
   * Everyone in the room was told of this seat (`peer.joined` or a join answer's `peers`), so its departure is
   * told to everyone too. Every seat of an ordinary meeting; in a lecture, a seat from its first time on stage.
   */
  announced: boolean;
}

export interface Waiter {
  peerId: string;
  userId: string;
  name: string;
  socketId: string;
}

/** Who presents in a lecture and who holds the floor (the roles themselves: shared/src/lecture-roles.ts). */
export interface LectureRoles extends LectureSeats {
  lecturerUserId: string;
  /** Added by the host; they publish like the lecturer. */
  coPresenterUserIds: Set<string>;
  /** Listeners' peers given the floor: they have a send transport for audio. */
  floorPeerIds: Set<string>;
}

export interface LiveRoom {
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
  /** Lecture mode (meeting type `lecture`). */
  lecture?: LectureRoles;
}

/** Where a socket is: seated in a room, or waiting in its lobby. */
export interface SocketPlace {
  meetingId: string;
  peerId: string;
  waiting: boolean;
}

/** What a room is opened from: the meeting as stored. */
export interface RoomMeeting {
  id: string;
  title: string;
  hostId: string;
  type: string;
  lecturerId: string | null;
  settings: { waitingRoom: boolean; locked: boolean };
}

export function newRoom(meeting: RoomMeeting): LiveRoom {
  return {
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
            coPresenterUserIds: new Set(),
            floorPeerIds: new Set(),
          }
        : undefined,
  };
}

export function newSeat(peerId: string, userId: string, name: string, guest: boolean): Seat {
  return {
    peerId,
    userId,
    name,
    guest,
    handRaised: false,
    socketId: null,
    ready: false,
    consumed: new Set(),
    sendTransportId: '',
    recvTransportId: '',
    announced: false,
  };
}

/** The seat a joining user takes back: the one named by `resumePeerId`, else any seat of theirs. */
export function seatToResume(room: LiveRoom, userId: string, resumePeerId?: string): Seat | undefined {
  const seats = [...room.seats.values()];
  return (
    seats.find((s) => s.peerId === resumePeerId && s.userId === userId) ??
    seats.find((s) => s.userId === userId)
  );
}

/** A newcomer waits in the lobby: a waiting room, a locked room, or a guest — unless host or admitted. */
export function mustWait(room: LiveRoom, userId: string, guest: boolean): boolean {
  const lobby = room.waitingRoom || room.locked || guest;
  return room.hostUserId !== userId && lobby && !room.admitted.has(userId);
}

export function seatOf(room: LiveRoom, peerId: string): Seat {
  const seat = room.seats.get(peerId);
  if (!seat) throw NotFound('rtc.peerNotFound');
  return seat;
}

/** The seat's role in the room's lecture; null outside lectures. */
export function roleOf(room: LiveRoom, seat: Pick<Seat, 'peerId' | 'userId'>): LectureRole | null {
  return room.lecture ? lectureRole(room.lecture, room.hostUserId, seat) : null;
}

/** Presenters of a lecture publish freely: the lecturer, the host, co-presenters. Everyone outside a lecture. */
export function isPresenter(room: LiveRoom, seat: Seat): boolean {
  const role = roleOf(room, seat);
  return role === null || presents(role);
}

/** On a lecture's stage (any role but a plain listener), or in an ordinary meeting: announced to everyone. */
export function onStage(room: LiveRoom, seat: Pick<Seat, 'peerId' | 'userId'>): boolean {
  return roleOf(room, seat) !== 'listener';
}

/** Has (or may have) a send transport: a presenter, or a lecture's listener holding the floor. */
export function maySend(room: LiveRoom, seat: Seat): boolean {
  return roleOf(room, seat) !== 'listener';
}

/** Leads the lecture: its lecturer or the room's host. */
export function leadsLecture(room: LiveRoom, userId: string): boolean {
  return !!room.lecture && leads(room.lecture, room.hostUserId, userId);
}

export function lectureOf(room: LiveRoom): LectureRoles {
  if (!room.lecture) throw Conflict('lecture.notLecture');
  return room.lecture;
}

export function lectureState(room: LiveRoom): LectureState {
  const l = lectureOf(room);
  return {
    lecturerUserId: l.lecturerUserId,
    coPresenterUserIds: [...l.coPresenterUserIds],
    floorPeerIds: [...l.floorPeerIds],
  };
}

export function roomState(room: LiveRoom): RoomState {
  return {
    meetingId: room.meetingId,
    title: room.title,
    hostUserId: room.hostUserId,
    locked: room.locked,
    waitingRoom: room.waitingRoom,
  };
}

export function peerInfo(room: LiveRoom, seat: Seat, producers: ProducerInfo[]): PeerInfo {
  return {
    peerId: seat.peerId,
    userId: seat.userId,
    name: seat.name,
    role: seat.userId === room.hostUserId ? 'host' : seat.guest ? 'guest' : 'member',
    handRaised: seat.handRaised,
    producers: producers.filter((p) => p.peerId === seat.peerId),
  };
}

export function waitingList(room: LiveRoom): WaitingPeer[] {
  return [...room.lobby.values()].map((w) => ({ peerId: w.peerId, userId: w.userId, name: w.name }));
}

/**
 * Someone left at `wentAt`. While others remain, the room remembers the latest departure; when the last one
 * went, it returns when the room became empty: a dropped person went at their last activity, which may be
 * before others left on purpose, so the room was empty from the latest of those.
 */
export function noteDeparture(room: LiveRoom, wentAt: Date): Date | null {
  if (room.seats.size > 0) {
    if (!room.lastLeftAt || wentAt > room.lastLeftAt) room.lastLeftAt = wentAt;
    return null;
  }
  const emptySince = room.lastLeftAt && room.lastLeftAt > wentAt ? room.lastLeftAt : wentAt;
  room.lastLeftAt = undefined;
  return emptySince;
}

/** A transport's parameters as the client receives them. */
export function wireTransport(t: TransportInfo): TransportOptions {
  return {
    id: t.id,
    iceParameters: { ...t.iceParameters },
    iceCandidates: t.iceCandidates.map((c) => ({ ...c })),
    dtlsParameters: {
      ...t.dtlsParameters,
      fingerprints: t.dtlsParameters.fingerprints.map((f) => ({ ...f })),
    },
  };
}
