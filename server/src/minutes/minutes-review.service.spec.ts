/**
 * The minutes' review workflow (MinutesService + MinutesReviewService) against fakes: the minutes repository
 * (one in-memory row and its revisions), the meeting directory, people's names, attendance, the live document,
 * votes, the audit log and the notifications. Draft → submitted → returned → submitted → approved → corrected,
 * who may do each step, what each step stores, audits and tells.
 */
import type { MeetingAttendance, MinutesStatus, Relation } from '@branchmeet/shared';
import type { EntityManager } from 'typeorm';
import type { AttendanceService } from '../attendance/attendance.service';
import type { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import type { UserDirectory } from '../auth/user-directory.service';
import { DomainError } from '../common/domain-error';
import type { MeetingDirectory } from '../meetings/meeting-directory.service';
import type { SocketHub } from '../common/socket-hub';
import { ensureSections, readSections } from './minutes-doc';
import type { DocTxn, MinutesDocService } from './minutes-doc.service';
import type { MinutesNotifier } from './minutes-notifier';
import type { MinutesRevisionEntity } from './minutes-revision.entity';
import { MinutesReviewService } from './minutes-review.service';
import type { MinutesVotesService } from './minutes-votes.service';
import type { MinutesEntity } from './minutes.entity';
import type { MinutesRepository } from './minutes.repository';
import { MinutesService } from './minutes.service';
import * as Y from './yjs';

const em = {} as EntityManager;
const MEETING = 'm-1';
const people: Record<string, { name: string; relation: Relation }> = {
  recorder: { name: '刘洋', relation: 'member' },
  member: { name: '王芳', relation: 'member' },
  secretary: { name: '李红梅', relation: 'manager' },
  upper: { name: '赵磊', relation: 'supervisor' },
};
const as = (id: keyof typeof people) => ({ id }) as AuthUser;

function setup(meetingStatus: 'live' | 'ended' = 'ended', openVote = false) {
  const meeting = {
    id: MEETING,
    unitId: 'branch',
    status: meetingStatus,
    type: 'group_meeting',
    title: '组织生活会',
    hostId: 'secretary',
    recorderId: 'recorder',
    groupId: null,
    agenda: ['学习党章'],
    startedAt: new Date('2026-05-01T01:00:00Z'),
    endedAt: meetingStatus === 'ended' ? new Date('2026-05-01T02:00:00Z') : null,
    scheduledStart: null,
    scheduledEnd: null,
  };
  let row: MinutesEntity | null = null;
  const revisions: Partial<MinutesRevisionEntity>[] = [];
  const audits: { action: string; after?: unknown }[] = [];
  const told: { status: MinutesStatus; note: string | null }[] = [];
  const doc = new Y.Doc();
  ensureSections(doc, meeting.agenda);
  const repo: Partial<MinutesRepository> = {
    manager: em,
    transaction: (run) => run(em),
    find: async () => (row ? { ...row } : null),
    insertIfMissing: async (r) => {
      row ??= {
        revision: 0,
        hostSignature: null,
        recorderSignature: null,
        submittedBy: null,
        submittedAt: null,
        reviewedBy: null,
        reviewedAt: null,
        reviewReason: null,
        ...r,
      } as MinutesEntity;
    },
    lock: async () => (row ? { ...row } : null),
    update: async (_id, patch) => {
      Object.assign(row!, patch);
    },
    refreshSearch: async () => undefined,
    insertRevision: async (_em, r) => {
      revisions.push(r);
    },
    attachments: async () => [],
  };
  const txn: DocTxn = { doc, em, change: async (edit) => edit(doc), flush: async () => undefined };
  const docs: Partial<MinutesDocService> = {
    read: async (_id, fn) => fn(doc),
    edit: async (_id, fn) => fn(doc),
    exclusive: async (_id, fn) => fn(txn),
  };
  const attendance: Partial<AttendanceService> = {
    forMeeting: async () =>
      ({
        meetingId: MEETING,
        status: meetingStatus,
        startedAt: meeting.startedAt.toISOString(),
        endedAt: meeting.endedAt?.toISOString() ?? null,
        durationSeconds: 3600,
        rules: { lateAfterMinutes: 5, presentMinPercent: 50 },
        final: meetingStatus === 'ended',
        records: [
          {
            userId: 'recorder',
            name: '刘洋',
            status: 'present',
            firstJoin: null,
            lastLeave: null,
            joinCount: 1,
            totalSeconds: 3600,
            makeUpAt: null,
          },
        ],
        observers: [],
        guests: [],
      }) as MeetingAttendance,
  };
  const meetings: Partial<MeetingDirectory> = {
    authorise: async (user, _id, action) => {
      const relation = people[user.id].relation;
      const allowed: Record<string, Relation[]> = {
        'minutes.read': ['admin', 'manager', 'supervisor', 'member'],
        'minutes.review': ['supervisor'],
        'minutes.correct': ['manager'],
      };
      if (!allowed[action].includes(relation))
        throw new DomainError('forbidden', 403, 'access.roleForbids', { unit: 'b', action });
      return { meeting, unit: { id: 'branch', name: '第一支部' }, relation } as never;
    },
    attendees: async () => [],
    approvedLeaves: async () => [],
    ordinalInPeriod: async () => 1,
  };
  const users: Partial<UserDirectory> = {
    names: async (ids) =>
      new Map(ids.filter((id): id is string => !!id && id in people).map((id) => [id, people[id].name])),
  };
  const audit: Partial<AuditService> = {
    append: async (_em, input) => {
      audits.push(...(Array.isArray(input) ? input : [input]));
    },
  };
  const votes: Partial<MinutesVotesService> = { list: async () => [], hasOpenVote: async () => openVote };
  const notifier: Partial<MinutesNotifier> = {
    changed: async (_m, _actor, status, note) => {
      told.push({ status, note });
    },
  };
  const minutes = new MinutesService(
    repo as MinutesRepository,
    meetings as MeetingDirectory,
    users as UserDirectory,
    audit as AuditService,
    attendance as AttendanceService,
    docs as MinutesDocService,
    votes as MinutesVotesService,
  );
  const review = new MinutesReviewService(
    minutes,
    repo as MinutesRepository,
    users as UserDirectory,
    audit as AuditService,
    docs as MinutesDocService,
    votes as MinutesVotesService,
    { toReaders: () => undefined } as unknown as SocketHub,
    notifier as MinutesNotifier,
  );
  return { minutes, review, revisions, audits, told, doc, row: () => row };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof DomainError ? `${e.status} ${e.messageKey}` : String(e)),
  );

describe('the minutes review (repository faked)', () => {
  it('goes draft → submitted → returned → submitted → approved, each step stored, audited and told', async () => {
    const { minutes, review, revisions, audits, told } = setup();
    const draft = await minutes.get(as('member'), MEETING);
    expect(draft.status).toBe('draft');
    expect(draft.fields.recorder).toEqual({ userId: 'recorder', name: '刘洋' });
    expect(draft.can).toMatchObject({ submit: false, review: false });

    const submitted = await review.submit(as('recorder'), MEETING);
    expect(submitted).toMatchObject({ status: 'submitted', revision: 1, frozen: true });
    expect(submitted.review.submittedBy).toBe('刘洋');
    expect(revisions).toEqual([
      expect.objectContaining({ number: 1, kind: 'submission', createdBy: 'recorder' }),
    ]);

    const returned = await review.returnMinutes(as('upper'), MEETING, { reason: '请补充学习体会' });
    expect(returned).toMatchObject({ status: 'returned', frozen: false });
    expect(returned.review).toMatchObject({ reviewedBy: '赵磊', reason: '请补充学习体会' });

    await review.submit(as('secretary'), MEETING);
    const approved = await review.approve(as('upper'), MEETING, { comment: '同意' });
    expect(approved).toMatchObject({ status: 'approved', revision: 2, frozen: true });
    expect(approved.review.reason).toBeNull();

    expect(audits.map((a) => a.action)).toEqual([
      'minutes.submit',
      'minutes.return',
      'minutes.submit',
      'minutes.approve',
    ]);
    expect(audits[3].after).toMatchObject({ status: 'approved', comment: '同意' });
    expect(told).toEqual([
      { status: 'submitted', note: null },
      { status: 'returned', note: '请补充学习体会' },
      { status: 'submitted', note: null },
      { status: 'approved', note: '同意' },
    ]);
  });

  it('lets neither a plain member submit nor the branch review itself; refuses to skip a step', async () => {
    const { review } = setup();
    expect(await refusal(review.submit(as('member'), MEETING))).toBe('403 minutes.recorderOrManager');
    expect(await refusal(review.approve(as('upper'), MEETING, {}))).toBe('409 minutes.notSubmitted');
    await review.submit(as('recorder'), MEETING);
    expect(await refusal(review.approve(as('secretary'), MEETING, {}))).toBe('403 access.roleForbids');
    expect(await refusal(review.submit(as('recorder'), MEETING))).toBe('409 minutes.locked');
    expect(await refusal(review.correct(as('secretary'), MEETING, { reason: 'x' }))).toBe(
      '409 minutes.notApproved',
    );
  });

  it('is not submitted while the meeting is live or a vote is open', async () => {
    expect(await refusal(setup('live').review.submit(as('recorder'), MEETING))).toBe('409 minutes.stillLive');
    expect(await refusal(setup('ended', true).review.submit(as('recorder'), MEETING))).toBe(
      '409 vote.stillOpen',
    );
  });

  it('takes a correction of approved minutes as a new revision with its reason, reviewed again', async () => {
    const { review, revisions, doc, audits } = setup();
    await review.submit(as('recorder'), MEETING);
    await review.approve(as('upper'), MEETING, {});
    const key = readSections(doc)[0].key;
    expect(await refusal(review.correct(as('secretary'), MEETING, { reason: '无改动', sections: [] }))).toBe(
      '400 minutes.nothingCorrected',
    );
    const corrected = await review.correct(as('secretary'), MEETING, {
      reason: '补记发言',
      sections: [{ key, text: '补记：大家踊跃发言。' }],
    });
    expect(corrected).toMatchObject({ status: 'submitted', revision: 2 });
    expect(corrected.review.reason).toBe('补记发言');
    expect(readSections(doc)[0].text).toBe('补记：大家踊跃发言。');
    expect(revisions[1]).toMatchObject({ number: 2, kind: 'correction', reason: '补记发言' });
    expect(audits.at(-1)).toMatchObject({ action: 'minutes.correct', after: { sections: [key] } });
  });
});
