import type {
  AttendanceRecord as AttendanceRecordDto,
  AttendeeKind,
  GuestPresence,
} from '@branchmeet/shared';
import type { StoredCorrection } from './attendance-corrections';
import type { AttendanceRules } from './attendance-rules';
import type { FinalHead, NewRecord, RecordRow } from './attendance.repository';
import { computeAttendance, type AttendanceRecord } from './compute-attendance';
import type { AttendanceCause } from './meeting-attendance.entity';

/**
 * The pure part of attendance: record sets computed from what the tables hold (the service reads them, these
 * functions compute), and how a record is shown. No I/O here.
 */

/** One person's computed record with their name. */
export interface PersonRecord extends AttendanceRecord {
  name: string;
  kind: AttendeeKind;
  /** A manager's correction (final records only); `status` stays the computed one. */
  correction?: StoredCorrection | null;
}

/** A meeting as the computation needs it. */
export interface MeetingRef {
  id: string;
  unitId: string;
  status: string;
  startedAt: Date;
  endedAt: Date | null;
}

export interface Computed {
  meeting: MeetingRef;
  rules: AttendanceRules;
  expected: PersonRecord[];
  observers: PersonRecord[];
}

export interface FinalSet {
  rules: AttendanceRules;
  computedAt: Date;
  cause: AttendanceCause;
  expected: PersonRecord[];
  observers: PersonRecord[];
}

/** What the computation of several meetings reads, one list per table. */
export interface ComputeInputs {
  attendees: { meeting_id: string; user_id: string; kind: AttendeeKind; name: string }[];
  rosters: { unit_id: string; user_id: string; name: string }[];
  segments: { meeting_id: string; user_id: string; opened_at: Date; closed_at: Date | null }[];
  leaves: { meeting_id: string; user_id: string }[];
}

export const iso = (d: Date | null) => d?.toISOString() ?? null;

/** A record as the API and the audit log show it. */
export const recordView = (r: PersonRecord): AttendanceRecordDto => ({
  userId: r.userId,
  name: r.name,
  firstJoin: iso(r.firstJoin),
  lastLeave: iso(r.lastLeave),
  joinCount: r.joinCount,
  totalSeconds: r.totalSeconds,
  status: r.status,
  makeUpAt: iso(r.makeUpAt),
});

export const sameRecord = (a: PersonRecord, b: PersonRecord) =>
  JSON.stringify(recordView(a)) === JSON.stringify(recordView(b));

export function groupBy<T, K>(list: T[], key: (x: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const x of list) {
    const k = key(x);
    const l = map.get(k);
    if (l) l.push(x);
    else map.set(k, [x]);
  }
  return map;
}

/** The rows to store for computed sets, expected then observers, in order. */
export const recordsToStore = (sets: Computed[]): NewRecord[] =>
  sets.flatMap((c) =>
    [...c.expected, ...c.observers].map((r, position) => ({ ...r, meetingId: c.meeting.id, position })),
  );

/**
 * The records of several meetings at once. Expected attendees (应到) and observers (列席) are the people the
 * meeting listed, in roster order; the branch roster for meetings from before attendees were recorded.
 */
export function computeSets(
  meetings: MeetingRef[],
  inputs: ComputeInputs,
  rulesFor: (m: MeetingRef) => AttendanceRules,
  endOf: (m: MeetingRef) => Date,
): Computed[] {
  const attendeesOf = groupBy(inputs.attendees, (a) => a.meeting_id);
  const segmentsOf = groupBy(inputs.segments, (s) => s.meeting_id);
  const leavesOf = groupBy(inputs.leaves, (l) => l.meeting_id);
  const rosterOf = groupBy(inputs.rosters, (r) => r.unit_id);

  return meetings.map((m) => {
    const roster = (rosterOf.get(m.unitId) ?? []).map((r) => ({ userId: r.user_id, name: r.name }));
    const listed = attendeesOf.get(m.id) ?? [];
    const order = new Map(roster.map((r, i) => [r.userId, i]));
    const byOrder = <T extends { userId: string }>(list: T[]) =>
      list.sort((a, b) => (order.get(a.userId) ?? Infinity) - (order.get(b.userId) ?? Infinity));
    const people = (kind: AttendeeKind) =>
      byOrder(listed.filter((a) => a.kind === kind).map((a) => ({ userId: a.user_id, name: a.name })));
    const expected = listed.length === 0 ? roster : people('expected');
    const observers = listed.length === 0 ? [] : people('observer');
    const rules = rulesFor(m);
    const run = (list: { userId: string; name: string }[], kind: AttendeeKind): PersonRecord[] => {
      const names = new Map(list.map((x) => [x.userId, x.name]));
      return computeAttendance({
        start: m.startedAt,
        end: endOf(m),
        expected: list.map((x) => x.userId),
        segments: (segmentsOf.get(m.id) ?? []).map((s) => ({
          userId: s.user_id,
          joinedAt: s.opened_at,
          leftAt: s.closed_at,
        })),
        rules,
        // Leave excuses expected members only; an observer is never absent in the count anyway.
        excused: kind === 'expected' ? (leavesOf.get(m.id) ?? []).map((l) => l.user_id) : [],
        makeUp: [],
      }).map((r) => ({ ...r, name: names.get(r.userId) ?? '', kind }));
    };
    return { meeting: m, rules, expected: run(expected, 'expected'), observers: run(observers, 'observer') };
  });
}

/** Stored record sets from their heads, rows and corrections. */
export function finalSetsOf(
  heads: FinalHead[],
  rows: RecordRow[],
  corrections: Map<string, Map<string, StoredCorrection>>,
): Map<string, FinalSet> {
  const byMeeting = groupBy(rows, (r) => r.meeting_id);
  const out = new Map<string, FinalSet>();
  for (const h of heads) {
    const records = (byMeeting.get(h.meeting_id) ?? []).map((r): PersonRecord => ({
      userId: r.user_id,
      name: r.name,
      kind: r.kind,
      firstJoin: r.first_join,
      lastLeave: r.last_leave,
      joinCount: r.join_count,
      totalMs: Number(r.total_ms),
      totalSeconds: Math.round(Number(r.total_ms) / 1000),
      status: r.status,
      makeUpAt: r.make_up_at,
      correction: corrections.get(h.meeting_id)?.get(r.user_id) ?? null,
    }));
    out.set(h.meeting_id, {
      rules: { lateAfterMinutes: h.late, presentMinPercent: h.percent },
      computedAt: h.computed_at,
      cause: h.cause,
      expected: records.filter((r) => r.kind === 'expected'),
      observers: records.filter((r) => r.kind === 'observer'),
    });
  }
  return out;
}

/** Guests who came in by an invite link: their presence merged like a member's (never counted). */
export function guestPresence(
  m: MeetingRef,
  end: Date,
  rules: AttendanceRules,
  segments: { guest_id: string; opened_at: Date; closed_at: Date | null }[],
  names: Map<string, string>,
): GuestPresence[] {
  const rows = segments.filter((s) => names.has(s.guest_id));
  if (rows.length === 0) return [];
  const ids = [...new Set(rows.map((r) => r.guest_id))];
  return computeAttendance({
    start: m.startedAt,
    end,
    expected: ids,
    segments: rows.map((r) => ({ userId: r.guest_id, joinedAt: r.opened_at, leftAt: r.closed_at })),
    rules,
  }).map((r) => ({
    guestId: r.userId,
    name: names.get(r.userId) ?? '',
    firstJoin: iso(r.firstJoin),
    lastLeave: iso(r.lastLeave),
    joinCount: r.joinCount,
    totalSeconds: r.totalSeconds,
  }));
}
