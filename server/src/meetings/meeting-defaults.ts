import { committeeRoles, meetingTypeLabelsZh, type MeetingType, type UnitRole } from '@branchmeet/shared';

/** A scheduled meeting lasts one hour unless its end is given. */
export const DEFAULT_DURATION_MS = 60 * 60 * 1000;

/** Branches keep China time (UTC+8, no daylight saving): the month of a title is the month there. */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/**
 * The starts of a monthly series (China time): `start` itself, then the same day of each following month at the
 * same time — the month's last day when it is shorter (the 31st → 30 April, 28/29 February).
 */
export function monthlyOccurrences(start: Date, months: number): Date[] {
  const local = new Date(start.getTime() + CHINA_OFFSET_MS);
  const day = local.getUTCDate();
  const timeOfDay =
    start.getTime() + CHINA_OFFSET_MS - Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), day);
  return Array.from({ length: months }, (_, i) => {
    const y = local.getUTCFullYear();
    const m = local.getUTCMonth() + i;
    const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    return new Date(Date.UTC(y, m, Math.min(day, lastDay)) + timeOfDay - CHINA_OFFSET_MS);
  });
}

/** "2026年12月 支部党员大会"; a group meeting names its group: "2026年12月 第一党小组党小组会". */
export function defaultTitle(type: MeetingType, start: Date, groupName?: string): string {
  const local = new Date(start.getTime() + CHINA_OFFSET_MS);
  const label =
    type === 'group_meeting' && groupName
      ? `${groupName}${meetingTypeLabelsZh[type]}`
      : meetingTypeLabelsZh[type];
  return `${local.getUTCFullYear()}年${local.getUTCMonth() + 1}月 ${label}`;
}

export interface RosterEntry {
  userId: string;
  role: UnitRole;
}

/** Host: the branch secretary (null when the branch has none). */
export function defaultHost(branch: readonly RosterEntry[]): string | null {
  return branch.find((p) => p.role === 'secretary')?.userId ?? null;
}

/** Recorder: the organizer (组织委员), else the secretary. */
export function defaultRecorder(branch: readonly RosterEntry[]): string | null {
  return branch.find((p) => p.role === 'organizer')?.userId ?? defaultHost(branch);
}

/**
 * Expected attendees (应到): the party group's members for a group meeting, the committee (secretary, deputy,
 * organizer, committee members) for a committee meeting, the whole branch roster otherwise. In roster order,
 * each person once.
 */
export function defaultExpected(
  type: MeetingType,
  branch: readonly RosterEntry[],
  group: readonly RosterEntry[] = [],
): string[] {
  const people =
    type === 'group_meeting'
      ? group
      : type === 'committee_meeting'
        ? branch.filter((p) => committeeRoles.includes(p.role))
        : branch;
  return [...new Set(people.map((p) => p.userId))];
}
