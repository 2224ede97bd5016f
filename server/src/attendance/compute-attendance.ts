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
  /** Members who completed the make-up study (补学) of this meeting, and when (the earliest one counts). */
  makeUp?: Iterable<{ userId: string; at: Date }>;
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
  /** Time in the meeting in milliseconds, overlaps of several devices counted once (what the rules compare). */
  totalMs: number;
  /** The same in whole seconds (rounded), as shown. */
  totalSeconds: number;
  status: AttendanceStatus;
  /** When the member completed the make-up study (kept even if they attended; `make_up` only if they missed). */
  makeUpAt: Date | null;
}

/** The context a status is derived in: the meeting's span, the rules, leave and make-up study. */
export type StatusContext = Pick<AttendanceInput, 'start' | 'end' | 'rules' | 'excused' | 'makeUp'>;

/** What presence established about one member (the part of a record that no decision changes). */
export type PresenceFacts = Pick<
  AttendanceRecord,
  'userId' | 'firstJoin' | 'lastLeave' | 'joinCount' | 'totalMs'
>;

/** A last leave this close to the meeting's end is staying to the end (closes are written a moment apart). */
export const STAYED_TO_END_TOLERANCE_MS = 1000;

/** Derives each member's status (and make-up time) from the facts, by the rules (see attendance-rules.ts). */
function statusDeriver(
  ctx: StatusContext,
): (f: PresenceFacts) => Pick<AttendanceRecord, 'status' | 'makeUpAt'> {
  const start = ctx.start.getTime();
  const durationMs = Math.max(start, ctx.end.getTime()) - start;
  const excused = new Set(ctx.excused ?? []);
  const makeUp = new Map<string, Date>();
  for (const m of ctx.makeUp ?? []) {
    const known = makeUp.get(m.userId);
    if (!known || m.at < known) makeUp.set(m.userId, m.at);
  }
  return (f) => {
    let status: AttendanceStatus;
    if (f.joinCount === 0 || f.firstJoin === null) status = excused.has(f.userId) ? 'excused' : 'absent';
    else {
      // Integer comparison: totalMs / durationMs >= P / 100 without floating-point error at the threshold.
      const enough = f.totalMs * 100 >= ctx.rules.presentMinPercent * durationMs;
      const late = f.firstJoin.getTime() - start > ctx.rules.lateAfterMinutes * 60_000;
      // Short but in once and there to the end: what they missed is the start, so `late` (the short time is
      // shown beside it), never "left early". Left early is for someone who left before the end (or was away
      // in between: several stays).
      const stayedToEnd =
        f.lastLeave !== null && f.lastLeave.getTime() >= start + durationMs - STAYED_TO_END_TOLERANCE_MS;
      if (enough) status = late ? 'late' : 'present';
      else if (excused.has(f.userId)) status = 'excused';
      else status = stayedToEnd && (late || f.joinCount === 1) ? 'late' : 'left_early';
    }
    const makeUpAt = makeUp.get(f.userId) ?? null;
    // A missed meeting (absent, excused, left early) made up by the make-up study is `make_up`.
    if (makeUpAt && (status === 'absent' || status === 'excused' || status === 'left_early'))
      status = 'make_up';
    return { status, makeUpAt };
  };
}

/**
 * Per expected member: first join, last leave, join count, total time and status (see attendance-rules.ts for
 * the status rules). Pure: no clock, no I/O. Time is counted within [start, end] of the meeting only; first
 * join is as recorded, last leave too but never after `end` (an open segment, or one whose close was written
 * a moment after the meeting ended, leaves at `end`).
 */
export function computeAttendance(input: AttendanceInput): AttendanceRecord[] {
  const start = input.start.getTime();
  const end = Math.max(start, input.end.getTime());
  const derive = statusDeriver(input);
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
    let facts: PresenceFacts;
    if (merged.length === 0) facts = { userId, firstJoin: null, lastLeave: null, joinCount: 0, totalMs: 0 };
    else {
      let totalMs = 0;
      for (const [from, to] of merged) totalMs += Math.max(0, Math.min(to, end) - Math.max(from, start));
      const firstJoin = merged[0][0];
      facts = {
        userId,
        firstJoin: new Date(firstJoin),
        lastLeave: new Date(Math.min(merged[merged.length - 1][1], Math.max(end, firstJoin))),
        joinCount: merged.length,
        totalMs,
      };
    }
    return { ...facts, totalSeconds: Math.round(facts.totalMs / 1000), ...derive(facts) };
  });
}

/**
 * The statuses of final records derived again from their stored presence facts (a rule change, a leave
 * decision, a make-up study): exactly what computeAttendance would derive from the same presence.
 */
export function restatus(records: readonly PresenceFacts[], ctx: StatusContext): AttendanceRecord[] {
  const derive = statusDeriver(ctx);
  return records.map((f) => ({
    userId: f.userId,
    firstJoin: f.firstJoin,
    lastLeave: f.lastLeave,
    joinCount: f.joinCount,
    totalMs: f.totalMs,
    totalSeconds: Math.round(f.totalMs / 1000),
    ...derive(f),
  }));
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
