import { z } from 'zod';
import { Uuid } from './common';
import { DateTime, MeetingType } from './meetings';
import { messageKey as m } from './messages';
import { OrgUnitType } from './orgs';

/**
 * A member's attendance status, derived from real presence by the branch's rules:
 * absent = never joined; excused = approved leave and not there long enough; left_early = joined but below
 * P% of the meeting's duration; late = at least P%, first join more than N minutes after the start;
 * present = at least P%, on time; make_up = missed it (absent, excused or left early) and completed the
 * make-up study (补学) afterwards.
 */
export const AttendanceStatus = z.enum(['present', 'late', 'left_early', 'absent', 'excused', 'make_up']);
export type AttendanceStatus = z.infer<typeof AttendanceStatus>;

/**
 * The statuses that count toward the attendance rate (出席率): present, late and made up (补学). Left early and
 * absent do not; excused (请假) does not either and is shown apart. One definition for the UI, every export and
 * the ledger.
 */
export const RATE_STATUSES: readonly AttendanceStatus[] = ['present', 'late', 'make_up'];

/** attended / expected in percent, one decimal (0 when nobody was expected). */
export const attendanceRate = (attended: number, expected: number): number =>
  expected ? Math.round((attended / expected) * 1000) / 10 : 0;

/** How exports and printed sheets name each status. */
export const attendanceStatusLabelsZh: Record<AttendanceStatus, string> = {
  present: '出席',
  late: '迟到',
  left_early: '早退',
  absent: '缺席',
  excused: '请假',
  make_up: '补学',
};

/** A branch's rules: late after N minutes (fractions allowed), present only from P% of the meeting's duration. */
export const AttendanceRules = z.object({
  lateAfterMinutes: z.number().min(0).max(1440),
  presentMinPercent: z.number().min(0).max(100),
});
export type AttendanceRules = z.infer<typeof AttendanceRules>;

/** A meeting shorter than this (minutes) does not count toward 三会一课 unless the branch sets its own. */
export const DEFAULT_MEETING_MIN_MINUTES = 30;

/** `GET /org-units/:unitId/attendance-rules`: the branch's rules (the defaults until its managers set them). */
export const BranchAttendanceRules = z.object({
  unitId: Uuid,
  rules: AttendanceRules,
  /**
   * 三会一课 compliance: a meeting counts toward its type's requirement only if it lasted at least this many
   * minutes (and was not cancelled). 0 turns the check off.
   */
  meetingMinMinutes: z.number().min(0).max(1440),
  /** True while the branch uses the server's defaults. */
  isDefault: z.boolean(),
  updatedAt: z.string().nullable(),
});
export type BranchAttendanceRules = z.infer<typeof BranchAttendanceRules>;

/**
 * `PUT /org-units/:unitId/attendance-rules`: new rules for the meetings that end from now on. With
 * `recomputeFrom`, the final records of the branch's ended meetings that started at or after it are recomputed
 * with the new rules too (each recomputation audited with the records before and after).
 */
export const UpdateAttendanceRulesRequest = AttendanceRules.extend({
  recomputeFrom: DateTime.optional(),
  /** Unchanged when left out. */
  meetingMinMinutes: z.number().min(0).max(1440).optional(),
});
export type UpdateAttendanceRulesRequest = z.infer<typeof UpdateAttendanceRulesRequest>;

export const UpdateAttendanceRulesResult = BranchAttendanceRules.extend({
  /** How many ended meetings' records were recomputed (and how many of them changed). */
  recomputed: z.number().int().min(0),
  changed: z.number().int().min(0),
});
export type UpdateAttendanceRulesResult = z.infer<typeof UpdateAttendanceRulesResult>;

/**
 * A manager's correction of one person's status in an ended meeting (已更正), stored beside the computed record
 * with its mandatory reason; it wins wherever a status counts (UI, exports, statistics, ledger).
 */
export const AttendanceCorrection = z.object({
  status: AttendanceStatus,
  reason: z.string(),
  correctedBy: Uuid.nullable(),
  correctedByName: z.string().nullable(),
  correctedAt: z.string(),
});
export type AttendanceCorrection = z.infer<typeof AttendanceCorrection>;

/** `PUT /meetings/:meetingId/attendance/:userId/correction` (the branch's managers): a status and why. */
export const CorrectAttendanceRequest = z.object({
  status: AttendanceStatus,
  reason: z.string().trim().min(2).max(500),
});
export type CorrectAttendanceRequest = z.infer<typeof CorrectAttendanceRequest>;

/** One expected member (应到) of a meeting. Several devices' overlapping time is counted once. */
export const AttendanceRecord = z.object({
  userId: Uuid,
  name: z.string(),
  firstJoin: z.string().nullable(),
  lastLeave: z.string().nullable(),
  /** Separate stays in the meeting (a reconnect within the grace period is not a new one). */
  joinCount: z.number().int().min(0),
  totalSeconds: z.number().int().min(0),
  status: AttendanceStatus,
  /** When the member completed the make-up study (补学) of the meeting, if they did. */
  makeUpAt: z.string().nullable(),
  /**
   * Media health, information only (never absence): seconds of their presence with no media flowing on their
   * seat (camera and mic off with nobody else publishing, a listener before anyone shares).
   */
  noMediaSeconds: z.number().int().min(0).optional(),
  /** The status computed from presence when a correction overrides it (`status` is then the corrected one). */
  computedStatus: AttendanceStatus.optional(),
  /** A manager's correction (已更正), with its reason; `status` is the corrected status. */
  correction: AttendanceCorrection.nullable().optional(),
});
export type AttendanceRecord = z.infer<typeof AttendanceRecord>;

/** A guest (outside, invited by link) who was in the meeting: not expected, not counted. */
export const GuestPresence = z.object({
  guestId: Uuid,
  name: z.string(),
  firstJoin: z.string().nullable(),
  lastLeave: z.string().nullable(),
  joinCount: z.number().int().min(0),
  totalSeconds: z.number().int().min(0),
});
export type GuestPresence = z.infer<typeof GuestPresence>;

export const MeetingAttendance = z.object({
  meetingId: Uuid,
  status: z.enum(['scheduled', 'live', 'ended', 'cancelled']),
  startedAt: z.string(),
  /** null while live: the records are counted up to now. */
  endedAt: z.string().nullable(),
  durationSeconds: z.number().int().min(0),
  /** The rules the records were computed by (for a final record set: the ones it was last computed with). */
  rules: AttendanceRules,
  /**
   * True once the meeting has ended: the records are stored and change only when a rule change or a leave
   * decision (or a make-up study) recomputes them, each audited. False while live: counted up to now.
   */
  final: z.boolean(),
  /** Expected members (应到), in roster order. */
  records: z.array(AttendanceRecord),
  /** Observers (列席): their presence the same way, never counted in 应到/实到. */
  observers: z.array(AttendanceRecord),
  /** Guests invited by link who came. */
  guests: z.array(GuestPresence),
});
export type MeetingAttendance = z.infer<typeof MeetingAttendance>;

/** The longest period statistics and the ledger cover at once. */
export const STATISTICS_MAX_DAYS = 3 * 366;

/** `GET /org-units/:unitId/statistics?from&to` and `…/ledger.xlsx?from&to`: meetings that started in [from, to). */
export const StatisticsQuery = z
  .object({ from: DateTime, to: DateTime })
  .refine((v) => Date.parse(v.to) > Date.parse(v.from), {
    path: ['to'],
    message: m('validation.endAfterStart'),
  })
  .refine((v) => Date.parse(v.to) - Date.parse(v.from) <= STATISTICS_MAX_DAYS * 86_400_000, {
    path: ['to'],
    message: m('validation.periodTooLong'),
  });
export type StatisticsQuery = z.infer<typeof StatisticsQuery>;

/**
 * 应到 / 实到 / 早退 / 请假 / 缺席 / 补学 and the rate. 实到 = everyone who came (present + late + left early);
 * `leftEarly` of them left early. A member who made the meeting up is counted as 补学, not as 实到 or 缺席.
 * rate = (present + late + 补学) / 应到 (see RATE_STATUSES): expected = present + excused + absent + makeUp, and
 * the rate's numerator = `attended` = present − leftEarly + makeUp.
 */
export const AttendanceTotals = z.object({
  expected: z.number().int().min(0),
  present: z.number().int().min(0),
  leftEarly: z.number().int().min(0),
  /** Counted toward the rate: present + late + make-up study. */
  attended: z.number().int().min(0),
  excused: z.number().int().min(0),
  absent: z.number().int().min(0),
  makeUp: z.number().int().min(0),
  rate: z.number().min(0).max(100),
});
export type AttendanceTotals = z.infer<typeof AttendanceTotals>;

/** One ended meeting of the period and its counts. */
export const MeetingStatistics = AttendanceTotals.extend({
  meetingId: Uuid,
  type: MeetingType,
  title: z.string(),
  /** The party group of a group meeting (党小组会). */
  groupId: Uuid.nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
});
export type MeetingStatistics = z.infer<typeof MeetingStatistics>;

/** One person over the period: of the meetings that expected them, how each went. rate = attended / expected. */
export const MemberStatistics = z.object({
  userId: Uuid,
  name: z.string(),
  expected: z.number().int().min(0),
  present: z.number().int().min(0),
  late: z.number().int().min(0),
  leftEarly: z.number().int().min(0),
  absent: z.number().int().min(0),
  excused: z.number().int().min(0),
  makeUp: z.number().int().min(0),
  /** (present + late + make-up) / expected, percent, one decimal (left early, absent and excused do not count). */
  rate: z.number().min(0).max(100),
});
export type MemberStatistics = z.infer<typeof MemberStatistics>;

/**
 * 三会一课 held against required, per calendar month or quarter (China time) that overlaps the period: 党员大会
 * and 党课 quarterly; 支委会, 主题党日 and each party group's 党小组会 monthly. `held` counts the meetings of the
 * type in the whole month/quarter (also outside [from, to)) that ended and lasted at least the branch's
 * minimum (`minMinutes`); `meetings` lists them all with the reason each counted or not; `complete` is false
 * while the month/quarter is not over (a missing meeting may still come).
 */
/** Why a meeting of the type did or did not count toward a requirement. */
export const RequiredMeetingReason = z.enum(['counted', 'too_short', 'cancelled', 'not_ended']);
export type RequiredMeetingReason = z.infer<typeof RequiredMeetingReason>;

/** One meeting of the type in the month/quarter, and whether it counted. */
export const RequiredMeetingEntry = z.object({
  meetingId: Uuid,
  title: z.string(),
  startedAt: z.string(),
  /** Actual duration in minutes (one decimal); null if it never ended. */
  minutes: z.number().nullable(),
  reason: RequiredMeetingReason,
});
export type RequiredMeetingEntry = z.infer<typeof RequiredMeetingEntry>;

export const RequiredMeetingCheck = z.object({
  /** `2026-03` (month) or `2026-Q1` (quarter). */
  period: z.string(),
  periodStart: z.string(),
  periodEnd: z.string(),
  type: MeetingType,
  groupId: Uuid.nullable(),
  groupName: z.string().nullable(),
  held: z.number().int().min(0),
  met: z.boolean(),
  complete: z.boolean(),
  /** The branch's minimum duration for a meeting to count (0: no minimum). */
  minMinutes: z.number().min(0),
  /** Every meeting of the type in the month/quarter (ended, cancelled or still open), and why it counted or not. */
  meetings: z.array(RequiredMeetingEntry),
});
export type RequiredMeetingCheck = z.infer<typeof RequiredMeetingCheck>;

/** One calendar month (China time) of a period: the ended meetings that started in it and their totals. */
export const MonthStatistics = AttendanceTotals.extend({
  /** `2026-03`. */
  month: z.string(),
  meetingsHeld: z.number().int().min(0),
});
export type MonthStatistics = z.infer<typeof MonthStatistics>;

export const StatisticsSummary = AttendanceTotals.extend({
  meetingsHeld: z.number().int().min(0),
  requiredTotal: z.number().int().min(0),
  requiredMet: z.number().int().min(0),
});
export type StatisticsSummary = z.infer<typeof StatisticsSummary>;

/** A branch below an upper unit, in that unit's statistics. */
export const BranchStatistics = z.object({
  unitId: Uuid,
  name: z.string(),
  summary: StatisticsSummary,
  required: z.array(RequiredMeetingCheck),
});
export type BranchStatistics = z.infer<typeof BranchStatistics>;

/** One correction in a unit's period, for the unit's managers and the levels above (更正记录). */
export const CorrectionListItem = z.object({
  meetingId: Uuid,
  meetingTitle: z.string(),
  unitId: Uuid,
  unitName: z.string(),
  startedAt: z.string(),
  userId: Uuid,
  name: z.string(),
  computedStatus: AttendanceStatus,
  status: AttendanceStatus,
  reason: z.string(),
  correctedByName: z.string().nullable(),
  correctedAt: z.string(),
});
export type CorrectionListItem = z.infer<typeof CorrectionListItem>;

export const UnitStatistics = z.object({
  unitId: Uuid,
  name: z.string(),
  unitType: OrgUnitType,
  from: z.string(),
  to: z.string(),
  summary: StatisticsSummary,
  meetings: z.array(MeetingStatistics),
  members: z.array(MemberStatistics),
  /**
   * Every calendar month overlapping the period, in order (the attendance rate by month): the unit's own
   * meetings, and for an upper unit (with `branches`) those of every branch below it too.
   */
  months: z.array(MonthStatistics),
  required: z.array(RequiredMeetingCheck),
  /**
   * For an upper unit (committee, general branch): every branch below it (at any depth), in tree order, for
   * its managers and the levels above (empty for a plain member of the upper unit, and for a branch).
   */
  branches: z.array(BranchStatistics),
  /**
   * What else the statistics page shows, in the same response: the corrections of the period (for those who
   * may export: its managers and the levels above) and a branch's attendance rules.
   */
  corrections: z.array(CorrectionListItem).optional(),
  rules: BranchAttendanceRules.optional(),
});
export type UnitStatistics = z.infer<typeof UnitStatistics>;
