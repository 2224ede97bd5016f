import { Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  type CreateLeaveRequest,
  type LeaveDecisionRequest,
  type LeaveRequest,
  allows,
} from '@branchmeet/shared';
import { AttendanceService } from '../attendance/attendance.service';
import { AuditService } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { RecipientsRepository } from '../notifications/recipients.repository';
import { AuthUser } from '../auth/auth-user';
import { UserDirectory } from '../auth/user-directory.service';
import { Conflict, DomainError, Forbidden, NotFound } from '../common/domain-error';
import { MeetingDirectory } from './meeting-directory.service';
import { AccessService } from '../orgs/access.service';
import { LeaveRequestsRepository, type LeaveRow } from './leave-requests.repository';

/**
 * Leave requests (请假): an expected attendee asks before or during the meeting; a manager of the branch approves
 * or rejects. Approved leave turns absent into excused in the attendance (a decision after the meeting ended
 * recomputes its final records). Every change audited.
 */
@Injectable()
export class LeaveRequestsService {
  constructor(
    private readonly repo: LeaveRequestsRepository,
    private readonly access: AccessService,
    private readonly directory: MeetingDirectory,
    private readonly users: UserDirectory,
    private readonly audit: AuditService,
    private readonly attendance: AttendanceService,
    private readonly notifications: NotificationsService,
    private readonly recipients: RecipientsRepository,
  ) {}

  async create(user: AuthUser, meetingId: string, body: CreateLeaveRequest): Promise<LeaveRequest> {
    const { meeting } = await this.directory.authorise(user, meetingId, 'meeting.read');
    const { id, deliveries } = await this.repo.transaction(async (em) => {
      // Serialises requests of one meeting (the partial unique index is the last word on duplicates).
      const locked = await this.directory.lock(meeting.id, em);
      if (!locked) throw NotFound('notFound.meeting');
      if (locked.status !== 'scheduled' && locked.status !== 'live') throw Conflict('leave.meetingClosed');
      const expected = await this.repo.isExpected(em, meeting.id, user.id);
      if (!expected) throw Forbidden('leave.notExpected');
      const open = await this.repo.hasOpen(em, meeting.id, user.id);
      if (open) throw Conflict('leave.duplicate');
      const saved = await this.repo.insert(em, {
        meetingId: meeting.id,
        userId: user.id,
        reason: body.reason,
        type: body.type,
        status: 'pending',
      });
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
        await this.recipients.managersOf(meeting.unitId, em),
        user.id,
        { name: await this.nameOf(user.id), reason: body.reason, leaveType: body.type },
      );
      return { id: saved.id, deliveries };
    });
    this.notifications.push(deliveries);
    return this.one(id);
  }

  /** The member takes back their own pending request; the managers are told. Audited. */
  async withdraw(user: AuthUser, leaveRequestId: string): Promise<LeaveRequest> {
    const request = await this.repo.find(leaveRequestId);
    if (!request || request.userId !== user.id) throw NotFound('notFound.leaveRequest');
    const meeting = await this.directory.get(request.meetingId);
    if (!meeting) throw NotFound('notFound.leaveRequest');
    const deliveries = await this.repo.transaction(async (em) => {
      const locked = await this.repo.lock(em, request.id);
      if (locked.status !== 'pending') throw Conflict('leave.alreadyDecided');
      const decidedAt = new Date();
      await this.repo.update(em, locked.id, { status: 'withdrawn', decidedBy: user.id, decidedAt });
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
        await this.recipients.managersOf(meeting.unitId, em),
        user.id,
        { name: await this.nameOf(user.id) },
      );
    });
    this.notifications.push(deliveries);
    return this.one(request.id);
  }

  private async nameOf(userId: string): Promise<string> {
    return (await this.users.names([userId])).get(userId) ?? '';
  }

  /** A meeting's leave requests: all of them for managers and upper levels, one's own for a member. */
  async list(user: AuthUser, meetingId: string): Promise<LeaveRequest[]> {
    const { meeting, relation } = await this.directory.authorise(user, meetingId, 'meeting.read');
    const all = allows(relation, 'leave.read_all');
    return this.named(await this.repo.list({ meetingId: meeting.id, userId: all ? undefined : user.id }));
  }

  async decide(user: AuthUser, leaveRequestId: string, body: LeaveDecisionRequest): Promise<LeaveRequest> {
    const request = await this.repo.find(leaveRequestId);
    if (!request) throw NotFound('notFound.leaveRequest');
    const meeting = await this.directory.get(request.meetingId);
    if (!meeting) throw NotFound('notFound.leaveRequest');
    try {
      await this.access.unit(user, meeting.unitId, 'leave.decide');
    } catch (e) {
      if (e instanceof DomainError && e.code === ErrorCodes.notFound) throw NotFound('notFound.leaveRequest');
      throw e;
    }
    const deliveries = await this.repo.transaction(async (em) => {
      const locked = await this.repo.lock(em, request.id);
      if (locked.status !== 'pending') throw Conflict('leave.alreadyDecided');
      const status = body.approve ? 'approved' : 'rejected';
      const decidedAt = new Date();
      await this.repo.update(em, locked.id, {
        status,
        decidedBy: user.id,
        decidedAt,
        decisionNote: body.note ?? null,
      });
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
    const [row] = await this.named(await this.repo.list({ id }));
    return row;
  }

  /** With the requesters' names (a request of a person who is gone is left out, as the listing always did). */
  private async named(rows: LeaveRow[]): Promise<LeaveRequest[]> {
    const names = await this.users.names(rows.map((r) => r.userId));
    return rows.flatMap((r) => {
      const name = names.get(r.userId);
      if (name === undefined) return [];
      return [
        {
          ...r,
          name,
          decidedAt: r.decidedAt?.toISOString() ?? null,
          createdAt: r.createdAt.toISOString(),
        },
      ];
    });
  }
}
