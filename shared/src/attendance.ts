import { z } from 'zod';
import { Uuid } from './common';
import { DateTime, MeetingType } from './meetings';
import { messageKey as m } from './messages';
import { OrgUnitType } from './orgs';

/**
 * A member's attendance status, derived from real presence by the branch's rules:
 * absent = never joined; excused = approved leave and not there long enough; left_early = joined but below
 * P% of the meeting's duration; late = at least P%, first join more than N minutes after the start;
 * present = at least P%, on time.
 */
export const AttendanceStatus = z.enum(['present', 'late', 'left_early', 'absent', 'excused']);
export type AttendanceStatus = z.infer<typeof AttendanceStatus>;

/** How exports and printed sheets name each status. */
export const attendanceStatusLabelsZh: Record<AttendanceStatus, string> = {
  present: '出席',
  late: '迟到',
  left_early: '早退',
  absent: '缺席',
  excused: '请假',
};

export const AttendanceRules = z.object({
  lateAfterMinutes: z.number().min(0),
  presentMinPercent: z.number().min(0).max(100),
});
export type AttendanceRules = z.infer<typeof AttendanceRules>;

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
});
export type AttendanceRecord = z.infer<typeof AttendanceRecord>;

export const MeetingAttendance = z.object({
  meetingId: Uuid,
  status: z.enum(['scheduled', 'live', 'ended', 'cancelled']),
  startedAt: z.string(),
  /** null while live: the records are counted up to now. */
  endedAt: z.string().nullable(),
  durationSeconds: z.number().int().min(0),
  rules: AttendanceRules,
  records: z.array(AttendanceRecord),
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

/** 应到 / 实到 / 请假 / 缺席 and the rate (实到 / 应到 in percent, one decimal; 实到 = present + late + left early). */
export const AttendanceTotals = z.object({
  expected: z.number().int().min(0),
  present: z.number().int().min(0),
  excused: z.number().int().min(0),
  absent: z.number().int().min(0),
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
  /** (present + late + left early) / expected, percent, one decimal. */
  rate: z.number().min(0).max(100),
});
export type MemberStatistics = z.infer<typeof MemberStatistics>;

/**
 * 三会一课 held against required, per calendar month or quarter (China time) that overlaps the period: 党员大会
 * and 党课 quarterly; 支委会, 主题党日 and each party group's 党小组会 monthly. `held` counts the ended meetings of
 * the type in the whole month/quarter (also outside [from, to)); `complete` is false while the month/quarter
 * is not over (a missing meeting may still come).
 */
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
});
export type RequiredMeetingCheck = z.infer<typeof RequiredMeetingCheck>;

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

export const UnitStatistics = z.object({
  unitId: Uuid,
  name: z.string(),
  unitType: OrgUnitType,
  from: z.string(),
  to: z.string(),
  summary: StatisticsSummary,
  meetings: z.array(MeetingStatistics),
  members: z.array(MemberStatistics),
  required: z.array(RequiredMeetingCheck),
  /**
   * For an upper unit (committee, general branch): every branch below it (at any depth), in tree order, for
   * its managers and the levels above (empty for a plain member of the upper unit, and for a branch).
   */
  branches: z.array(BranchStatistics),
});
export type UnitStatistics = z.infer<typeof UnitStatistics>;
