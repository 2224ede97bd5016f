import { Injectable } from '@nestjs/common';
import type { AttendeeKind } from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';
import { MeetingEntity, MeetingSettings } from './meeting.entity';
import type { UnattendedMeeting } from './unattended-end';

/** A meeting's start and end as attendance needs them. */
export interface MeetingTimes {
  id: string;
  unitId: string;
  status: string;
  startedAt: Date;
  endedAt: Date | null;
}

/**
 * The SQL of the meetings feature's tables (meeting, meeting_attendee, leave_request, meeting_guest, chat_message)
 * for MeetingsService and for what other features read through MeetingDirectory. Every method takes the caller's EntityManager (a transaction's, when
 * it runs in one) or uses the pool.
 */
@Injectable()
export class MeetingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private em(em?: EntityManager): EntityManager {
    return em ?? this.dataSource.manager;
  }

  findById(id: string, em?: EntityManager): Promise<MeetingEntity | null> {
    return this.em(em).getRepository(MeetingEntity).findOneBy({ id });
  }

  /** The meeting's row, locked for the rest of `em`'s transaction. */
  lockById(id: string, em: EntityManager): Promise<MeetingEntity | null> {
    return em.findOne(MeetingEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Those of the meetings that have ended. */
  ended(ids: string[], em?: EntityManager): Promise<MeetingTimes[]> {
    return this.em(em).query(
      `SELECT m.id, m.unit_id AS "unitId", m.status, m.started_at AS "startedAt", m.ended_at AS "endedAt"
       FROM meeting m WHERE m.id = ANY($1) AND m.status = 'ended'`,
      [ids],
    );
  }

  /** The unit's ended meetings that started at or after `from`, oldest first. */
  endedInUnitSince(unitId: string, from: Date, em?: EntityManager): Promise<{ id: string }[]> {
    return this.em(em).query(
      `SELECT id FROM meeting WHERE unit_id = $1 AND status = 'ended' AND started_at >= $2
       ORDER BY started_at, id`,
      [unitId, from],
    );
  }

  /** The ids of the unit's meetings that started in [from, to), oldest first. */
  async startedBetween(unitId: string, from: Date, to: Date): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM meeting WHERE unit_id = $1 AND started_at >= $2 AND started_at < $3 ORDER BY started_at`,
      [unitId, from, to],
    );
    return rows.map((r) => r.id);
  }

  /** Expected attendees of a meeting who are full members (正式党员): its voters. */
  async fullMemberAttendees(meetingId: string, em?: EntityManager): Promise<string[]> {
    const rows: { user_id: string }[] = await this.em(em).query(
      `SELECT a.user_id FROM meeting_attendee a JOIN app_user u ON u.id = a.user_id
       WHERE a.meeting_id = $1 AND a.kind = 'expected' AND u.member_type = 'member'`,
      [meetingId],
    );
    return rows.map((r) => r.user_id);
  }

  /** The people the meetings listed (expected and observers), with their names, by name. */
  attendees(
    ids: string[],
    em?: EntityManager,
  ): Promise<{ meeting_id: string; user_id: string; kind: AttendeeKind; name: string }[]> {
    return this.em(em).query(
      `SELECT a.meeting_id, a.user_id, a.kind, u.name FROM meeting_attendee a JOIN app_user u ON u.id = a.user_id
       WHERE a.meeting_id = ANY($1) ORDER BY u.name`,
      [ids],
    );
  }

  /** The people each meeting lists, with names: by kind, then name. */
  attendeeList(
    ids: string[],
  ): Promise<{ meetingId: string; userId: string; name: string; kind: AttendeeKind }[]> {
    return this.dataSource.query(
      `SELECT a.meeting_id AS "meetingId", a.user_id AS "userId", u.name, a.kind
       FROM meeting_attendee a JOIN app_user u ON u.id = a.user_id
       WHERE a.meeting_id = ANY($1) ORDER BY a.kind ASC, u.name ASC`,
      [ids],
    );
  }

  /** The approved leave requests of the meetings, oldest first. */
  approvedLeaves(
    ids: string[],
    em?: EntityManager,
  ): Promise<{ meeting_id: string; user_id: string; reason: string }[]> {
    return this.em(em).query(
      `SELECT meeting_id, user_id, reason FROM leave_request WHERE meeting_id = ANY($1) AND status = 'approved'
       ORDER BY created_at`,
      [ids],
    );
  }

  /** The names of invited guests. */
  async guestNames(guestIds: string[], em?: EntityManager): Promise<Map<string, string>> {
    if (guestIds.length === 0) return new Map();
    const rows: { id: string; name: string }[] = await this.em(em).query(
      `SELECT id, name FROM meeting_guest WHERE id = ANY($1)`,
      [guestIds],
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** How many meetings of the same kind the unit held in the period up to this one (inclusive): its ordinal. */
  async ordinalInPeriod(m: MeetingEntity, periodStart: Date, em?: EntityManager): Promise<number> {
    const [{ n }]: { n: string }[] = await this.em(em).query(
      `SELECT count(*) AS n FROM "meeting"
       WHERE "unit_id" = $1 AND "type" = $2 AND "status" <> 'cancelled'
         AND "group_id" IS NOT DISTINCT FROM $3
         AND "started_at" >= $4 AND ("started_at" < $5 OR ("started_at" = $5 AND "id" <= $6))`,
      [m.unitId, m.type, m.groupId, periodStart, m.startedAt, m.id],
    );
    return Number(n);
  }

  /** Titles, types and starts of meetings. */
  async headlines(
    ids: string[],
    em?: EntityManager,
  ): Promise<Map<string, { type: string; title: string; startedAt: Date }>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; type: string; title: string; started_at: Date }[] = await this.em(em).query(
      `SELECT id, type, title, started_at FROM meeting WHERE id = ANY($1)`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, { type: r.type, title: r.title, startedAt: r.started_at }]));
  }

  /**
   * Live meetings nobody is seated in (no open presence segment) whose last activity — the start, or the last
   * heartbeat or close of any of their segments — is before `before`; `everSeated`: someone was in it once.
   */
  unattended(before: Date): Promise<UnattendedMeeting[]> {
    return this.dataSource.query(
      `SELECT m.id, GREATEST(m.started_at, MAX(s.closed_at), MAX(s.last_heartbeat_at)) AS "lastActivity",
              COUNT(s.id) > 0 AS "everSeated", m.started_at AS "startedAt", m.scheduled_end AS "scheduledEnd"
       FROM meeting m LEFT JOIN presence_segment s ON s.meeting_id = m.id
       WHERE m.status = 'live'
       GROUP BY m.id
       HAVING COUNT(s.id) FILTER (WHERE s.closed_at IS NULL) = 0
          AND GREATEST(m.started_at, MAX(s.closed_at), MAX(s.last_heartbeat_at)) < $1`,
      [before],
    );
  }

  /** Whether the guest's invite to the meeting is still valid (not revoked, not expired); false for no such guest. */
  async guestInviteValid(guestId: string, meetingId: string): Promise<boolean> {
    const [row]: { valid: boolean }[] = await this.dataSource.query(
      `SELECT (i.revoked_at IS NULL AND i.expires_at > now()) AS valid FROM meeting_guest g
       JOIN meeting_invite i ON i.id = g.invite_id WHERE g.id = $1 AND g.meeting_id = $2`,
      [guestId, meetingId],
    );
    return !!row?.valid;
  }

  /** The meeting's unit, null when there is no such meeting. */
  async unitIdOf(meetingId: string): Promise<string | null> {
    const [m]: { unit_id: string }[] = await this.dataSource.query(
      'SELECT unit_id FROM meeting WHERE id = $1',
      [meetingId],
    );
    return m?.unit_id ?? null;
  }

  /** Merges settings into the meeting's (keys not given stay). */
  async mergeSettings(meetingId: string, settings: Partial<MeetingSettings>): Promise<void> {
    await this.dataSource.query(`UPDATE "meeting" SET "settings" = "settings" || $2::jsonb WHERE "id" = $1`, [
      meetingId,
      JSON.stringify(settings),
    ]);
  }

  /** Stores a chat message of a member or of a guest (`authorId` is one or the other). */
  async insertChat(meetingId: string, authorId: string, text: string): Promise<{ id: string; at: Date }> {
    const [saved]: { id: string; at: Date }[] = await this.dataSource.query(
      `INSERT INTO chat_message (meeting_id, user_id, guest_id, text, at)
       SELECT $1, u.id, g.id, $3, now() FROM (SELECT $2::uuid AS id) x
       LEFT JOIN app_user u ON u.id = x.id LEFT JOIN meeting_guest g ON g.id = x.id AND g.meeting_id = $1
       RETURNING id, at`,
      [meetingId, authorId, text],
    );
    return saved;
  }

  /** The newest `limit` chat messages of a meeting, newest first, each with its author's name (member or guest). */
  newestChat(
    meetingId: string,
    limit: number,
  ): Promise<
    { id: string; meetingId: string; userId: string; name: string | null; text: string; at: Date }[]
  > {
    return this.dataSource.query(
      `SELECT c.id AS id, c.meeting_id AS "meetingId", COALESCE(c.user_id, c.guest_id) AS "userId",
              COALESCE(u.name, g.name) AS name, c.text AS text, c.at AS at
       FROM chat_message c LEFT JOIN app_user u ON u.id = c.user_id LEFT JOIN meeting_guest g ON g.id = c.guest_id
       WHERE c.meeting_id = $1 ORDER BY c.id DESC LIMIT $2`,
      [meetingId, limit],
    );
  }
}
