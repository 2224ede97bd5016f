import type { MediaSource } from './rtc';

/**
 * The roles of a lecture (微课堂), decided here once for the server (who may publish what) and the client (which
 * controls it shows): the lecturer; presenters (co-presenters the host added, and the host); listeners holding
 * the floor; and every other seat, a listener, which receives only.
 */
export type LectureRole = 'lecturer' | 'presenter' | 'floor' | 'listener';

/** Ids as the server holds them (a set) or as they travel (an array). */
type Ids = ReadonlySet<string> | readonly string[];
const holds = (ids: Ids, id: string): boolean => ('has' in ids ? ids.has(id) : ids.includes(id));

/** Who presents and who holds the floor: the wire's `LectureState`, or the server's room state. */
export interface LectureSeats {
  lecturerUserId: string;
  coPresenterUserIds: Ids;
  /** Peers of listeners who have the floor. */
  floorPeerIds: Ids;
}

/** A seat's part in a lecture; the room's host presents like a co-presenter. */
export function lectureRole(
  lecture: LectureSeats,
  hostUserId: string | undefined,
  seat: { peerId: string; userId: string },
): LectureRole {
  if (seat.userId === lecture.lecturerUserId) return 'lecturer';
  if (seat.userId === hostUserId || holds(lecture.coPresenterUserIds, seat.userId)) return 'presenter';
  if (holds(lecture.floorPeerIds, seat.peerId)) return 'floor';
  return 'listener';
}

/** What each role may publish: presenters everything, a listener with the floor the microphone, others nothing. */
export const lectureSources: Record<LectureRole, readonly MediaSource[]> = {
  lecturer: ['mic', 'camera', 'screen'],
  presenter: ['mic', 'camera', 'screen'],
  floor: ['mic'],
  listener: [],
};

/** The lecturer and presenters: they have a send transport for as long as they are in the room. */
export function presents(role: LectureRole): boolean {
  return role === 'lecturer' || role === 'presenter';
}

/** Leads the lecture (gives and takes the floor, marks questions answered): its lecturer or the room's host. */
export function leadsLecture(
  lecture: Pick<LectureSeats, 'lecturerUserId'>,
  hostUserId: string | undefined,
  userId: string,
): boolean {
  return userId === lecture.lecturerUserId || userId === hostUserId;
}
