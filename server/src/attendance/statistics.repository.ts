import { Injectable } from '@nestjs/common';
import type { MeetingType } from '@branchmeet/shared';
import { DataSource } from 'typeorm';
import type { StatusTally } from './statistics';

/** A meeting of the statistics' check window. */
export interface WindowMeeting {
  id: string;
  unit_id: string;
  type: MeetingType;
  title: string;
  group_id: string | null;
  status: string;
  started_at: Date;
  ended_at: Date | null;
  /** Whether its final records are stored (an ended meeting's are, from its end on). */
  final: boolean;
}

/** The six statuses of a set of records, counted from `s` (a record's status after corrections). */
const TALLY_COLUMNS = `count(*) FILTER (WHERE s = 'present')::int AS present,
       count(*) FILTER (WHERE s = 'late')::int AS late,
       count(*) FILTER (WHERE s = 'left_early')::int AS left_early,
       count(*) FILTER (WHERE s = 'absent')::int AS absent,
       count(*) FILTER (WHERE s = 'excused')::int AS excused,
       count(*) FILTER (WHERE s = 'make_up')::int AS make_up`;

/** `s`: the status of the record `r` where it counts, a manager's correction winning. */
const CORRECTED_STATUS = `LEFT JOIN attendance_correction c ON c.meeting_id = r.meeting_id AND c.user_id = r.user_id
       CROSS JOIN LATERAL (SELECT COALESCE(c.status, r.status) AS s) e`;

/** Ended meetings `m` that started in [$2, $3). */
const ENDED_IN_PERIOD = `m.status = 'ended' AND m.started_at >= $2 AND m.started_at < $3`;

/**
 * The statistics' read model: single read-only queries over the units (org_unit), meetings and the attendance
 * feature's records, rules and corrections, counted by PostgreSQL (a fixed number of set-based queries whatever
 * the number of branches, meetings and members).
 */
@Injectable()
export class StatisticsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The branches below the unit at `path`, in the order they were created. */
  branchesBelow(path: string): Promise<{ id: string; name: string; type: 'branch' }[]> {
    return this.dataSource.query(
      `SELECT id, name, type FROM org_unit WHERE type = 'branch' AND path LIKE $1 ORDER BY created_at, name`,
      [`${path}/%`],
    );
  }

  /** The party groups of the units, in the order they were created. */
  groupsOf(unitIds: string[]): Promise<{ id: string; name: string; parent_id: string }[]> {
    return this.dataSource.query(
      `SELECT id, name, parent_id FROM org_unit WHERE type = 'group' AND parent_id = ANY($1)
       ORDER BY created_at, name`,
      [unitIds],
    );
  }

  /** Every meeting of the units (or their groups) in [start, end) that ended, was cancelled or is still open. */
  meetingsInWindow(unitIds: string[], start: Date, end: Date): Promise<WindowMeeting[]> {
    return this.dataSource.query(
      `SELECT m.id, m.unit_id, m.type, m.title, m.group_id, m.status, m.started_at, m.ended_at,
              a.meeting_id IS NOT NULL AS final
       FROM meeting m LEFT JOIN meeting_attendance a ON a.meeting_id = m.id
       WHERE (m.unit_id = ANY($1) OR m.group_id = ANY($1)) AND m.status IN ('ended', 'cancelled', 'live')
         AND m.started_at >= $2 AND m.started_at < $3
       ORDER BY m.started_at, m.id`,
      [unitIds, start, end],
    );
  }

  /** Each ended meeting of the units (or their groups) that started in [from, to): its expected members, tallied. */
  async meetingTallies(unitIds: string[], from: Date, to: Date): Promise<Map<string, StatusTally>> {
    const rows: (StatusTally & { meeting_id: string })[] = await this.dataSource.query(
      `SELECT r.meeting_id, ${TALLY_COLUMNS}
       FROM meeting m
       JOIN attendance_record r ON r.meeting_id = m.id AND r.kind = 'expected'
       ${CORRECTED_STATUS}
       WHERE (m.unit_id = ANY($1) OR m.group_id = ANY($1)) AND ${ENDED_IN_PERIOD}
       GROUP BY r.meeting_id`,
      [unitIds, from, to],
    );
    return new Map(rows.map(({ meeting_id, ...t }) => [meeting_id, t]));
  }

  /**
   * Per expected person over the ended meetings of the unit (with its group's when `withGroup`) of [from, to),
   * in the order they first appear (meeting by meeting by start, in each by the record's position).
   */
  memberTallies(
    unitId: string,
    withGroup: boolean,
    from: Date,
    to: Date,
  ): Promise<(StatusTally & { user_id: string; name: string })[]> {
    const own = withGroup ? '(m.unit_id = $1 OR m.group_id = $1)' : 'm.unit_id = $1';
    return this.dataSource.query(
      `SELECT r.user_id, u.name, ${TALLY_COLUMNS}
       FROM (SELECT r.meeting_id, r.user_id, r.status,
                    row_number() OVER (ORDER BY m.started_at, m.id, r.position) AS seen
             FROM meeting m JOIN attendance_record r ON r.meeting_id = m.id AND r.kind = 'expected'
             WHERE ${own} AND ${ENDED_IN_PERIOD}) r
       JOIN app_user u ON u.id = r.user_id
       ${CORRECTED_STATUS}
       GROUP BY r.user_id, u.name
       ORDER BY min(r.seen)`,
      [unitId, from, to],
    );
  }

  /** The units' own minimum meeting durations for 三会一课 (those that set one). */
  async meetingMinMinutes(unitIds: string[]): Promise<Map<string, number>> {
    const rows: { unit_id: string; min: number | null }[] = await this.dataSource.query(
      `SELECT unit_id, meeting_min_minutes AS min FROM attendance_rule WHERE unit_id = ANY($1)`,
      [unitIds],
    );
    return new Map(rows.filter((r) => r.min !== null).map((r) => [r.unit_id, Number(r.min)]));
  }
}
