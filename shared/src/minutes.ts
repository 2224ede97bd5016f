import { z } from 'zod';
import { Uuid } from './common';
import { DateTime, MeetingType } from './meetings';
import { messageKey as m } from './messages';
import { LiveMeeting } from './rtc';
import { MinutesStatus, MinutesVote } from './minutes-live';

/**
 * Minutes (会议记录) of a meeting: the fields the platform knows (from the meeting and its attendance, kept in
 * step until the minutes are submitted, then frozen), the content and resolutions written live in a shared
 * Yjs document (one section per agenda item), votes, attachments, the host's and recorder's sign-off, and the
 * review: draft → submitted → approved (locked) or returned with a reason → submitted again. A correction of
 * approved minutes is a new revision with a reason, reviewed again.
 */

export const minutesStatusLabelsZh: Record<MinutesStatus, string> = {
  draft: '草稿',
  submitted: '待审核',
  approved: '已审核',
  returned: '已退回',
};

/** The inbox's line for minutes a correction sent back for review, in the record's language. */
export const correctionSnippetZh = (reason: string) => `更正：${reason}`;

/** Content may be written while the minutes are a draft or were returned. */
export const minutesEditable = (status: MinutesStatus) => status === 'draft' || status === 'returned';

export const MinutesPerson = z.object({ userId: Uuid, name: z.string() });
export type MinutesPerson = z.infer<typeof MinutesPerson>;
/** Someone excused (请假: the reason of their approved leave request) or absent (缺席: the reason typed). */
export const MinutesAbsentee = MinutesPerson.extend({ reason: z.string() });
export type MinutesAbsentee = z.infer<typeof MinutesAbsentee>;

/** The period a meeting counts in, by its type's usual frequency (monthly, quarterly, yearly), China time. */
export const MinutesPeriod = z.object({
  kind: z.enum(['month', 'quarter', 'year']),
  year: z.number().int(),
  quarter: z.number().int().min(1).max(4),
  month: z.number().int().min(1).max(12),
  /** `2026年第2季度`, `2026年5月`, `2026年`. */
  label: z.string(),
});
export type MinutesPeriod = z.infer<typeof MinutesPeriod>;

/** Everything the platform fills in; nobody types these. */
export const MinutesFields = z.object({
  meetingType: MeetingType,
  title: z.string(),
  unitName: z.string(),
  period: MinutesPeriod,
  /** The meeting is the n-th of its type (of its party group, for a group meeting) in the period. */
  ordinal: z.number().int().min(1),
  scheduledStart: z.string().nullable(),
  scheduledEnd: z.string().nullable(),
  actualStart: z.string().nullable(),
  actualEnd: z.string().nullable(),
  /** Whole minutes from the actual start to the actual end (to now while live); null before the start. */
  durationMinutes: z.number().int().min(0).nullable(),
  place: z.string(),
  host: MinutesPerson.nullable(),
  recorder: MinutesPerson.nullable(),
  /** 应到 / 实到 / 请假 / 缺席 as the attendance counts them (实到 = present, late or left early). */
  expected: z.number().int().min(0),
  present: z.number().int().min(0),
  excused: z.number().int().min(0),
  absent: z.number().int().min(0),
  presentNames: z.array(MinutesPerson),
  excusedNames: z.array(MinutesAbsentee),
  absentNames: z.array(MinutesAbsentee),
  /** 列席: invited to attend, not counted. */
  observers: z.array(MinutesPerson),
  agenda: z.array(z.string()),
});
export type MinutesFields = z.infer<typeof MinutesFields>;

/** One part of the content: an agenda item (议题) and what was discussed under it. */
export const MinutesSection = z.object({ key: z.string(), title: z.string(), text: z.string() });
export type MinutesSection = z.infer<typeof MinutesSection>;

export const MinutesAttachment = z.object({
  id: Uuid,
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int().min(0),
  uploadedBy: z.string(),
  uploadedAt: z.string(),
});
export type MinutesAttachment = z.infer<typeof MinutesAttachment>;
/** The largest attachment accepted. */
export const MINUTES_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;

export const MinutesSignature = z.object({ userId: Uuid, name: z.string(), at: z.string() });
export type MinutesSignature = z.infer<typeof MinutesSignature>;

/** The whole record as it is exported and kept in each revision. */
export const MinutesDocument = z.object({
  fields: MinutesFields,
  sections: z.array(MinutesSection),
  resolutions: z.string(),
  votes: z.array(MinutesVote),
  attachments: z.array(z.string()),
  signatures: z.object({ host: MinutesSignature.nullable(), recorder: MinutesSignature.nullable() }),
});
export type MinutesDocument = z.infer<typeof MinutesDocument>;

export const MinutesReview = z.object({
  submittedBy: z.string().nullable(),
  submittedAt: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  /** Why the upper level returned it (while returned), or why it was corrected (while a correction waits). */
  reason: z.string().nullable(),
});
export type MinutesReview = z.infer<typeof MinutesReview>;

/** What the caller may do now (the server decides; the client only shows the buttons). */
export const MinutesPermissions = z.object({
  write: z.boolean(),
  editFields: z.boolean(),
  sign: z.boolean(),
  submit: z.boolean(),
  review: z.boolean(),
  correct: z.boolean(),
  export: z.boolean(),
});
export type MinutesPermissions = z.infer<typeof MinutesPermissions>;

export const Minutes = MinutesDocument.extend({
  meetingId: Uuid,
  unitId: Uuid,
  meetingStatus: LiveMeeting.shape.status,
  status: MinutesStatus,
  /** The auto fields no longer follow the meeting (submitted or approved). */
  frozen: z.boolean(),
  /** Typed reasons of absent members, by user id. */
  absenceReasons: z.record(z.string(), z.string()),
  attachmentFiles: z.array(MinutesAttachment),
  /** The number of the newest revision (0: never submitted). */
  revision: z.number().int().min(0),
  review: MinutesReview,
  can: MinutesPermissions,
});
export type Minutes = z.infer<typeof Minutes>;

// ── REST bodies ─────────────────────────────────────────────────────────────────────────────────────────────
const Reason = z.string().trim().min(1, m('minutes.reasonRequired')).max(500, m('minutes.reasonTooLong'));

/** The fields the platform cannot know: why each absent member was absent. An empty reason removes it. */
export const UpdateMinutesRequest = z.object({
  absenceReasons: z.record(Uuid, z.string().trim().max(200)),
});
export type UpdateMinutesRequest = z.infer<typeof UpdateMinutesRequest>;

export const ReturnMinutesRequest = z.object({ reason: Reason });
export type ReturnMinutesRequest = z.infer<typeof ReturnMinutesRequest>;

export const ApproveMinutesRequest = z.object({ comment: z.string().trim().max(500).optional() });
export type ApproveMinutesRequest = z.infer<typeof ApproveMinutesRequest>;

/** A correction of approved minutes: the corrected texts and why; a new revision, reviewed again. */
export const CorrectMinutesRequest = z.object({
  reason: Reason,
  sections: z
    .array(z.object({ key: z.string().min(1).max(100), text: z.string().max(100_000) }))
    .max(60)
    .optional(),
  resolutions: z.string().max(100_000).optional(),
});
export type CorrectMinutesRequest = z.infer<typeof CorrectMinutesRequest>;

export const MinutesRevisionSummary = z.object({
  number: z.number().int().min(1),
  kind: z.enum(['submission', 'correction']),
  reason: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type MinutesRevisionSummary = z.infer<typeof MinutesRevisionSummary>;

/** A run of the revision's text against the one before it: added, removed or unchanged. */
export const DiffPart = z.object({ value: z.string(), added: z.boolean(), removed: z.boolean() });
export type DiffPart = z.infer<typeof DiffPart>;

export const MinutesRevisionDetail = MinutesRevisionSummary.extend({
  document: MinutesDocument,
  text: z.string(),
  /** Line diff against revision number - 1 (all added for the first). */
  diff: z.array(DiffPart),
});
export type MinutesRevisionDetail = z.infer<typeof MinutesRevisionDetail>;

/** `GET /org-units/:unitId/minutes`: the branch's archive, searched by words of title, agenda, content, resolutions. */
export const MinutesSearchQuery = z.object({
  q: z.string().trim().max(100).optional(),
  status: MinutesStatus.optional(),
  from: DateTime.optional(),
  to: DateTime.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});
export type MinutesSearchQuery = z.infer<typeof MinutesSearchQuery>;

export const MinutesListItem = z.object({
  meetingId: Uuid,
  unitId: Uuid,
  unitName: z.string(),
  meetingType: MeetingType,
  title: z.string(),
  startedAt: z.string(),
  status: MinutesStatus,
  revision: z.number().int().min(0),
  submittedAt: z.string().nullable(),
  /** A few words around the first match of the query (the start of the content without one). */
  snippet: z.string(),
});
export type MinutesListItem = z.infer<typeof MinutesListItem>;

export const MinutesSearchResult = z.object({
  total: z.number().int().min(0),
  items: z.array(MinutesListItem),
});
export type MinutesSearchResult = z.infer<typeof MinutesSearchResult>;

/** `…/minutes/export.docx?from&to`: the minutes of the meetings that started in [from, to), in one file. */
export const MinutesPeriodQuery = z
  .object({ from: DateTime, to: DateTime })
  .refine((v) => Date.parse(v.to) > Date.parse(v.from), {
    path: ['to'],
    message: m('validation.endAfterStart'),
  });
export type MinutesPeriodQuery = z.infer<typeof MinutesPeriodQuery>;
