import { Injectable } from '@nestjs/common';
import type { MeetingType } from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';
import { MeetingGuestEntity } from './meeting-guest.entity';
import { MeetingInviteEntity } from './meeting-invite.entity';
import type { MeetingEntity } from './meeting.entity';

/** An invite as listed: with how many guests came in by it. */
export interface InviteRow {
  id: string;
  meeting_id: string;
  expires_at: Date;
  revoked_at: Date | null;
  created_at: Date;
  created_by: string;
  guests: number;
}

/** What an invite link shows of its meeting. */
export interface InvitedMeeting {
  id: string;
  title: string;
  type: MeetingType;
  status: MeetingEntity['status'];
  start: Date;
  unit_id: string;
  unit_name: string;
}

/** The SQL of invite links (meeting_invite) and the guests who came in by them (meeting_guest). */
@Injectable()
export class MeetingInvitesRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(run: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(run);
  }

  insert(
    em: EntityManager,
    row: Omit<MeetingInviteEntity, 'id' | 'createdAt'>,
  ): Promise<MeetingInviteEntity> {
    return em.save(em.create(MeetingInviteEntity, row));
  }

  find(id: string): Promise<MeetingInviteEntity | null> {
    return this.dataSource.getRepository(MeetingInviteEntity).findOneBy({ id });
  }

  byTokenHash(tokenHash: string): Promise<MeetingInviteEntity | null> {
    return this.dataSource.getRepository(MeetingInviteEntity).findOneBy({ tokenHash });
  }

  lock(em: EntityManager, id: string): Promise<MeetingInviteEntity> {
    return em.findOneOrFail(MeetingInviteEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async revoke(em: EntityManager, id: string, revokedAt: Date, revokedBy: string): Promise<void> {
    await em.update(MeetingInviteEntity, { id }, { revokedAt, revokedBy });
  }

  guestsOf(inviteId: string): Promise<MeetingGuestEntity[]> {
    return this.dataSource.getRepository(MeetingGuestEntity).findBy({ inviteId });
  }

  insertGuest(em: EntityManager, row: Pick<MeetingGuestEntity, 'meetingId' | 'inviteId' | 'name'>) {
    return em.save(em.create(MeetingGuestEntity, row));
  }

  /** The meeting an invite opens, with its start as guests see it and its branch's name. */
  async invitedMeeting(meetingId: string): Promise<InvitedMeeting | undefined> {
    const [m]: InvitedMeeting[] = await this.dataSource.query(
      `SELECT m.id, m.title, m.type, m.status, CASE WHEN m.status = 'scheduled' THEN m.scheduled_start
              ELSE m.started_at END AS start, m.unit_id, u.name AS unit_name
       FROM meeting m JOIN org_unit u ON u.id = m.unit_id WHERE m.id = $1`,
      [meetingId],
    );
    return m;
  }

  /** A meeting's invites (or one of them), newest first. */
  list(meetingId: string, inviteId?: string): Promise<InviteRow[]> {
    return this.dataSource.query(
      `SELECT i.id, i.meeting_id, i.expires_at, i.revoked_at, i.created_at, i.created_by,
              (SELECT count(*)::int FROM meeting_guest g WHERE g.invite_id = i.id) AS guests
       FROM meeting_invite i WHERE i.meeting_id = $1 AND ($2::uuid IS NULL OR i.id = $2)
       ORDER BY i.created_at DESC`,
      [meetingId, inviteId ?? null],
    );
  }
}
