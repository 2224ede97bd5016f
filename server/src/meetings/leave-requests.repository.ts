import { Injectable } from '@nestjs/common';
import type { LeaveRequest } from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';
import { LeaveRequestEntity } from './leave-request.entity';
import { MeetingAttendeeEntity } from './meeting-attendee.entity';

/** A leave request as listed, before the requester's name is added. */
export type LeaveRow = Omit<LeaveRequest, 'name' | 'decidedAt' | 'createdAt'> & {
  decidedAt: Date | null;
  createdAt: Date;
};

/** The SQL of leave requests (leave_request) and the attendee check they need. */
@Injectable()
export class LeaveRequestsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(run: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(run);
  }

  find(id: string): Promise<LeaveRequestEntity | null> {
    return this.dataSource.getRepository(LeaveRequestEntity).findOneBy({ id });
  }

  lock(em: EntityManager, id: string): Promise<LeaveRequestEntity> {
    return em.findOneOrFail(LeaveRequestEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  isExpected(em: EntityManager, meetingId: string, userId: string): Promise<boolean> {
    return em.existsBy(MeetingAttendeeEntity, { meetingId, userId, kind: 'expected' });
  }

  /** Whether the person has a pending or approved request for the meeting. */
  hasOpen(em: EntityManager, meetingId: string, userId: string): Promise<boolean> {
    return em
      .getRepository(LeaveRequestEntity)
      .createQueryBuilder('l')
      .where('l.meeting_id = :m AND l.user_id = :u', { m: meetingId, u: userId })
      .andWhere(`l.status IN ('pending', 'approved')`)
      .getExists();
  }

  insert(
    em: EntityManager,
    row: Pick<LeaveRequestEntity, 'meetingId' | 'userId' | 'reason' | 'type' | 'status'>,
  ) {
    return em.save(em.create(LeaveRequestEntity, row));
  }

  async update(em: EntityManager, id: string, patch: Partial<LeaveRequestEntity>): Promise<void> {
    await em.update(LeaveRequestEntity, { id }, patch);
  }

  /** Requests by id, or of a meeting (optionally one person's), oldest first. */
  list(where: { id: string } | { meetingId: string; userId?: string }): Promise<LeaveRow[]> {
    const qb = this.dataSource
      .getRepository(LeaveRequestEntity)
      .createQueryBuilder('l')
      .select([
        'l.id AS id',
        'l.meeting_id AS "meetingId"',
        'l.user_id AS "userId"',
        'l.reason AS reason',
        'l.leave_type AS type',
        'l.status AS status',
        'l.decided_by AS "decidedBy"',
        'l.decided_at AS "decidedAt"',
        'l.decision_note AS "decisionNote"',
        'l.created_at AS "createdAt"',
      ])
      .orderBy('l.created_at', 'ASC');
    if ('id' in where) qb.where('l.id = :id', { id: where.id });
    else {
      qb.where('l.meeting_id = :m', { m: where.meetingId });
      if (where.userId) qb.andWhere('l.user_id = :u', { u: where.userId });
    }
    return qb.getRawMany<LeaveRow>();
  }
}
