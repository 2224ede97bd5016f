import { Injectable } from '@nestjs/common';
import type { AttendanceStatus, AttendeeKind } from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';
import { bulkInsert, type BulkColumn } from '../database/bulk-insert';
import type { StoredCorrection } from './attendance-corrections';
import type { AttendanceRules } from './attendance-rules';
import type { AttendanceCause } from './meeting-attendance.entity';

/** One stored record row (attendance_record) with the person's name. */
export interface RecordRow {
  meeting_id: string;
  user_id: string;
  name: string;
  kind: AttendeeKind;
  first_join: Date | null;
  last_leave: Date | null;
  join_count: number;
  total_ms: string;
  status: AttendanceStatus;
  make_up_at: Date | null;
}

/** The head of a stored record set (meeting_attendance). */
export interface FinalHead {
  meeting_id: string;
  late: number;
  percent: number;
  computed_at: Date;
  cause: AttendanceCause;
}

/** A record to store. */
export interface NewRecord {
  meetingId: string;
  userId: string;
  kind: AttendeeKind;
  position: number;
  firstJoin: Date | null;
  lastLeave: Date | null;
  joinCount: number;
  totalMs: number;
  status: AttendanceStatus;
  makeUpAt: Date | null;
}

const recordColumns: BulkColumn<NewRecord>[] = [
  { name: 'meeting_id', type: 'uuid', value: (r) => r.meetingId },
  { name: 'user_id', type: 'uuid', value: (r) => r.userId },
  { name: 'kind', type: 'varchar', value: (r) => r.kind },
  { name: 'position', type: 'int', value: (r) => r.position },
  { name: 'first_join', type: 'timestamptz', value: (r) => r.firstJoin },
  { name: 'last_leave', type: 'timestamptz', value: (r) => r.lastLeave },
  { name: 'join_count', type: 'int', value: (r) => r.joinCount },
  { name: 'total_ms', type: 'bigint', value: (r) => r.totalMs },
  { name: 'status', type: 'varchar', value: (r) => r.status },
  { name: 'make_up_at', type: 'timestamptz', value: (r) => r.makeUpAt },
];

/**
 * The SQL of the attendance feature's tables: rules (attendance_rule), stored record sets (meeting_attendance,
 * attendance_record), corrections (attendance_correction) and presence (presence_segment). Each method runs on
 * the EntityManager it is given (a transaction's, when the caller runs in one; they then run one after another).
 */
@Injectable()
export class AttendanceRepository {
  constructor(private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  transaction<T>(run: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(run);
  }

  async ownRules(em: EntityManager, unitIds: string[]): Promise<Map<string, AttendanceRules>> {
    if (unitIds.length === 0) return new Map();
    const rows: { unit_id: string; late: number; percent: number }[] = await em.query(
      `SELECT unit_id, late_after_minutes AS late, present_min_percent AS percent FROM attendance_rule
       WHERE unit_id = ANY($1)`,
      [unitIds],
    );
    return new Map(rows.map((r) => [r.unit_id, { lateAfterMinutes: r.late, presentMinPercent: r.percent }]));
  }

  /** A unit's stored rules row, if it has one. */
  async ruleRow(
    em: EntityManager,
    unitId: string,
  ): Promise<{ late: number; percent: number; min: number | null; updated_at: Date } | undefined> {
    const [row] = await em.query(
      `SELECT late_after_minutes AS late, present_min_percent AS percent, meeting_min_minutes AS min, updated_at
       FROM attendance_rule WHERE unit_id = $1`,
      [unitId],
    );
    return row;
  }

  async saveRules(
    em: EntityManager,
    unitId: string,
    rules: AttendanceRules,
    userId: string,
    meetingMinMinutes: number | null,
  ): Promise<void> {
    await em.query(
      `INSERT INTO attendance_rule (unit_id, late_after_minutes, present_min_percent, updated_by, updated_at,
         meeting_min_minutes)
       VALUES ($1, $2, $3, $4, now(), $5)
       ON CONFLICT (unit_id) DO UPDATE SET late_after_minutes = $2, present_min_percent = $3,
         updated_by = $4, updated_at = now(),
         meeting_min_minutes = COALESCE($5, attendance_rule.meeting_min_minutes)`,
      [unitId, rules.lateAfterMinutes, rules.presentMinPercent, userId, meetingMinMinutes],
    );
  }

  /**
   * The corrections of meetings of a unit and every unit below it that started in [from, to): a report, so it
   * joins the meeting, unit and people it names (read only).
   */
  correctionList(
    unit: { id: string; path: string },
    from: Date,
    to: Date,
  ): Promise<
    {
      meeting_id: string;
      title: string;
      unit_id: string;
      unit_name: string;
      started_at: Date;
      user_id: string;
      name: string;
      computed: AttendanceStatus | null;
      status: AttendanceStatus;
      reason: string;
      by_name: string | null;
      corrected_at: Date;
    }[]
  > {
    return this.dataSource.query(
      `SELECT m.id AS meeting_id, m.title, m.unit_id, o.name AS unit_name, m.started_at, c.user_id, u.name,
              r.status AS computed, c.status, c.reason, b.name AS by_name, c.corrected_at
       FROM attendance_correction c
       JOIN meeting m ON m.id = c.meeting_id
       JOIN org_unit o ON o.id = m.unit_id
       JOIN app_user u ON u.id = c.user_id
       LEFT JOIN app_user b ON b.id = c.corrected_by
       LEFT JOIN attendance_record r ON r.meeting_id = c.meeting_id AND r.user_id = c.user_id
       WHERE (o.id = $1 OR o.path LIKE $2) AND m.started_at >= $3 AND m.started_at < $4
       ORDER BY m.started_at, m.id, c.corrected_at`,
      [unit.id, `${unit.path}/%`, from, to],
    );
  }

  finalHeads(em: EntityManager, meetingIds: string[]): Promise<FinalHead[]> {
    return em.query(
      `SELECT meeting_id, late_after_minutes AS late, present_min_percent AS percent, computed_at, cause
       FROM meeting_attendance WHERE meeting_id = ANY($1)`,
      [meetingIds],
    );
  }

  finalRows(em: EntityManager, meetingIds: string[], kinds: AttendeeKind[]): Promise<RecordRow[]> {
    return em.query(
      `SELECT r.meeting_id, r.user_id, u.name, r.kind, r.first_join, r.last_leave, r.join_count, r.total_ms,
              r.status, r.make_up_at
       FROM attendance_record r JOIN app_user u ON u.id = r.user_id
       WHERE r.meeting_id = ANY($1) AND r.kind = ANY($2) ORDER BY r.meeting_id, r.position`,
      [meetingIds, kinds],
    );
  }

  /** One person's stored record of a meeting (status and make-up), or undefined before it is final. */
  async recordOf(
    em: EntityManager,
    meetingId: string,
    userId: string,
  ): Promise<{ status: AttendanceStatus; make_up_at: Date | null } | undefined> {
    const [row] = await em.query<{ status: AttendanceStatus; make_up_at: Date | null }[]>(
      `SELECT status, make_up_at FROM attendance_record WHERE meeting_id = $1 AND user_id = $2`,
      [meetingId, userId],
    );
    return row;
  }

  /** Claims the heads of record sets (first writer wins); returns the meetings this call claimed. */
  async claimFinal(
    em: EntityManager,
    heads: { meetingId: string; rules: AttendanceRules }[],
    at: Date,
  ): Promise<Set<string>> {
    const claimed: { meeting_id: string }[] = await em.query(
      `INSERT INTO meeting_attendance (meeting_id, late_after_minutes, present_min_percent, computed_at, cause)
       SELECT id, late, pct, $4, 'end' FROM unnest($1::uuid[], $2::float8[], $3::float8[]) AS t(id, late, pct)
       ON CONFLICT (meeting_id) DO NOTHING RETURNING meeting_id`,
      [
        heads.map((h) => h.meetingId),
        heads.map((h) => h.rules.lateAfterMinutes),
        heads.map((h) => h.rules.presentMinPercent),
        at,
      ],
    );
    return new Set(claimed.map((c) => c.meeting_id));
  }

  /** Replaces a meeting's record set: its head, then all its records. */
  async replaceFinal(
    em: EntityManager,
    meetingId: string,
    rules: AttendanceRules,
    cause: AttendanceCause,
    records: NewRecord[],
  ): Promise<void> {
    await em.query(
      `UPDATE meeting_attendance SET late_after_minutes = $2, present_min_percent = $3, computed_at = $4,
         cause = $5 WHERE meeting_id = $1`,
      [meetingId, rules.lateAfterMinutes, rules.presentMinPercent, new Date(), cause],
    );
    await em.query(`DELETE FROM attendance_record WHERE meeting_id = $1`, [meetingId]);
    await this.insertRecords(em, records);
  }

  insertRecords(em: EntityManager, records: NewRecord[]): Promise<void> {
    return bulkInsert(em, 'attendance_record', recordColumns, records);
  }

  /** The members' presence segments of meetings. */
  memberSegments(
    em: EntityManager,
    meetingIds: string[],
  ): Promise<{ meeting_id: string; user_id: string; opened_at: Date; closed_at: Date | null }[]> {
    return em.query(
      `SELECT meeting_id, user_id, opened_at, closed_at FROM presence_segment
       WHERE meeting_id = ANY($1) AND user_id IS NOT NULL`,
      [meetingIds],
    );
  }

  /** The guests' presence segments of a meeting, oldest first. */
  guestSegments(
    em: EntityManager,
    meetingId: string,
  ): Promise<{ guest_id: string; opened_at: Date; closed_at: Date | null }[]> {
    return em.query(
      `SELECT guest_id, opened_at, closed_at FROM presence_segment
       WHERE meeting_id = $1 AND guest_id IS NOT NULL ORDER BY opened_at`,
      [meetingId],
    );
  }

  /**
   * Media health beside presence (information, never absence): per person of a meeting, how many whole seconds
   * of their presence had no media flowing yet — from a segment's opening (the seat) to its first connected
   * transport (`media_at`), or to its end if media never flowed.
   */
  async noMediaSeconds(em: EntityManager, meetingId: string, end: Date): Promise<Map<string, number>> {
    const rows: { person: string; seconds: string | number | null }[] = await em.query(
      `SELECT COALESCE(user_id, guest_id) AS person,
              SUM(GREATEST(0, EXTRACT(EPOCH FROM (
                LEAST(COALESCE(media_at, closed_at, $2), COALESCE(closed_at, $2), $2) - opened_at)))) AS seconds
       FROM presence_segment WHERE meeting_id = $1 GROUP BY 1`,
      [meetingId, end],
    );
    return new Map(rows.map((r) => [r.person, Math.round(Number(r.seconds ?? 0))]));
  }

  /** The corrections of these meetings: meeting id → user id → correction. */
  async corrections(
    em: EntityManager,
    meetingIds: string[],
  ): Promise<Map<string, Map<string, StoredCorrection>>> {
    const out = new Map<string, Map<string, StoredCorrection>>();
    if (meetingIds.length === 0) return out;
    const rows: {
      meeting_id: string;
      user_id: string;
      status: AttendanceStatus;
      reason: string;
      corrected_by: string | null;
      by_name: string | null;
      corrected_at: Date;
    }[] = await em.query(
      `SELECT c.meeting_id, c.user_id, c.status, c.reason, c.corrected_by, u.name AS by_name, c.corrected_at
       FROM attendance_correction c LEFT JOIN app_user u ON u.id = c.corrected_by
       WHERE c.meeting_id = ANY($1)`,
      [meetingIds],
    );
    for (const r of rows) {
      const m = out.get(r.meeting_id) ?? new Map<string, StoredCorrection>();
      m.set(r.user_id, {
        status: r.status,
        reason: r.reason,
        correctedBy: r.corrected_by,
        correctedByName: r.by_name,
        correctedAt: r.corrected_at,
      });
      out.set(r.meeting_id, m);
    }
    return out;
  }

  /** Stores (or replaces) a person's correction; returns the one it replaced. */
  async upsertCorrection(
    em: EntityManager,
    meetingId: string,
    c: { userId: string; status: AttendanceStatus; reason: string; actorId: string },
  ): Promise<StoredCorrection | null> {
    const before = (await this.corrections(em, [meetingId])).get(meetingId)?.get(c.userId) ?? null;
    await em.query(
      `INSERT INTO attendance_correction (meeting_id, user_id, status, reason, corrected_by, corrected_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (meeting_id, user_id) DO UPDATE SET status = $3, reason = $4, corrected_by = $5,
         corrected_at = now()`,
      [meetingId, c.userId, c.status, c.reason, c.actorId],
    );
    return before;
  }

  /** How many corrections a meeting has (a recompute keeps them and says so). */
  async correctionCount(em: EntityManager, meetingId: string): Promise<number> {
    const [row]: { n: string }[] = await em.query(
      `SELECT count(*) AS n FROM attendance_correction WHERE meeting_id = $1`,
      [meetingId],
    );
    return Number(row?.n ?? 0);
  }
}
