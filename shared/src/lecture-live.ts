import { z } from 'zod';
import { Uuid } from './common';
import { Empty, PeerInfo, PeerRef, TransportOptions } from './rtc-media';
import type { EventContracts, RequestContracts } from './wire';

/**
 * Lecture mode (微课堂) on the `/rtc` namespace: the roles, the counted audience, the floor, and the Q&A. Kept apart
 * so that ./rtc merges its requests and events into the one wire contract of `/rtc`.
 */

/**
 * A lecture's roles: the lecturer (the meeting's lecturer, else its host), co-presenters the host adds, and the
 * listeners holding the floor. Presenters (the lecturer, the host, co-presenters) publish camera, microphone and
 * screen; every other seat receives only (no send transport) until given the floor, and then sends audio only.
 */
export const LectureState = z.object({
  lecturerUserId: Uuid,
  coPresenterUserIds: z.array(Uuid),
  /** Peers of listeners who have the floor. */
  floorPeerIds: z.array(z.string()),
});
export type LectureState = z.infer<typeof LectureState>;

/**
 * A lecture's audience, counted: how many seats are listeners (without the floor). A listener's join or leave is
 * not announced to every seat (`peer.joined` would be N² messages for N listeners): everyone gets this count,
 * at most about once a second per room and always its final value; the presenters page through the listeners
 * themselves with `lecture.listeners`.
 */
export const LectureAudience = z.object({ listeners: z.number().int().min(0) });
export type LectureAudience = z.infer<typeof LectureAudience>;

/** A page of a lecture's listeners (presenters only): raised hands first, then in joining order. */
export const LectureListenersQuery = z.object({
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(200).default(50),
  /** Only listeners whose name contains this. */
  search: z.string().trim().max(50).optional(),
});
export type LectureListenersQuery = z.infer<typeof LectureListenersQuery>;
export const LectureListenersPage = z.object({
  /** How many listeners match (all of them without `search`). */
  total: z.number().int().min(0),
  listeners: z.array(PeerInfo),
});
export type LectureListenersPage = z.infer<typeof LectureListenersPage>;

/** To one seat: it may publish now (a send transport) or no longer (null); `audioOnly` for a listener. */
export const LectureSend = z.object({ sendTransport: TransportOptions.nullable(), audioOnly: z.boolean() });
export type LectureSend = z.infer<typeof LectureSend>;

export const QaAsk = z.object({ text: z.string().trim().min(1).max(500) });
export type QaAsk = z.infer<typeof QaAsk>;
export const QaRef = z.object({ questionId: Uuid });
export type QaRef = z.infer<typeof QaRef>;

/** A question of a lecture's Q&A, stored with the meeting. */
export const QaQuestion = z.object({
  id: Uuid,
  meetingId: Uuid,
  authorId: Uuid,
  authorName: z.string(),
  text: z.string(),
  upvotes: z.number().int(),
  answered: z.boolean(),
  answeredAt: z.string().nullable(),
  at: z.string(),
});
export type QaQuestion = z.infer<typeof QaQuestion>;
/** The Q&A of a lecture, oldest first, with the questions the caller upvoted. */
export const QaList = z.object({ questions: z.array(QaQuestion), upvoted: z.array(Uuid) });
export type QaList = z.infer<typeof QaList>;

/** The answer of a request that returns nothing. */
const Done = z.null();

/** client → server (merged into `rtcRequests`). */
export const lectureRequests = {
  // lecture mode: the lecturer or host gives and takes the floor; the host adds and removes co-presenters
  'lecture.giveFloor': { request: PeerRef, response: Done },
  'lecture.takeFloor': { request: PeerRef, response: Done },
  'lecture.addPresenter': { request: PeerRef, response: Done },
  'lecture.removePresenter': { request: PeerRef, response: Done },
  // the presenters page through the listeners (they are counted, not announced)
  'lecture.listeners': { request: LectureListenersQuery, response: LectureListenersPage },
  'qa.ask': { request: QaAsk, response: QaQuestion },
  'qa.upvote': { request: QaRef, response: QaQuestion },
  'qa.answer': { request: QaRef, response: QaQuestion },
  'qa.list': { request: Empty, response: QaList },
} as const satisfies RequestContracts;

/** server → client (merged into `rtcServerEvents`). */
export const lectureServerEvents = {
  /** A lecture's roles changed (co-presenters, the floor). */
  'lecture.changed': LectureState,
  /** A lecture's listener count changed (coalesced: about once a second at most, then its final value). */
  'lecture.audience': LectureAudience,
  /** To one seat: it was given (a send transport) or lost (null) the right to publish. */
  'lecture.send': LectureSend,
  /** A question was asked, upvoted or answered. */
  'qa.changed': QaQuestion,
} as const satisfies EventContracts;
