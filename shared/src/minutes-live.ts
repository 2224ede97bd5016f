import { z } from 'zod';
import { Uuid } from './common';
import { messageKey as m } from './messages';
import type { EventContracts, RequestContracts } from './wire';

/**
 * The live side of the minutes on the `/rtc` namespace: the Yjs sync (binary as base64), and the votes. Kept
 * apart from ./minutes so that ./rtc can merge it into the one wire contract of `/rtc`.
 */
export const MinutesStatus = z.enum(['draft', 'submitted', 'approved', 'returned']);
export type MinutesStatus = z.infer<typeof MinutesStatus>;

export const VoteChoice = z.enum(['yes', 'no', 'abstain']);
export type VoteChoice = z.infer<typeof VoteChoice>;
export const voteChoiceLabelsZh: Record<VoteChoice, string> = { yes: '同意', no: '不同意', abstain: '弃权' };
/** One's own ballot as the server knows it: the choice, or only `cast` in a secret vote (无记名). */
export const MyBallot = z.enum(['yes', 'no', 'abstain', 'cast']);
export type MyBallot = z.infer<typeof MyBallot>;

/**
 * A vote the host opened on an agenda item. Only members with voting rights (expected attendees who are not
 * probationary members) in the room vote, once each. The counts are shown when the vote is closed; while open,
 * only how many have voted. 应到 = voting members expected; 实到 = those of them in the room (or who voted).
 */
export const MinutesVote = z.object({
  id: Uuid,
  agendaIndex: z.number().int().min(0).nullable(),
  subject: z.string(),
  status: z.enum(['open', 'closed']),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  expectedVoters: z.number().int().min(0),
  presentVoters: z.number().int().min(0).nullable(),
  cast: z.number().int().min(0),
  yes: z.number().int().min(0).nullable(),
  no: z.number().int().min(0).nullable(),
  abstain: z.number().int().min(0).nullable(),
  /** 同意 more than half of the voting members expected (null while open). */
  passed: z.boolean().nullable(),
  /** 无记名: the database and the audit trail keep that a person voted, never what (only the totals). */
  secret: z.boolean(),
});
export type MinutesVote = z.infer<typeof MinutesVote>;

// ── live writing and votes on /rtc ──────────────────────────────────────────────────────────────────────────
/** The largest Yjs update accepted from a client, as base64 (about 1 MiB of binary). */
export const MINUTES_UPDATE_MAX_BASE64 = 1_400_000;
/** A Yjs update or state vector, base64-encoded (standard alphabet, padded). */
export const YjsBinary = z
  .string()
  .max(MINUTES_UPDATE_MAX_BASE64, m('minutes.updateTooLarge'))
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, m('minutes.badUpdate'));

/**
 * Opens the minutes of a meeting for live reading (and writing, for its recorder and host): the sync step.
 * The client sends its state vector; the answer has what it lacks (`update`) and the server's state vector,
 * against which the client then sends what the server lacks (`minutes.update`).
 */
export const MinutesOpen = z.object({ meetingId: Uuid, stateVector: YjsBinary.optional() });
export type MinutesOpen = z.infer<typeof MinutesOpen>;
export const MinutesOpened = z.object({
  meetingId: Uuid,
  status: MinutesStatus,
  /** The caller is the meeting's recorder or host: may write while the minutes are editable. */
  writer: z.boolean(),
  update: z.string(),
  stateVector: z.string(),
  votes: z.array(MinutesVote),
  /** The caller's own ballots, by vote id. */
  myVotes: z.record(z.string(), MyBallot),
  /** The caller has voting rights in this meeting (expected, not a probationary member). */
  voter: z.boolean(),
  host: z.boolean(),
});
export type MinutesOpened = z.infer<typeof MinutesOpened>;

export const MinutesUpdate = z.object({ meetingId: Uuid, update: YjsBinary });
export type MinutesUpdate = z.infer<typeof MinutesUpdate>;
export const MinutesClose = z.object({ meetingId: Uuid });
export type MinutesClose = z.infer<typeof MinutesClose>;

export const VoteOpen = z.object({
  meetingId: Uuid,
  agendaIndex: z.number().int().min(0).max(49).nullable(),
  subject: z.string().trim().min(1).max(200),
  /** A secret vote (无记名表决). */
  secret: z.boolean().default(false),
});
export type VoteOpen = z.infer<typeof VoteOpen>;
export const VoteCast = z.object({ meetingId: Uuid, voteId: Uuid, choice: VoteChoice });
export type VoteCast = z.infer<typeof VoteCast>;
export const VoteClose = z.object({ meetingId: Uuid, voteId: Uuid });
export type VoteClose = z.infer<typeof VoteClose>;

/** client → server requests of the minutes (merged into `rtcRequests`). */
export const minutesRequests = {
  'minutes.open': { request: MinutesOpen, response: MinutesOpened },
  'minutes.update': { request: MinutesUpdate, response: z.null() },
  'minutes.close': { request: MinutesClose, response: z.null() },
  'vote.open': { request: VoteOpen, response: MinutesVote },
  'vote.cast': { request: VoteCast, response: MinutesVote },
  'vote.close': { request: VoteClose, response: MinutesVote },
} as const satisfies RequestContracts;

/** server → client events of the minutes (merged into `rtcServerEvents`). */
export const minutesServerEvents = {
  /** An update someone else wrote (or the server: a closed vote's result, a correction, a new agenda item). */
  'minutes.updated': z.object({ meetingId: Uuid, update: z.string() }),
  /** The review status changed (submitted: writing stops; returned: it can go on). */
  'minutes.changed': z.object({ meetingId: Uuid, status: MinutesStatus }),
  'vote.updated': MinutesVote.extend({ meetingId: Uuid }),
} as const satisfies EventContracts;

/** The names of the Yjs document's shared types. */
export const MINUTES_YDOC = {
  /** Y.Array of Y.Map { key: string, title: string, text: Y.Text }: one section per agenda item. */
  sections: 'sections',
  /** Y.Text: resolutions (决议), the results of closed votes included. */
  resolutions: 'resolutions',
} as const;
