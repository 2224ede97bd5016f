import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { MeetingAttendeeEntity } from './meeting-attendee.entity';
import { MeetingEntity } from './meeting.entity';

/** A meeting to store (the columns the database does not fill in itself). */
export type NewMeeting = Omit<MeetingEntity, 'id' | 'createdAt'>;

/** The SQL of scheduling: meetings written by their managers and the people they list (meeting_attendee). */
@Injectable()
export class MeetingScheduleRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(run: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(run);
  }

  insert(em: EntityManager, row: NewMeeting): Promise<MeetingEntity> {
    return em.save(em.create(MeetingEntity, row));
  }

  async save(em: EntityManager, meeting: MeetingEntity): Promise<void> {
    await em.save(meeting);
  }

  async cancel(em: EntityManager, id: string): Promise<void> {
    await em.update(MeetingEntity, { id }, { status: 'cancelled' });
  }

  /** A branch's meetings whose planned start (or, opened ad hoc, actual start) lies in [from, to), at most 1000. */
  calendar(unitId: string, from: Date, to: Date): Promise<MeetingEntity[]> {
    return this.dataSource
      .getRepository(MeetingEntity)
      .createQueryBuilder('m')
      .where('m.unit_id = :unitId', { unitId })
      .andWhere('COALESCE(m.scheduled_start, m.started_at) >= :from', { from })
      .andWhere('COALESCE(m.scheduled_start, m.started_at) < :to', { to })
      .orderBy('COALESCE(m.scheduled_start, m.started_at)', 'ASC')
      .limit(1000)
      .getMany();
  }

  /** Replaces a meeting's attendees: `expected` (应到) and `observers` (列席). */
  async replaceAttendees(
    em: EntityManager,
    meetingId: string,
    expected: string[],
    observers: string[],
  ): Promise<void> {
    await em.delete(MeetingAttendeeEntity, { meetingId });
    const rows = [
      ...expected.map((userId) => ({ meetingId, userId, kind: 'expected' as const })),
      ...observers.map((userId) => ({ meetingId, userId, kind: 'observer' as const })),
    ];
    if (rows.length) await em.insert(MeetingAttendeeEntity, rows);
  }

  /** Everyone the meeting lists (expected and observers) but `exceptUserId`. */
  async attendeeIds(em: EntityManager, meetingId: string, exceptUserId: string): Promise<string[]> {
    const rows = await em.find(MeetingAttendeeEntity, { where: { meetingId }, select: { userId: true } });
    return rows.map((r) => r.userId).filter((id) => id !== exceptUserId);
  }
}
