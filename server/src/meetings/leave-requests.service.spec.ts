/**
 * Leave requests (请假) against fakes: the leave repository (in memory), the meeting directory, people's names,
 * access, audit, attendance and notifications. Who may ask, duplicates, withdrawing, deciding, and that a
 * decision recomputes the attendance in the same transaction and tells the member.
 */
import type { EntityManager } from 'typeorm';
import type { Relation } from '@branchmeet/shared';
import type { AttendanceService, RecomputeCause } from '../attendance/attendance.service';
import type { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import type { UserDirectory } from '../auth/user-directory.service';
import { DomainError, Forbidden, NotFound } from '../common/domain-error';
import type { NotificationsService } from '../notifications/notifications.service';
import type { RecipientsRepository } from '../notifications/recipients.repository';
import type { AccessService } from '../orgs/access.service';
import type { LeaveRequestEntity } from './leave-request.entity';
import type { LeaveRequestsRepository, LeaveRow } from './leave-requests.repository';
import { LeaveRequestsService } from './leave-requests.service';
import type { MeetingDirectory } from './meeting-directory.service';

// The transaction's manager: the fakes only check that it is passed along.
const em = {} as EntityManager;
const MEETING = 'meeting-1';
const relations: Record<string, Relation> = { ann: 'member', bob: 'member', sec: 'manager' };
const names: Record<string, string> = { ann: '王芳', bob: '张伟', sec: '李红梅' };

function setup(status: 'scheduled' | 'live' | 'ended' = 'scheduled') {
  const meeting = {
    id: MEETING,
    unitId: 'branch',
    status,
    title: '支部党员大会',
    scheduledStart: new Date('2026-05-01T01:00:00Z'),
    startedAt: new Date('2026-05-01T01:00:00Z'),
  };
  const rows: LeaveRequestEntity[] = [];
  const audits: string[] = [];
  const recomputed: RecomputeCause[] = [];
  const told: { userIds: string[]; kind: string }[] = [];
  const repo: Partial<LeaveRequestsRepository> = {
    transaction: (run) => run(em),
    find: async (id) => rows.find((r) => r.id === id) ?? null,
    lock: async (_em, id) => ({ ...rows.find((r) => r.id === id)! }),
    isExpected: async (_em, _m, userId) => userId !== 'bob',
    hasOpen: async (_em, m, u) =>
      rows.some((r) => r.meetingId === m && r.userId === u && ['pending', 'approved'].includes(r.status)),
    insert: async (_em, row) => {
      const saved = {
        ...row,
        id: `leave-${rows.length + 1}`,
        decidedBy: null,
        decidedAt: null,
        decisionNote: null,
        createdAt: new Date(),
      } as LeaveRequestEntity;
      rows.push(saved);
      return saved;
    },
    update: async (_em, id, patch) => {
      Object.assign(
        rows.find((r) => r.id === id)!,
        patch,
      );
    },
    list: async (where) =>
      rows
        .filter((r) =>
          'id' in where
            ? r.id === where.id
            : r.meetingId === where.meetingId && (!where.userId || r.userId === where.userId),
        )
        .map((r): LeaveRow => ({
          id: r.id,
          meetingId: r.meetingId,
          userId: r.userId,
          reason: r.reason,
          type: r.type,
          status: r.status,
          decidedBy: r.decidedBy,
          decidedAt: r.decidedAt,
          decisionNote: r.decisionNote,
          createdAt: r.createdAt,
        })),
  };
  const relationOf = (user: AuthUser) => relations[user.id];
  const access: Partial<AccessService> = {
    unit: async (user, _unitId, action) => {
      if (action === 'leave.decide' && relationOf(user) !== 'manager') throw Forbidden('access.roleForbids');
      return { unit: { id: 'branch' }, relation: relationOf(user) } as never;
    },
  };
  const directory: Partial<MeetingDirectory> = {
    authorise: async (user) => ({ meeting, unit: { id: 'branch' }, relation: relationOf(user) }) as never,
    lock: async () => meeting as never,
    get: async () => meeting as never,
  };
  const users: Partial<UserDirectory> = {
    names: async (ids) => new Map(ids.filter((id): id is string => !!id).map((id) => [id, names[id]])),
  };
  const audit: Partial<AuditService> = {
    append: async (_em, input) => {
      audits.push(...(Array.isArray(input) ? input : [input]).map((e) => e.action));
    },
  };
  const attendance: Partial<AttendanceService> = {
    recompute: async (_id, cause, tx) => {
      expect(tx).toBe(em);
      recomputed.push(cause);
      return null;
    },
  };
  const notifications: Partial<NotificationsService> = {
    aboutMeeting: async (_em, _m, kind, userIds) => {
      told.push({ userIds: [...userIds], kind });
      return [];
    },
    add: async (_em, input) => {
      for (const i of Array.isArray(input) ? input : [input])
        told.push({ userIds: [...i.userIds], kind: i.kind });
      return [];
    },
    push: () => undefined,
  };
  const recipients: Partial<RecipientsRepository> = {
    managersOf: async (unitId, tx) => {
      expect(tx).toBe(em);
      return unitId === 'branch' ? ['sec'] : [];
    },
  };
  const service = new LeaveRequestsService(
    repo as LeaveRequestsRepository,
    access as AccessService,
    directory as MeetingDirectory,
    users as UserDirectory,
    audit as AuditService,
    attendance as AttendanceService,
    notifications as NotificationsService,
    recipients as RecipientsRepository,
  );
  return { service, rows, audits, recomputed, told };
}

const as = (id: string) => ({ id }) as AuthUser;
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof DomainError ? `${e.status} ${e.messageKey}` : String(e)),
  );

describe('LeaveRequestsService (repository faked)', () => {
  it('takes a request from an expected attendee, once, audited, and tells the managers', async () => {
    const { service, audits, told } = setup();
    const made = await service.create(as('ann'), MEETING, { reason: '外出培训', type: 'personal' });
    expect(made).toMatchObject({ userId: 'ann', name: '王芳', reason: '外出培训', status: 'pending' });
    expect(audits).toEqual(['leave.request']);
    expect(told).toEqual([{ userIds: ['sec'], kind: 'leave.requested' }]);
    expect(await refusal(service.create(as('ann'), MEETING, { reason: '再请', type: 'personal' }))).toBe(
      '409 leave.duplicate',
    );
    expect(await refusal(service.create(as('bob'), MEETING, { reason: '不在名单', type: 'personal' }))).toBe(
      '403 leave.notExpected',
    );
  });

  it('refuses a request once the meeting has ended', async () => {
    const { service } = setup('ended');
    expect(await refusal(service.create(as('ann'), MEETING, { reason: '晚了', type: 'personal' }))).toBe(
      '409 leave.meetingClosed',
    );
  });

  it("lists every request for a manager, only one's own for a member", async () => {
    const { service } = setup();
    await service.create(as('ann'), MEETING, { reason: '出差', type: 'personal' });
    await service.create(as('sec'), MEETING, { reason: '开会', type: 'business' });
    expect((await service.list(as('sec'), MEETING)).map((r) => r.userId)).toEqual(['ann', 'sec']);
    expect((await service.list(as('ann'), MEETING)).map((r) => r.userId)).toEqual(['ann']);
  });

  it('is withdrawn by its author only, while pending', async () => {
    const { service, audits } = setup();
    const { id } = await service.create(as('ann'), MEETING, { reason: '出差', type: 'personal' });
    expect(await refusal(service.withdraw(as('sec'), id))).toBe('404 notFound.leaveRequest');
    expect((await service.withdraw(as('ann'), id)).status).toBe('withdrawn');
    expect(await refusal(service.withdraw(as('ann'), id))).toBe('409 leave.alreadyDecided');
    expect(audits).toEqual(['leave.request', 'leave.withdraw']);
  });

  it('is decided by a manager: recomputes the attendance in the same transaction and tells the member', async () => {
    const { service, recomputed, told, audits } = setup('live');
    const { id } = await service.create(as('ann'), MEETING, { reason: '出差', type: 'personal' });
    expect(await refusal(service.decide(as('ann'), id, { approve: true }))).toBe('403 access.roleForbids');
    const decided = await service.decide(as('sec'), id, { approve: true, note: '同意' });
    expect(decided).toMatchObject({ status: 'approved', decidedBy: 'sec', decisionNote: '同意' });
    expect(recomputed).toEqual([{ kind: 'leave', actorId: 'sec', leaveRequestId: id }]);
    expect(told.at(-1)).toEqual({ userIds: ['ann'], kind: 'leave.decided' });
    expect(audits).toEqual(['leave.request', 'leave.decide']);
    expect(await refusal(service.decide(as('sec'), id, { approve: false }))).toBe('409 leave.alreadyDecided');
    expect(await refusal(service.decide(as('sec'), 'nope', { approve: true }))).toBe(
      `404 ${NotFound('notFound.leaveRequest').messageKey}`,
    );
  });
});
