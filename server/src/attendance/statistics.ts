import {
  RATE_STATUSES,
  type AttendanceStatus,
  type MeetingType,
  type MemberStatistics,
  type MonthStatistics,
  type RequiredMeetingCheck,
  type RequiredMeetingReason,
  type StatisticsSummary,
} from '@branchmeet/shared';
import { percent, type AttendanceCounts } from './attendance-counts';

/** China's offset from UTC (UTC+8 all year): months and quarters begin at 00:00 in Beijing. */
const CHINA_OFFSET_MS = 8 * 3600 * 1000;

export interface CalendarPeriod {
  /** `2026-03` or `2026-Q1`. */
  key: string;
  start: Date;
  end: Date;
}

/** The calendar months (or quarters) in China time that overlap [from, to), in order. */
export function calendarPeriods(from: Date, to: Date, kind: 'month' | 'quarter'): CalendarPeriod[] {
  const local = new Date(from.getTime() + CHINA_OFFSET_MS);
  const step = kind === 'month' ? 1 : 3;
  let year = local.getUTCFullYear();
  let month = local.getUTCMonth();
  if (kind === 'quarter') month -= month % 3;
  const out: CalendarPeriod[] = [];
  for (;;) {
    const start = Date.UTC(year, month, 1) - CHINA_OFFSET_MS;
    if (start >= to.getTime()) return out;
    const end = Date.UTC(year, month + step, 1) - CHINA_OFFSET_MS;
    const key =
      kind === 'month'
        ? `${year}-${String(month + 1).padStart(2, '0')}`
        : `${year}-Q${Math.floor(month / 3) + 1}`;
    out.push({ key, start: new Date(start), end: new Date(end) });
    month += step;
    if (month >= 12) {
      year += 1;
      month -= 12;
    }
  }
}

/** The first instant of the quarter of `from` and the end of the quarter of `to` (what the checks can look at). */
export function checkWindow(from: Date, to: Date): { start: Date; end: Date } {
  const quarters = calendarPeriods(from, to, 'quarter');
  return { start: quarters[0]?.start ?? from, end: quarters[quarters.length - 1]?.end ?? to };
}

/** 三会一课 frequencies: 党员大会 and 党课 quarterly; 支委会, 主题党日 and 党小组会 (per party group) monthly. */
export const requiredFrequency: { type: MeetingType; every: 'month' | 'quarter'; perGroup?: true }[] = [
  { type: 'branch_assembly', every: 'quarter' },
  { type: 'committee_meeting', every: 'month' },
  { type: 'group_meeting', every: 'month', perGroup: true },
  { type: 'lecture', every: 'quarter' },
  { type: 'theme_day', every: 'month' },
];

/** A meeting of a required type in the check window: ended, cancelled or still open. */
export interface HeldMeeting {
  id: string;
  title: string;
  type: string;
  groupId: string | null;
  status: string;
  startedAt: Date;
  endedAt: Date | null;
}

/** Whether a meeting counts toward its type's requirement, and why not: ended, not cancelled, long enough. */
export function requiredReason(m: HeldMeeting, minMinutes: number): RequiredMeetingReason {
  if (m.status === 'cancelled') return 'cancelled';
  if (m.status !== 'ended' || !m.endedAt) return 'not_ended';
  if (minMinutes > 0 && m.endedAt.getTime() - m.startedAt.getTime() < minMinutes * 60_000) return 'too_short';
  return 'counted';
}

/**
 * Required meetings held against required for a branch (every type) or a party group (its 党小组会 only), for
 * each month/quarter overlapping [from, to). `held` counts the held meetings of the whole month/quarter.
 */
export function requiredChecks(input: {
  from: Date;
  to: Date;
  now: Date;
  unit: { id: string; name: string; type: string };
  groups: { id: string; name: string }[];
  held: HeldMeeting[];
  /** The branch's minimum duration (minutes) for a meeting to count; 0: none. */
  minMinutes: number;
}): RequiredMeetingCheck[] {
  const { unit } = input;
  if (unit.type !== 'branch' && unit.type !== 'group') return [];
  const checks: (RequiredMeetingCheck & { order: number })[] = [];
  requiredFrequency.forEach((rule, order) => {
    if (unit.type === 'group' && rule.type !== 'group_meeting') return;
    const groups: ({ id: string; name: string } | null)[] = rule.perGroup
      ? unit.type === 'group'
        ? [unit]
        : input.groups
      : [null];
    for (const period of calendarPeriods(input.from, input.to, rule.every)) {
      for (const group of groups) {
        const meetings = input.held
          .filter(
            (m) =>
              m.type === rule.type &&
              (group === null || m.groupId === group.id) &&
              m.startedAt >= period.start &&
              m.startedAt < period.end,
          )
          .map((m) => ({
            meetingId: m.id,
            title: m.title,
            startedAt: m.startedAt.toISOString(),
            minutes: m.endedAt ? Math.round((m.endedAt.getTime() - m.startedAt.getTime()) / 6000) / 10 : null,
            reason: requiredReason(m, input.minMinutes),
          }));
        const held = meetings.filter((m) => m.reason === 'counted').length;
        checks.push({
          order,
          period: period.key,
          periodStart: period.start.toISOString(),
          periodEnd: period.end.toISOString(),
          type: rule.type,
          groupId: group?.id ?? null,
          groupName: group?.name ?? null,
          held,
          met: held >= 1,
          complete: period.end.getTime() <= input.now.getTime(),
          minMinutes: input.minMinutes,
          meetings,
        });
      }
    }
  });
  checks.sort(
    (a, b) =>
      a.periodStart.localeCompare(b.periodStart) ||
      a.periodEnd.localeCompare(b.periodEnd) ||
      a.order - b.order ||
      (a.groupName ?? '').localeCompare(b.groupName ?? ''),
  );
  return checks.map(({ order: _order, ...c }) => c);
}

/** Per person over several meetings' records (each meeting's expected members only), in first-seen order. */
export function memberStatistics(
  records: Iterable<{ userId: string; name: string; status: AttendanceStatus }>,
): MemberStatistics[] {
  const byUser = new Map<string, MemberStatistics>();
  for (const r of records) {
    let s = byUser.get(r.userId);
    if (!s) {
      s = {
        userId: r.userId,
        name: r.name,
        expected: 0,
        present: 0,
        late: 0,
        leftEarly: 0,
        absent: 0,
        excused: 0,
        makeUp: 0,
        rate: 0,
      };
      byUser.set(r.userId, s);
    }
    s.expected += 1;
    if (r.status === 'left_early') s.leftEarly += 1;
    else if (r.status === 'make_up') s.makeUp += 1;
    else s[r.status] += 1;
  }
  return [...byUser.values()].map((s) => ({
    ...s,
    rate: percent(s.present + s.late + s.makeUp, s.expected),
  }));
}

/** How many records of each status (after corrections): what every total and rate is made of. */
export type StatusTally = Record<AttendanceStatus, number>;

export const emptyTally = (): StatusTally => ({
  present: 0,
  late: 0,
  left_early: 0,
  absent: 0,
  excused: 0,
  make_up: 0,
});

export function tallyOf(records: Iterable<{ status: AttendanceStatus }>): StatusTally {
  const t = emptyTally();
  for (const r of records) t[r.status] += 1;
  return t;
}

export function addTally(into: StatusTally, t: StatusTally): StatusTally {
  for (const k of Object.keys(into) as AttendanceStatus[]) into[k] += t[k];
  return into;
}

/** The same numbers as `attendanceCounts` of records with these statuses. */
export function countsOfTally(t: StatusTally): AttendanceCounts {
  const expected = t.present + t.late + t.left_early + t.absent + t.excused + t.make_up;
  const attended = RATE_STATUSES.reduce((n, s) => n + t[s], 0);
  return {
    expected,
    present: expected - t.excused - t.absent - t.make_up,
    leftEarly: t.left_early,
    excused: t.excused,
    absent: t.absent,
    makeUp: t.make_up,
    attended,
    rate: percent(attended, expected),
  };
}

/** One person's row over the period, as `memberStatistics` makes it from their records. */
export function memberOfTally(userId: string, name: string, t: StatusTally): MemberStatistics {
  const expected = t.present + t.late + t.left_early + t.absent + t.excused + t.make_up;
  return {
    userId,
    name,
    expected,
    present: t.present,
    late: t.late,
    leftEarly: t.left_early,
    absent: t.absent,
    excused: t.excused,
    makeUp: t.make_up,
    rate: percent(t.present + t.late + t.make_up, expected),
  };
}

/** The totals over a period from each meeting's tally: person-times (人次), and the required meetings met. */
export function summarizeTallies(
  meetings: { tally: StatusTally }[],
  required: RequiredMeetingCheck[],
): StatisticsSummary {
  const total = emptyTally();
  for (const m of meetings) addTally(total, m.tally);
  return {
    ...countsOfTally(total),
    meetingsHeld: meetings.length,
    requiredTotal: required.length,
    requiredMet: required.filter((c) => c.met).length,
  };
}

/**
 * Every calendar month (China time) overlapping [from, to), in order, with the meetings that started in it and
 * their totals (person-times): the attendance rate by month.
 */
export function monthTallies(
  from: Date,
  to: Date,
  meetings: { startedAt: Date; tally: StatusTally }[],
): MonthStatistics[] {
  const months = calendarPeriods(from, to, 'month').map((p) => ({ p, held: 0, tally: emptyTally() }));
  for (const m of meetings) {
    const t = m.startedAt.getTime();
    const month = months.find((x) => t >= x.p.start.getTime() && t < x.p.end.getTime());
    if (!month) continue;
    month.held += 1;
    addTally(month.tally, m.tally);
  }
  return months.map((x) => ({ month: x.p.key, meetingsHeld: x.held, ...countsOfTally(x.tally) }));
}
