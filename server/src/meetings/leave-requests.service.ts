import { Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  type CreateLeaveRequest,
  type LeaveDecisionRequest,
  type LeaveRequest,
} from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';
import { AttendanceService } from '../attendance/attendance.service';
import { AuditService } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { managersOf } from '../notifications/recipients';
import { AuthUser } from '../auth/auth-user';
import { UserEntity } from '../auth/user.entity';
import { Conflict, DomainError, Forbidden, NotFound } from '../common/domain-error';
import { AccessService, Relation, UnitAction, unitRules } from '../orgs/access.service';
import { LeaveRequestEntity } from './leave-request.entity';
import { MeetingAttendeeEntity } from './meeting-attendee.entity';
import { MeetingEntity } from './meeting.entity';

/**
 * Leave requests (请假): an expected attendee asks before or during the meeting; a manager of the branch approves
 * or rejects. Approved leave turns absent into excused in the attendance (a decision after the meeting ended
 * recomputes its final records). Every change audited.
 */
@Injectable()
export class LeaveRequestsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly attendance: AttendanceService,
    private readonly notifications: NotificationsService,
  ) {}

  async create(user: AuthUser, meetingId: string, body: CreateLeaveRequest): Promise<LeaveRequest> {
    const { meeting } = await this.meetingFor(user, meetingId, 'meeting.read');
    const { id, deliveries } = await this.dataSource.transaction(async (em) => {
      // Serialises requests of one meeting (the partial unique index is the last word on duplicates).
      const locked = await em.findOneOrFail(MeetingEntity, {
        where: { id: meeting.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (locked.status !== 'scheduled' && locked.status !== 'live') throw Conflict('leave.meetingClosed');
      const expected = await em.existsBy(MeetingAttendeeEntity, {
        meetingId: meeting.id,
        userId: user.id,
        kind: 'expected',
      });
      if (!expected) throw Forbidden('leave.notExpected');
      const open = await em
        .getRepository(LeaveRequestEntity)
        .createQueryBuilder('l')
        .where('l.meeting_id = :m AND l.user_id = :u', { m: meeting.id, u: user.id })
        .andWhere(`l.status IN ('pending', 'approved')`)
        .getExists();
      if (open) throw Conflict('leave.duplicate');
      const saved = await em.save(
        em.create(LeaveRequestEntity, {
          meetingId: meeting.id,
          userId: user.id,
          reason: body.reason,
          type: body.type,
          status: 'pending',
        }),
      );
      await this.audit.append(em, {
        actorId: user.id,
        action: 'leave.request',
        entityType: 'leave_request',
        entityId: saved.id,
        unitId: meeting.unitId,
        after: {
          meetingId: meeting.id,
          userId: user.id,
          reason: body.reason,
          type: body.type,
          status: 'pending',
        },
      });
      // The branch's managers are told there is a request to decide.
      const deliveries = await this.notifications.aboutMeeting(
        em,
        meeting,
        'leave.requested',
        await managersOf(em, meeting.unitId),
        user.id,
        { name: await this.nameOf(em, user.id), reason: body.reason, leaveType: body.type },
      );
      return { id: saved.id, deliveries };
    });
    this.notifications.push(deliveries);
    return this.one(id);
  }

  /** The member takes back their own pending request; the managers are told. Audited. */
  async withdraw(user: AuthUser, leaveRequestId: string): Promise<LeaveRequest> {
    const request = await this.dataSource.getRepository(LeaveRequestEntity).findOneBy({ id: leaveRequestId });
    if (!request || request.userId !== user.id) throw NotFound('notFound.leaveRequest');
    const meeting = await this.dataSource
      .getRepository(MeetingEntity)
      .findOneByOrFail({ id: request.meetingId });
    const deliveries = await this.dataSource.transaction(async (em) => {
      const locked = await em.findOneOrFail(LeaveRequestEntity, {
        where: { id: request.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (locked.status !== 'pending') throw Conflict('leave.alreadyDecided');
      const decidedAt = new Date();
      await em.update(
        LeaveRequestEntity,
        { id: locked.id },
        { status: 'withdrawn', decidedBy: user.id, decidedAt },
      );
      await this.audit.append(em, {
        actorId: user.id,
        action: 'leave.withdraw',
        entityType: 'leave_request',
        entityId: locked.id,
        unitId: meeting.unitId,
        before: { status: 'pending' },
        after: { meetingId: meeting.id, userId: user.id, status: 'withdrawn' },
      });
      return this.notifications.aboutMeeting(
        em,
        meeting,
        'leave.withdrawn',
        await managersOf(em, meeting.unitId),
        user.id,
        { name: await this.nameOf(em, user.id) },
      );
    });
    this.notifications.push(deliveries);
    return this.one(request.id);
  }

  private async nameOf(em: EntityManager, userId: string): Promise<string> {
    const row = await em.findOne(UserEntity, { where: { id: userId }, select: { id: true, name: true } });
    return row?.name ?? '';
  }

  /** A meeting's leave requests: all of them for managers and upper levels, one's own for a member. */
  async list(user: AuthUser, meetingId: string): Promise<LeaveRequest[]> {
    const { meeting, relation } = await this.meetingFor(user, meetingId, 'meeting.read');
    const all = (unitRules['leave.read_all'] as readonly Relation[]).includes(relation);
    return this.query((qb) => {
      qb.where('l.meeting_id = :m', { m: meeting.id });
      if (!all) qb.andWhere('l.user_id = :u', { u: user.id });
    });
  }

  async decide(user: AuthUser, leaveRequestId: string, body: LeaveDecisionRequest): Promise<LeaveRequest> {
    const request = await this.dataSource.getRepository(LeaveRequestEntity).findOneBy({ id: leaveRequestId });
    if (!request) throw NotFound('notFound.leaveRequest');
    const meeting = await this.dataSource
      .getRepository(MeetingEntity)
      .findOneByOrFail({ id: request.meetingId });
    try {
      await this.access.unit(user, meeting.unitId, 'leave.decide');
    } catch (e) {
      if (e instanceof DomainError && e.code === ErrorCodes.notFound) throw NotFound('notFound.leaveRequest');
      throw e;
    }
    const deliveries = await this.dataSource.transaction(async (em) => {
      const locked = await em.findOneOrFail(LeaveRequestEntity, {
        where: { id: request.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (locked.status !== 'pending') throw Conflict('leave.alreadyDecided');
      const status = body.approve ? 'approved' : 'rejected';
      const decidedAt = new Date();
      await em.update(
        LeaveRequestEntity,
        { id: locked.id },
        { status, decidedBy: user.id, decidedAt, decisionNote: body.note ?? null },
      );
      await this.audit.append(em, {
        actorId: user.id,
        action: 'leave.decide',
        entityType: 'leave_request',
        entityId: locked.id,
        unitId: meeting.unitId,
        before: { status: 'pending' },
        after: {
          meetingId: meeting.id,
          userId: locked.userId,
          status,
          note: body.note ?? null,
          decidedAt: decidedAt.toISOString(),
        },
      });
      // A final record set (the meeting has ended) is recomputed: approved leave excuses an absent member.
      await this.attendance.recompute(
        meeting.id,
        { kind: 'leave', actorId: user.id, leaveRequestId: locked.id },
        em,
      );
      // The member sees the decision.
      return this.notifications.add(em, {
        userIds: [locked.userId],
        kind: 'leave.decided',
        meetingId: meeting.id,
        params: {
          title: meeting.title,
          start: (meeting.scheduledStart ?? meeting.startedAt).toISOString(),
          status,
          note: body.note ?? null,
        },
      });
    });
    this.notifications.push(deliveries);
    return this.one(request.id);
  }

  private async one(id: string): Promise<LeaveRequest> {
    const [row] = await this.query((qb) => qb.where('l.id = :id', { id }));
    return row;
  }

  private async query(where: (qb: ReturnType<typeof this.base>) => unknown): Promise<LeaveRequest[]> {
    const qb = this.base();
    where(qb);
    const rows = await qb.getRawMany<
      Omit<LeaveRequest, 'decidedAt' | 'createdAt'> & { decidedAt: Date | null; createdAt: Date }
    >();
    return rows.map((r) => ({
      ...r,
      decidedAt: r.decidedAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
    }));
  }

  private base() {
    return this.dataSource
      .getRepository(LeaveRequestEntity)
      .createQueryBuilder('l')
      .innerJoin(UserEntity, 'u', 'u.id = l.user_id')
      .select([
        'l.id AS id',
        'l.meeting_id AS "meetingId"',
        'l.user_id AS "userId"',
        'u.name AS name',
        'l.reason AS reason',
        'l.leave_type AS type',
        'l.status AS status',
        'l.decided_by AS "decidedBy"',
        'l.decided_at AS "decidedAt"',
        'l.decision_note AS "decisionNote"',
        'l.created_at AS "createdAt"',
      ])
      .orderBy('l.created_at', 'ASC');
  }

  /** The meeting and the caller's relation to its branch; a meeting of a branch the caller cannot see is not found. */
  private async meetingFor(user: AuthUser, meetingId: string, action: UnitAction) {
    const meeting = await this.dataSource.getRepository(MeetingEntity).findOneBy({ id: meetingId });
    if (!meeting) throw NotFound('notFound.meeting');
    const { relation } = await this.access.unitOf(user, meeting.unitId, action, 'notFound.meeting');
    return { meeting, relation };
  }
}
