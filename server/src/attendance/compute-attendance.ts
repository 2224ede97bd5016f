import type { AttendanceRules, AttendanceStatus } from './attendance-rules';

/** One stretch of a member's presence in the meeting (one device from join to leave). */
export interface PresenceInterval {
  userId: string;
  joinedAt: Date;
  /** null: still open (the member is in the meeting now); counted up to the meeting's end. */
  leftAt: Date | null;
}

export interface AttendanceInput {
  /** The meeting's actual start and end (end = now while the meeting is live). */
  start: Date;
  end: Date;
  /** Everyone who should have attended (应到). Segments of others are ignored. */
  expected: string[];
  segments: PresenceInterval[];
  rules: AttendanceRules;
  /** Members with an approved leave request (请假) for this meeting. */
  excused?: Iterable<string>;
}

export interface AttendanceRecord {
  userId: string;
  firstJoin: Date | null;
  lastLeave: Date | null;
  /**
   * How many times the member came in: the number of separate stretches after merging every device's
   * segments (a second device joining while the first is in, or a segment starting exactly when the previous
   * one ended, is not a new join).
   */
  joinCount: number;
  /** Time in the meeting in whole seconds (rounded), overlaps of several devices counted once. */
  totalSeconds: number;
  status: AttendanceStatus;
}

/**
 * Per expected member: first join, last leave, join count, total time and status (see attendance-rules.ts for
 * the status rules). Pure: no clock, no I/O. Time is counted within [start, end] of the meeting only; first
 * join and last leave are as recorded (an open segment leaves at `end`).
 */
export function computeAttendance(input: AttendanceInput): AttendanceRecord[] {
  const start = input.start.getTime();
  const end = Math.max(start, input.end.getTime());
  const durationMs = end - start;
  const excused = new Set(input.excused ?? []);
  const byUser = new Map<string, [number, number][]>();
  for (const s of input.segments) {
    const from = s.joinedAt.getTime();
    const to = Math.max(from, s.leftAt ? s.leftAt.getTime() : end);
    const list = byUser.get(s.userId) ?? [];
    list.push([from, to]);
    byUser.set(s.userId, list);
  }

  return [...new Set(input.expected)].map((userId) => {
    const merged = merge(byUser.get(userId) ?? []);
    if (merged.length === 0)
      return {
        userId,
        firstJoin: null,
        lastLeave: null,
        joinCount: 0,
        totalSeconds: 0,
        status: excused.has(userId) ? 'excused' : 'absent',
      };
    let totalMs = 0;
    for (const [from, to] of merged) totalMs += Math.max(0, Math.min(to, end) - Math.max(from, start));
    const firstJoin = merged[0][0];
    const lastLeave = merged[merged.length - 1][1];
    // Integer comparison: totalMs / durationMs >= P / 100 without floating-point error at the threshold.
    const enough = totalMs * 100 >= input.rules.presentMinPercent * durationMs;
    const late = firstJoin - start > input.rules.lateAfterMinutes * 60_000;
    const status: AttendanceStatus = !enough
      ? excused.has(userId)
        ? 'excused'
        : 'left_early'
      : late
        ? 'late'
        : 'present';
    return {
      userId,
      firstJoin: new Date(firstJoin),
      lastLeave: new Date(lastLeave),
      joinCount: merged.length,
      totalSeconds: Math.round(totalMs / 1000),
      status,
    };
  });
}

/** Sorts and merges overlapping or touching intervals. */
function merge(intervals: [number, number][]): [number, number][] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}
