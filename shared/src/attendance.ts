import { z } from 'zod';
import { Uuid } from './common';

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
