import type { LeaveType, TodoKind } from '@branchmeet/shared';

/** How far ahead a meeting one is expected at is on the to-do list. */
const SOON_HOURS = 24;
/** At most this many items of each kind (the newest): a to-do list, not an archive. */
const PER_KIND = 20;

export interface TodoRow {
  kind: TodoKind;
  meeting_id: string;
  title: string;
  unit_name: string;
  start: Date;
  live: boolean | null;
  leave_request_id: string | null;
  name: string | null;
  reason: string | null;
  leave_type: LeaveType | null;
}

/**
 * The units a person manages (their own, and the party groups of a branch they manage) and those they review
 * (every unit below one they manage, but their own groups), as the access rules have it.
 */
const UNITS = `
  mine AS (SELECT u.id, u.path FROM membership ms JOIN org_unit u ON u.id = ms.unit_id
           WHERE ms.user_id = $1 AND ms.role IN ('secretary', 'deputy_secretary', 'organizer')),
  managed AS (SELECT u.id FROM org_unit u
              WHERE u.id IN (SELECT id FROM mine) OR (u.type = 'group' AND u.parent_id IN (SELECT id FROM mine))),
  reviewed AS (SELECT DISTINCT u.id FROM org_unit u JOIN mine ON u.path LIKE mine.path || '/%'
               WHERE u.id NOT IN (SELECT id FROM managed))`;

const COLUMNS = `m.id AS meeting_id, m.title, un.name AS unit_name,
  COALESCE(m.scheduled_start, m.started_at) AS start`;

/**
 * One person's to-do rows ($1: the person), computed from what is waiting: the meetings, leave requests, minutes
 * and attendance as they are now (a read model: read only, one query).
 */
export const TODOS_SQL = `WITH ${UNITS},
       leave AS (
         SELECT 'leave.decide' AS kind, ${COLUMNS}, NULL::boolean AS live, l.id AS leave_request_id,
                p.name, l.reason, l.leave_type
         FROM leave_request l JOIN meeting m ON m.id = l.meeting_id JOIN org_unit un ON un.id = m.unit_id
           JOIN app_user p ON p.id = l.user_id
         WHERE l.status = 'pending' AND m.status IN ('scheduled', 'live') AND m.unit_id IN (SELECT id FROM managed)
         ORDER BY start ASC LIMIT ${PER_KIND}),
       soon AS (
         SELECT 'meeting.soon' AS kind, ${COLUMNS}, m.status = 'live' AS live, NULL::uuid, NULL, NULL, NULL
         FROM meeting_attendee a JOIN meeting m ON m.id = a.meeting_id JOIN org_unit un ON un.id = m.unit_id
         WHERE a.user_id = $1 AND (m.status = 'live' OR (m.status = 'scheduled'
             AND m.scheduled_start BETWEEN now() - interval '1 hour' AND now() + interval '${SOON_HOURS} hours'))
           AND NOT EXISTS (SELECT 1 FROM leave_request l WHERE l.meeting_id = m.id AND l.user_id = $1
                             AND l.status = 'approved')
         ORDER BY start ASC LIMIT ${PER_KIND}),
       review AS (
         SELECT 'minutes.review' AS kind, ${COLUMNS}, NULL::boolean, NULL::uuid, NULL, NULL, NULL
         FROM minutes mi JOIN meeting m ON m.id = mi.meeting_id JOIN org_unit un ON un.id = m.unit_id
         WHERE mi.status = 'submitted' AND m.unit_id IN (SELECT id FROM reviewed)
         ORDER BY mi.submitted_at ASC LIMIT ${PER_KIND}),
       writing AS (
         SELECT CASE WHEN mi.status = 'returned' THEN 'minutes.fix' ELSE 'minutes.write' END AS kind, ${COLUMNS},
                NULL::boolean, NULL::uuid, NULL, mi.review_reason, NULL
         FROM meeting m JOIN org_unit un ON un.id = m.unit_id LEFT JOIN minutes mi ON mi.meeting_id = m.id
         WHERE m.status = 'ended' AND (mi.status IS NULL OR mi.status IN ('draft', 'returned'))
           AND (m.host_id = $1 OR m.recorder_id = $1 OR m.unit_id IN (SELECT id FROM managed))
         ORDER BY (mi.status = 'returned') DESC NULLS LAST, m.ended_at DESC LIMIT ${PER_KIND}),
       makeup AS (
         SELECT 'makeup.owed' AS kind, ${COLUMNS}, NULL::boolean, NULL::uuid, NULL, NULL, NULL
         FROM attendance_record r JOIN meeting m ON m.id = r.meeting_id JOIN org_unit un ON un.id = m.unit_id
         WHERE r.user_id = $1 AND r.status IN ('absent', 'excused', 'left_early') AND m.status = 'ended'
           AND EXISTS (SELECT 1 FROM recording rc WHERE rc.meeting_id = m.id)
         ORDER BY m.ended_at DESC LIMIT ${PER_KIND})
       SELECT * FROM leave UNION ALL SELECT * FROM soon UNION ALL SELECT * FROM review
       UNION ALL SELECT * FROM writing UNION ALL SELECT * FROM makeup`;
