import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Whom a notification goes to, by their posts in the org tree (membership roles are read here, as the access
 * rules read them: secretary, deputy secretary and organizer manage a unit; those of a unit above review it).
 */
const MANAGER_ROLES = `('secretary', 'deputy_secretary', 'organizer')`;

/**
 * The SQL that finds a notification's recipients (read only). Every method takes the caller's EntityManager —
 * the transaction's, when the notifications are stored in one — or uses the pool.
 */
@Injectable()
export class RecipientsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private em(em?: EntityManager): EntityManager {
    return em ?? this.dataSource.manager;
  }

  /** The managers of a unit (for a party group, those of its branch too). */
  async managersOf(unitId: string, em?: EntityManager): Promise<string[]> {
    const rows: { user_id: string }[] = await this.em(em).query(
      `SELECT DISTINCT m.user_id FROM membership m JOIN org_unit u ON u.id = $1
     WHERE m.role IN ${MANAGER_ROLES} AND (m.unit_id = u.id OR (u.type = 'group' AND m.unit_id = u.parent_id))`,
      [unitId],
    );
    return rows.map((r) => r.user_id);
  }

  /** The reviewers of a unit's minutes: the managers of every unit above it (the upper level). */
  async reviewersOf(unitId: string, em?: EntityManager): Promise<string[]> {
    const rows: { user_id: string }[] = await this.em(em).query(
      `SELECT DISTINCT m.user_id FROM membership m JOIN org_unit a ON a.id = m.unit_id JOIN org_unit u ON u.id = $1
     WHERE m.role IN ${MANAGER_ROLES} AND a.id <> u.id AND u.path LIKE a.path || '/%'
       AND NOT (u.type = 'group' AND a.id = u.parent_id)`,
      [unitId],
    );
    return rows.map((r) => r.user_id);
  }

  /** Who writes and submits a meeting's minutes: its host, its recorder and the managers of its branch. */
  async writersOf(
    meeting: { unitId: string; hostId: string | null; recorderId: string | null },
    em?: EntityManager,
  ): Promise<string[]> {
    const ids = new Set(await this.managersOf(meeting.unitId, em));
    if (meeting.hostId) ids.add(meeting.hostId);
    if (meeting.recorderId) ids.add(meeting.recorderId);
    return [...ids];
  }

  /** A meeting's expected attendees and observers, but those on approved leave. */
  async attendeesOf(meetingId: string, em?: EntityManager): Promise<string[]> {
    const rows: { user_id: string }[] = await this.em(em).query(
      `SELECT a.user_id FROM meeting_attendee a WHERE a.meeting_id = $1
       AND NOT EXISTS (SELECT 1 FROM leave_request l WHERE l.meeting_id = a.meeting_id
                         AND l.user_id = a.user_id AND l.status = 'approved')`,
      [meetingId],
    );
    return rows.map((r) => r.user_id);
  }
}
