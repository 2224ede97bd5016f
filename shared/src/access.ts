import { z } from 'zod';

/**
 * How a user stands to a unit, strongest first:
 * - admin: a system administrator (manages the whole tree);
 * - manager: secretary / deputy secretary / organizer of the unit (or of the branch a party group belongs to);
 * - supervisor: secretary / deputy / organizer of a unit above it (reads, never the reverse);
 * - member: any member of the unit (or of the branch a party group belongs to).
 * The server works it out; each unit it sends carries it (`OrgUnit.access`).
 */
export const Relation = z.enum(['admin', 'manager', 'supervisor', 'member']);
export type Relation = z.infer<typeof Relation>;

/**
 * The one table of authorisation rules: which relations may do each thing to a unit. The server enforces it on
 * every request; the client reads the same table to show only the actions the server would allow.
 */
export const unitRules = {
  'unit.read': ['admin', 'manager', 'supervisor', 'member'],
  'roster.read': ['admin', 'manager', 'supervisor', 'member'],
  'roster.export': ['admin', 'manager', 'supervisor'],
  'roster.manage': ['admin', 'manager'],
  'unit.update': ['admin', 'manager'],
  /** Creating a party group under a branch; other unit types are `tree.manage`. */
  'group.create': ['admin', 'manager'],
  'group.delete': ['admin', 'manager'],
  /** Live meetings of a branch: open one ad hoc, list/read them, join one (members of the unit, and above). */
  'meeting.open': ['admin', 'manager'],
  'meeting.read': ['admin', 'manager', 'supervisor', 'member'],
  'meeting.join': ['manager', 'supervisor', 'member'],
  /** Scheduling: schedule, edit, cancel a branch's meetings; start a scheduled one early (managers only). */
  'meeting.schedule': ['admin', 'manager'],
  'meeting.manage': ['admin', 'manager'],
  /** Invite links for outside guests of a meeting: create, list, revoke. */
  'meeting.invite': ['admin', 'manager'],
  /** Leave requests (请假): decide them (managers); read all of a meeting's (managers and upper levels). */
  'leave.decide': ['admin', 'manager'],
  'leave.read_all': ['admin', 'manager', 'supervisor'],
  /** A meeting's attendance records (readers of the branch). */
  'attendance.read': ['admin', 'manager', 'supervisor', 'member'],
  /** A branch's attendance rules (late after N minutes, present from P%); recomputing ended meetings with them. */
  'attendance.rules': ['admin', 'manager'],
  /** Attendance as XLSX / CSV and the printed sign-in sheet: the branch's secretaries and upper levels. */
  'attendance.export': ['admin', 'manager', 'supervisor'],
  /**
   * Minutes (会议记录): read (readers of the branch); fill in the typed fields and submit (managers, and the
   * meeting's recorder whatever their post — checked by the minutes service); approve or return (the secretaries
   * of a unit above: the upper level reviews, never the branch itself); correct approved minutes (managers);
   * export (managers and upper levels). Writing the content is for the meeting's recorder and host.
   */
  'minutes.read': ['admin', 'manager', 'supervisor', 'member'],
  'minutes.edit': ['manager'],
  'minutes.submit': ['manager'],
  'minutes.review': ['supervisor'],
  'minutes.correct': ['manager'],
  'minutes.export': ['admin', 'manager', 'supervisor'],
  'tree.manage': ['admin'],
  'audit.read': ['admin'],
} as const satisfies Record<string, readonly Relation[]>;
export type UnitAction = keyof typeof unitRules;

/** Whether a user of this relation to a unit may do the action there. */
export function allows(relation: Relation, action: UnitAction): boolean {
  return (unitRules[action] as readonly Relation[]).includes(relation);
}

/** Rules that are not about one unit. */
export const globalRules = {
  'tree.create_root': ['admin'],
  'user.reset_password': ['admin'],
  'audit.read': ['admin'],
  'audit.verify': ['admin'],
} as const satisfies Record<string, readonly 'admin'[]>;
export type GlobalAction = keyof typeof globalRules;
