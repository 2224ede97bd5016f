import { Injectable } from '@nestjs/common';
import type { NotificationKind, NotificationParams } from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';
import { TODOS_SQL, type TodoRow } from './todos.sql';

/** A stored notification as the table holds it. */
export interface NotificationRow {
  id: string;
  user_id: string;
  kind: NotificationKind;
  meeting_id: string | null;
  params: NotificationParams;
  read_at: Date | null;
  created_at: Date;
}

/** A meeting due for reminders, with whom to remind. */
export interface DueMeeting {
  id: string;
  title: string;
  start: Date;
  unit_name: string;
  user_ids: string[];
}

/**
 * The SQL of notifications (notification) and of what they are computed from: the reminders due and the to-do
 * list, which are read models over the meetings, leave, minutes and attendance tables (read only, one query each).
 */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Inserts notifications; a (person, dedupe key) already notified is skipped. Returns what was inserted. */
  insert(
    em: EntityManager,
    rows: {
      userId: string;
      kind: NotificationKind;
      meetingId: string | null;
      params: NotificationParams;
      dedupeKey?: string;
    }[],
  ): Promise<NotificationRow[]> {
    return em.query(
      `INSERT INTO notification (user_id, kind, meeting_id, params, dedupe_key)
       SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::uuid[], $4::jsonb[], $5::varchar[])
       ON CONFLICT (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
       RETURNING id, user_id, kind, meeting_id, params, read_at, created_at`,
      [
        rows.map((r) => r.userId),
        rows.map((r) => r.kind),
        rows.map((r) => r.meetingId),
        rows.map((r) => JSON.stringify(r.params)),
        rows.map((r) => r.dedupeKey ?? null),
      ],
    );
  }

  async unitName(em: EntityManager, unitId: string): Promise<string> {
    const [unit]: { name: string }[] = await em.query(`SELECT name FROM org_unit WHERE id = $1`, [unitId]);
    return unit?.name ?? '';
  }

  /**
   * Meetings whose planned start is in (from, until], or still waiting to start with a planned start after
   * `waitingSince`, with their expected attendees and observers not on approved leave.
   */
  dueReminders(from: Date, until: Date, waitingSince: Date): Promise<DueMeeting[]> {
    return this.dataSource.query(
      `SELECT m.id, m.title, m.scheduled_start AS start, u.name AS unit_name,
              array_agg(a.user_id) AS user_ids
       FROM meeting m JOIN org_unit u ON u.id = m.unit_id JOIN meeting_attendee a ON a.meeting_id = m.id
       WHERE m.status IN ('scheduled', 'live') AND m.scheduled_start <= $2
         AND (m.scheduled_start > $1 OR (m.status = 'scheduled' AND m.scheduled_start > $3))
         AND NOT EXISTS (SELECT 1 FROM leave_request l WHERE l.meeting_id = m.id AND l.user_id = a.user_id
                           AND l.status = 'approved')
       GROUP BY m.id, u.name`,
      [from, until, waitingSince],
    );
  }

  /** A person's notifications, newest first, after the one `before` names (keyset). */
  page(userId: string, before: string | null, limit: number): Promise<NotificationRow[]> {
    return this.dataSource.query(
      `SELECT id, user_id, kind, meeting_id, params, read_at, created_at FROM notification n
       WHERE user_id = $1 AND ($2::uuid IS NULL OR (created_at, id) < (
         SELECT created_at, id FROM notification WHERE id = $2 AND user_id = $1))
       ORDER BY created_at DESC, id DESC LIMIT $3`,
      [userId, before, limit],
    );
  }

  /** Marks a person's notifications read: all of them, or those of `ids`. */
  async markRead(userId: string, ids: string[] | 'all'): Promise<void> {
    if (ids === 'all')
      await this.dataSource.query(
        `UPDATE notification SET read_at = now() WHERE user_id = $1 AND read_at IS NULL`,
        [userId],
      );
    else
      await this.dataSource.query(
        `UPDATE notification SET read_at = now() WHERE user_id = $1 AND id = ANY($2) AND read_at IS NULL`,
        [userId, ids],
      );
  }

  async unread(userId: string): Promise<number> {
    const [{ n }]: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM notification WHERE user_id = $1 AND read_at IS NULL`,
      [userId],
    );
    return n;
  }

  /** The rows of a person's to-do list (see todos.sql.ts). */
  todoRows(userId: string): Promise<TodoRow[]> {
    return this.dataSource.query(TODOS_SQL, [userId]);
  }
}
