/**
 * AttendanceService against fakes: its repository (an in-memory stored record set), the meetings' and orgs'
 * directories and the audit log. What is tested is the service's own logic: which meetings it finalises, the
 * rules it uses, how a recompute changes statuses and what it audits, and what it refuses.
 */
import type { EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { DomainError } from '../common/domain-error';
import type { MeetingDirectory } from '../meetings/meeting-directory.service';
import type { OrgDirectory } from '../orgs/access.service';
import type { AttendanceRules } from './attendance-rules';
import type { AttendanceRepository, FinalHead, NewRecord, RecordRow } from './attendance.repository';
import { AttendanceService } from './attendance.service';

const em = {} as EntityManager;
const T0 = new Date('2026-05-01T01:00:00Z');
const at = (min: number) => new Date(T0.getTime() + min * 60_000);
const UNIT = 'unit-1';
const MEETING = 'meeting-1';
const names: Record<string, string> = { host: '李红梅', ann: '王芳', bob: '张伟', cat: '陈静' };

function setup(opts: { status?: 'live' | 'ended'; ownRules?: AttendanceRules } = {}) {
  const meeting = {
    id: MEETING,
    unitId: UNIT,
    status: opts.status ?? 'ended',
    startedAt: T0,
    endedAt: opts.status === 'live' ? null : at(60),
    hostId: 'host',
  };
  const leaves: { meeting_id: string; user_id: string; reason: string }[] = [];
  const heads: FinalHead[] = [];
  let records: NewRecord[] = [];
  const audits: { action: string; before?: unknown; after?: unknown }[] = [];
  const segments = [
    // host on time all along, ann 10 minutes late (rules: late after 5), bob never, cat the first 20 minutes.
    { meeting_id: MEETING, user_id: 'host', opened_at: at(0), closed_at: null },
    { meeting_id: MEETING, user_id: 'ann', opened_at: at(10), closed_at: null },
    { meeting_id: MEETING, user_id: 'cat', opened_at: at(0), closed_at: at(20) },
  ];
  const repo: Partial<AttendanceRepository> = {
    manager: em,
    transaction: (run) => run(em),
    ownRules: async (_em, ids) => new Map(opts.ownRules && ids.includes(UNIT) ? [[UNIT, opts.ownRules]] : []),
    finalHeads: async (_em, ids) => heads.filter((h) => ids.includes(h.meeting_id)),
    finalRows: async (_em, ids, kinds): Promise<RecordRow[]> =>
      records
        .filter((r) => ids.includes(r.meetingId) && kinds.includes(r.kind))
        .map((r) => ({
          meeting_id: r.meetingId,
          user_id: r.userId,
          name: names[r.userId],
          kind: r.kind,
          first_join: r.firstJoin,
          last_leave: r.lastLeave,
          join_count: r.joinCount,
          total_ms: String(r.totalMs),
          status: r.status,
          make_up_at: r.makeUpAt,
        })),
    claimFinal: async (_em, list, computedAt) => {
      const mine = new Set<string>();
      for (const h of list)
        if (!heads.some((x) => x.meeting_id === h.meetingId)) {
          heads.push({
            meeting_id: h.meetingId,
            late: h.rules.lateAfterMinutes,
            percent: h.rules.presentMinPercent,
            computed_at: computedAt,
            cause: 'end',
          });
          mine.add(h.meetingId);
        }
      return mine;
    },
    insertRecords: async (_em, rows) => {
      records.push(...rows);
    },
    replaceFinal: async (_em, meetingId, rules, cause, rows) => {
      const h = heads.find((x) => x.meeting_id === meetingId)!;
      Object.assign(h, { late: rules.lateAfterMinutes, percent: rules.presentMinPercent, cause });
      records = [...records.filter((r) => r.meetingId !== meetingId), ...rows];
    },
    memberSegments: async () => segments,
    guestSegments: async () => [],
    noMediaSeconds: async () => new Map(),
    corrections: async () => new Map(),
    upsertCorrection: async () => null,
    correctionCount: async () => 0,
  };
  const meetings: Partial<MeetingDirectory> = {
    authorise: async () => ({ meeting, unit: { id: UNIT } as never, relation: 'member' as const }) as never,
    lock: async () => meeting as never,
    ended: async (ids) => (meeting.status === 'ended' && ids.includes(MEETING) ? [meeting] : []),
    attendees: async () =>
      ['ann', 'bob', 'cat', 'host'].map((u) => ({
        meeting_id: MEETING,
        user_id: u,
        kind: 'expected' as const,
        name: names[u],
      })),
    approvedLeaves: async () => leaves,
    guestNames: async () => new Map(),
  };
  const orgs: Partial<OrgDirectory> = {
    rosters: async () =>
      ['host', 'ann', 'bob', 'cat'].map((u) => ({ unit_id: UNIT, user_id: u, name: names[u] })),
  };
  const audit: Partial<AuditService> = {
    append: async (_em, input) => {
      audits.push(...(Array.isArray(input) ? input : [input]));
    },
  };
  const service = new AttendanceService(
    repo as AttendanceRepository,
    meetings as MeetingDirectory,
    orgs as OrgDirectory,
    audit as AuditService,
    { ATTENDANCE_LATE_AFTER_MINUTES: 5, ATTENDANCE_PRESENT_MIN_PERCENT: 50 },
  );
  return { service, heads, leaves, audits, records: () => records };
}

const user = { id: 'ann' } as AuthUser;
const statuses = (list: { userId: string; status: string }[]) =>
  Object.fromEntries(list.map((r) => [r.userId, r.status]));

describe('AttendanceService (repository faked)', () => {
  it('finalises an ended meeting once, in roster order, by the default rules', async () => {
    const { service, heads, records } = setup();
    const counts = await service.finalize(em, [MEETING]);
    expect(counts.get(MEETING)).toMatchObject({ expected: 4, absent: 1 });
    expect(heads).toHaveLength(1);
    expect(heads[0]).toMatchObject({ late: 5, percent: 50, cause: 'end' });
    expect(records().map((r) => r.userId)).toEqual(['host', 'ann', 'bob', 'cat']);
    expect(statuses(records())).toEqual({ host: 'present', ann: 'late', bob: 'absent', cat: 'left_early' });
    // Already final: a second run leaves it as it is.
    expect((await service.finalize(em, [MEETING])).size).toBe(0);
    expect(records()).toHaveLength(4);
  });

  it("uses the branch's own rules when it has set them", async () => {
    const { service, records } = setup({ ownRules: { lateAfterMinutes: 15, presentMinPercent: 50 } });
    await service.finalize(em, [MEETING]);
    expect(statuses(records()).ann).toBe('present');
  });

  it('reads the stored set of an ended meeting, finalising it on first read', async () => {
    const { service, heads } = setup();
    const read = await service.forMeeting(user, MEETING);
    expect(heads).toHaveLength(1);
    expect(read.final).toBe(true);
    expect(read.durationSeconds).toBe(3600);
    expect(statuses(read.records)).toEqual({
      host: 'present',
      ann: 'late',
      bob: 'absent',
      cat: 'left_early',
    });
  });

  it('computes a live meeting on read and stores nothing', async () => {
    const { service, heads, records } = setup({ status: 'live' });
    const read = await service.forMeeting(user, MEETING, at(30));
    expect(read.final).toBe(false);
    expect(read.durationSeconds).toBe(1800);
    expect(heads).toHaveLength(0);
    expect(records()).toHaveLength(0);
  });

  it('a leave decision recomputes: absent becomes excused, audited with the record before and after', async () => {
    const { service, leaves, audits } = setup();
    await service.finalize(em, [MEETING]);
    leaves.push({ meeting_id: MEETING, user_id: 'bob', reason: '出差' });
    const result = await service.recompute(MEETING, { kind: 'leave', actorId: 'host', leaveRequestId: 'l1' });
    expect(result?.changed).toBe(1);
    expect(statuses(result!.records).bob).toBe('excused');
    const [event] = audits;
    expect(event.action).toBe('attendance.recompute');
    expect(event.before).toMatchObject({ records: [{ userId: 'bob', status: 'absent' }] });
    expect(event.after).toMatchObject({
      cause: 'leave',
      leaveRequestId: 'l1',
      records: [{ userId: 'bob', status: 'excused' }],
    });
  });

  it('a make-up study keeps the presence facts and marks the absent member', async () => {
    const { service } = setup();
    await service.finalize(em, [MEETING]);
    const done = at(24 * 60);
    const result = await service.recompute(MEETING, {
      kind: 'make_up',
      actorId: null,
      userId: 'bob',
      completedAt: done,
    });
    const bob = result!.records.find((r) => r.userId === 'bob')!;
    expect(bob.status).toBe('make_up');
    expect(bob.makeUpAt).toEqual(done);
    expect(bob.joinCount).toBe(0);
  });

  it('refuses a make-up or a correction of a meeting that has not ended; other causes do nothing', async () => {
    const { service, audits } = setup({ status: 'live' });
    const refused = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => (e instanceof DomainError ? `${e.status} ${e.messageKey}` : String(e)),
      );
    expect(
      await refused(
        service.recompute(MEETING, { kind: 'make_up', actorId: null, userId: 'bob', completedAt: T0 }),
      ),
    ).toBe('409 attendance.notEnded');
    expect(
      await refused(
        service.recompute(MEETING, {
          kind: 'correction',
          actorId: 'host',
          userId: 'bob',
          status: 'present',
          reason: 'x',
        }),
      ),
    ).toBe('409 attendance.correctNotEnded');
    expect(
      await service.recompute(MEETING, { kind: 'leave', actorId: 'host', leaveRequestId: 'l' }),
    ).toBeNull();
    expect(audits).toHaveLength(0);
  });
});
