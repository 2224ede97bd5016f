import type {
  MeetingAttendance,
  MeetingType,
  MinutesAbsentee,
  MinutesFields,
  MinutesPeriod,
  MinutesPerson,
} from '@branchmeet/shared';

/** Branches keep China time (UTC+8, no daylight saving). */
const CHINA_OFFSET_MS = 8 * 3600 * 1000;

/** The online meeting's place, as the minutes give it. */
export const ONLINE_PLACE = '线上（支部云会）';

/** How often each type is held: the period a meeting counts in (党员大会、党课 quarterly; 组织生活会 yearly). */
export const periodKindOf: Record<MeetingType, MinutesPeriod['kind']> = {
  branch_assembly: 'quarter',
  lecture: 'quarter',
  committee_meeting: 'month',
  group_meeting: 'month',
  theme_day: 'month',
  other: 'month',
  life_meeting: 'year',
};

export function periodOf(type: MeetingType, at: Date): MinutesPeriod & { start: Date; end: Date } {
  const local = new Date(at.getTime() + CHINA_OFFSET_MS);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() + 1;
  const quarter = Math.ceil(month / 3);
  const kind = periodKindOf[type];
  const startMonth = kind === 'year' ? 1 : kind === 'quarter' ? (quarter - 1) * 3 + 1 : month;
  const months = kind === 'year' ? 12 : kind === 'quarter' ? 3 : 1;
  const start = new Date(Date.UTC(year, startMonth - 1, 1) - CHINA_OFFSET_MS);
  const end = new Date(Date.UTC(year, startMonth - 1 + months, 1) - CHINA_OFFSET_MS);
  const label =
    kind === 'year' ? `${year}年` : kind === 'quarter' ? `${year}年第${quarter}季度` : `${year}年${month}月`;
  return { kind, year, quarter, month, label, start, end };
}

export interface FieldsInput {
  meeting: {
    type: MeetingType;
    title: string;
    status: 'scheduled' | 'live' | 'ended' | 'cancelled';
    scheduledStart: Date | null;
    scheduledEnd: Date | null;
    startedAt: Date;
    endedAt: Date | null;
    agenda: string[];
  };
  unitName: string;
  host: MinutesPerson | null;
  recorder: MinutesPerson | null;
  /** The meeting is the n-th of its kind in its period. */
  ordinal: number;
  attendance: MeetingAttendance;
  observers: MinutesPerson[];
  /** Reasons of approved leave requests, by user id. */
  leaveReasons: ReadonlyMap<string, string>;
  /** Typed reasons of absent members, by user id. */
  absenceReasons: Readonly<Record<string, string>>;
}

/**
 * The fields of the minutes that nobody types: from the meeting (type, title, times, place, host, recorder,
 * agenda) and its attendance (应到/实到/请假/缺席 with names; reasons from the leave requests and, for the
 * absent, from what the secretary typed).
 */
export function buildFields(input: FieldsInput): MinutesFields {
  const { meeting, attendance } = input;
  const started = meeting.status === 'live' || meeting.status === 'ended';
  const planned = meeting.scheduledStart ?? (started ? null : meeting.startedAt);
  const period = periodOf(meeting.type, meeting.startedAt);
  const presentNames: MinutesPerson[] = [];
  const excusedNames: MinutesAbsentee[] = [];
  const absentNames: MinutesAbsentee[] = [];
  for (const r of attendance.records) {
    const person = { userId: r.userId, name: r.name };
    if (r.status === 'excused')
      excusedNames.push({ ...person, reason: input.leaveReasons.get(r.userId) ?? '' });
    else if (r.status === 'absent')
      absentNames.push({ ...person, reason: input.absenceReasons[r.userId] ?? '' });
    else presentNames.push(person);
  }
  return {
    meetingType: meeting.type,
    title: meeting.title,
    unitName: input.unitName,
    period: {
      kind: period.kind,
      year: period.year,
      quarter: period.quarter,
      month: period.month,
      label: period.label,
    },
    ordinal: input.ordinal,
    scheduledStart: planned?.toISOString() ?? null,
    scheduledEnd: meeting.scheduledEnd?.toISOString() ?? null,
    actualStart: started ? meeting.startedAt.toISOString() : null,
    actualEnd: meeting.endedAt?.toISOString() ?? null,
    durationMinutes: started ? Math.floor(attendance.durationSeconds / 60) : null,
    place: ONLINE_PLACE,
    host: input.host,
    recorder: input.recorder,
    expected: attendance.records.length,
    present: presentNames.length,
    excused: excusedNames.length,
    absent: absentNames.length,
    presentNames,
    excusedNames,
    absentNames,
    observers: input.observers,
    agenda: [...meeting.agenda],
  };
}

/**
 * Whether two JSON values are equal whatever the order of their objects' keys (jsonb gives them back in its own
 * order, so comparing JSON.stringify of a built value with a stored one would see a change every time). Keys whose
 * value is undefined count as absent, as in JSON.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameJson(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
  const ka = keys(ra);
  return ka.length === keys(rb).length && ka.every((k) => rb[k] !== undefined && sameJson(ra[k], rb[k]));
}
