/**
 * Final attendance: records are computed and stored when a meeting ends, and change only through
 * AttendanceService.recompute — a leave decision, a rule change (with recomputeFrom), a make-up study — each
 * audited with the changed records before and after. Meetings and presence are written straight into the
 * database (what the media session would have recorded); the end, the decisions and the rules go through the
 * app.
 */
import type {
  AttendanceRecord,
  BranchAttendanceRules,
  MeetingAttendance,
  UnitStatistics,
  UpdateAttendanceRulesResult,
} from '@branchmeet/shared';
import { MeetingsService } from '../meetings/meetings.service';
import { demoUnits, userIdByPhone, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { AttendanceService } from './attendance.service';

let t: TestApp;
let u: DemoUnits;
const auth = {} as Record<'secretary1' | 'member1' | 'committee' | 'secretary2', { Authorization: string }>;
const who = {} as Record<'sec' | 'zw' | 'mem1' | 'cj' | 'yf', string>;
const T0 = Date.parse('2026-05-10T01:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000);

/** A live meeting of branch A that started at T0, expecting `expected`, with [user, from, to] minutes of presence. */
async function liveMeeting(expected: string[], segments: [string, number, number][]): Promise<string> {
  const [row]: { id: string }[] = await t.ds.query(
    `INSERT INTO meeting (unit_id, type, title, host_id, status, started_at, created_by)
     VALUES ($1, 'branch_assembly', '定案测试', $2, 'live', $3, $2) RETURNING id`,
    [u.branchA, who.sec, at(0)],
  );
  for (const userId of expected)
    await t.ds.query(`INSERT INTO meeting_attendee (meeting_id, user_id, kind) VALUES ($1, $2, 'expected')`, [
      row.id,
      userId,
    ]);
  for (const [userId, from, to] of segments)
    await t.ds.query(
      `INSERT INTO presence_segment (meeting_id, user_id, peer_id, opened_at, closed_at, last_heartbeat_at, close_reason)
       VALUES ($1, $2, gen_random_uuid(), $3, $4, $4, 'left')`,
      [row.id, userId, at(from), at(to)],
    );
  return row.id;
}

const attendance = async (meetingId: string) => {
  const res = await t.http().get(`/api/meetings/${meetingId}/attendance`).set(auth.secretary1);
  expect(res.status).toBe(200);
  return res.body as MeetingAttendance;
};
const statusOf = (a: MeetingAttendance) =>
  Object.fromEntries(a.records.map((r: AttendanceRecord) => [r.userId, r.status]));
const recomputeEvents = async (meetingId: string) =>
  (
    await t.ds.query(
      `SELECT actor_id, before, after FROM audit_event WHERE action = 'attendance.recompute' AND entity_id = $1
       ORDER BY id`,
      [meetingId],
    )
  ).map((e: { actor_id: string | null; before: unknown; after: unknown }) => e) as {
    actor_id: string | null;
    before: { rules: object; records: AttendanceRecord[] };
    after: { cause: string; rules: object; records: AttendanceRecord[]; leaveRequestId?: string };
  }[];

beforeAll(async () => {
  t = await startTestApp();
  u = await demoUnits(t.ds);
  for (const a of ['secretary1', 'member1', 'committee', 'secretary2'] as const)
    auth[a] = (await t.login(a)).auth;
  who.sec = await userIdByPhone(t.ds, '13800000011');
  who.zw = await userIdByPhone(t.ds, '13800000012');
  who.mem1 = await userIdByPhone(t.ds, '13800000013');
  who.cj = await userIdByPhone(t.ds, '13800000014');
  who.yf = await userIdByPhone(t.ds, '13800000015');
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('final records', () => {
  let meetingId = '';
  let leaveId = '';

  it('are computed and stored when the meeting ends; later presence writes do not change them', async () => {
    meetingId = await liveMeeting(
      [who.sec, who.zw, who.mem1, who.cj],
      [
        [who.sec, 0, 60], // present
        [who.zw, 10, 60], // late (10 > 5 minutes)
        [who.cj, 0, 20], // left early (20 of 60 < 50%)
      ],
    );
    // mem1 asks for leave while the meeting is live; nobody decides before it ends.
    const leave = await t
      .http()
      .post(`/api/meetings/${meetingId}/leave-requests`)
      .set(auth.member1)
      .send({ reason: '出差' });
    expect(leave.status).toBe(201);
    leaveId = leave.body.id;

    const live = await attendance(meetingId);
    expect(live.final).toBe(false);

    expect(await t.app.get(MeetingsService).end(meetingId, who.sec, 'host', at(60))).toBe(true);
    const rows = await t.ds.query(
      `SELECT user_id, status, cause FROM attendance_record r JOIN meeting_attendance a USING (meeting_id)
       WHERE meeting_id = $1`,
      [meetingId],
    );
    expect(rows).toHaveLength(4);
    expect(rows.every((r: { cause: string }) => r.cause === 'end')).toBe(true);
    // The end's audit event carries the counts the records were finalised with.
    const [end] = await t.ds.query(
      `SELECT after FROM audit_event WHERE action = 'meeting.end' AND entity_id = $1`,
      [meetingId],
    );
    // 实到 3 (one of them left early); the rate counts present and late only: 2 of 4.
    expect(end.after.attendance).toEqual({
      expected: 4,
      present: 3,
      leftEarly: 1,
      attended: 2,
      excused: 0,
      absent: 1,
      makeUp: 0,
      rate: 50,
    });

    // A segment written after the end (a late write, a bug, a hand edit) changes nothing: the records are final.
    await t.ds.query(
      `INSERT INTO presence_segment (meeting_id, user_id, peer_id, opened_at, closed_at, last_heartbeat_at, close_reason)
       VALUES ($1, $2, gen_random_uuid(), $3, $4, $4, 'left')`,
      [meetingId, who.mem1, at(0), at(60)],
    );
    const final = await attendance(meetingId);
    expect(final).toMatchObject({
      final: true,
      status: 'ended',
      rules: { lateAfterMinutes: 5, presentMinPercent: 50 },
    });
    expect(statusOf(final)).toEqual({
      [who.sec]: 'present',
      [who.zw]: 'late',
      [who.mem1]: 'absent',
      [who.cj]: 'left_early',
    });
    expect(await recomputeEvents(meetingId)).toEqual([]);
  });

  it('a leave decision after the end recomputes them: absent becomes excused, audited before/after', async () => {
    const res = await t
      .http()
      .post(`/api/leave-requests/${leaveId}/decision`)
      .set(auth.secretary1)
      .send({ approve: true });
    expect(res.status).toBe(200);
    expect(statusOf(await attendance(meetingId))[who.mem1]).toBe('excused');
    const [event] = await recomputeEvents(meetingId);
    expect(event.actor_id).toBe(who.sec);
    expect(event.after).toMatchObject({ cause: 'leave', leaveRequestId: leaveId });
    // Only what changed is in the event: mem1, absent → excused.
    expect(event.before.records).toEqual([expect.objectContaining({ userId: who.mem1, status: 'absent' })]);
    expect(event.after.records).toEqual([expect.objectContaining({ userId: who.mem1, status: 'excused' })]);
  });

  it('rules: defaults until set; only managers set them (member 403, other branch 404)', async () => {
    const path = `/api/org-units/${u.branchA}/attendance-rules`;
    const read = await t.http().get(path).set(auth.member1);
    expect(read.status).toBe(200);
    expect(read.body as BranchAttendanceRules).toEqual({
      unitId: u.branchA,
      rules: { lateAfterMinutes: 5, presentMinPercent: 50 },
      meetingMinMinutes: 30,
      isDefault: true,
      updatedAt: null,
    });
    const body = { lateAfterMinutes: 15, presentMinPercent: 30 };
    expect((await t.http().put(path).set(auth.member1).send(body)).status).toBe(403);
    expect((await t.http().put(path).set(auth.committee).send(body)).status).toBe(403);
    expect((await t.http().put(path).set(auth.secretary2).send(body)).status).toBe(404);
    // A party group or the committee has no rules of its own.
    expect(
      (await t.http().put(`/api/org-units/${u.groupA}/attendance-rules`).set(auth.secretary1).send(body))
        .status,
    ).toBe(400);
  });

  it('a rule change applies from now on: ended meetings keep their records unless recomputeFrom says so', async () => {
    const path = `/api/org-units/${u.branchA}/attendance-rules`;
    const body = { lateAfterMinutes: 15, presentMinPercent: 30 };
    const set = await t.http().put(path).set(auth.secretary1).send(body);
    expect(set.status).toBe(200);
    expect(set.body as UpdateAttendanceRulesResult).toMatchObject({
      rules: body,
      isDefault: false,
      recomputed: 0,
      changed: 0,
    });
    let a = await attendance(meetingId);
    expect(a.rules).toEqual({ lateAfterMinutes: 5, presentMinPercent: 50 });
    expect(statusOf(a)[who.zw]).toBe('late');

    const again = await t
      .http()
      .put(path)
      .set(auth.secretary1)
      .send({ ...body, recomputeFrom: at(-60).toISOString() });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ recomputed: 1, changed: 1 });
    a = await attendance(meetingId);
    expect(a.rules).toEqual(body);
    // zw came 10 minutes late (≤ 15: on time now); cj's 20 of 60 minutes is ≥ 30%.
    expect(statusOf(a)).toEqual({
      [who.sec]: 'present',
      [who.zw]: 'present',
      [who.mem1]: 'excused',
      [who.cj]: 'present',
    });
    const events = await recomputeEvents(meetingId);
    const last = events[events.length - 1];
    expect(last.after).toMatchObject({ cause: 'rules', rules: body });
    expect(last.before.rules).toEqual({ lateAfterMinutes: 5, presentMinPercent: 50 });
    expect(last.before.records.map((r) => [r.userId, r.status])).toEqual([
      [who.zw, 'late'],
      [who.cj, 'left_early'],
    ]);
    expect(last.after.records.map((r) => [r.userId, r.status])).toEqual([
      [who.zw, 'present'],
      [who.cj, 'present'],
    ]);
    const [rulesEvent] = await t.ds.query(
      `SELECT before, after FROM audit_event WHERE action = 'attendance.rules_update' ORDER BY id LIMIT 1`,
    );
    expect(rulesEvent.before.rules).toEqual({ lateAfterMinutes: 5, presentMinPercent: 50 });
    expect(rulesEvent.after.rules).toEqual(body);
    // A meeting that ends now is finalised with the branch's rules.
    const next = await liveMeeting([who.zw], [[who.zw, 12, 60]]);
    await t.app.get(MeetingsService).end(next, null, 'empty', at(60));
    const n = await attendance(next);
    expect(n.rules).toEqual(body);
    expect(statusOf(n)[who.zw]).toBe('present');
    // The audit chain still verifies.
    const admin = await t.login('admin');
    expect((await t.http().get('/api/audit/verify').set(admin.auth)).body).toMatchObject({ ok: true });
  });

  it('make-up study (补学): recompute(make_up) turns a missed meeting into make_up and keeps it afterwards', async () => {
    const service = t.app.get(AttendanceService);
    const meeting = await liveMeeting([who.sec, who.yf], [[who.sec, 0, 60]]);
    // Not ended yet: there is nothing to make up.
    await expect(
      service.recompute(meeting, { kind: 'make_up', actorId: null, userId: who.yf, completedAt: at(90) }),
    ).rejects.toMatchObject({ status: 409 });
    await t.app.get(MeetingsService).end(meeting, who.sec, 'host', at(60));
    expect(statusOf(await attendance(meeting))[who.yf]).toBe('absent');

    const result = await service.recompute(meeting, {
      kind: 'make_up',
      actorId: who.yf,
      userId: who.yf,
      completedAt: at(24 * 60),
    });
    expect(result?.changed).toBe(1);
    let a = await attendance(meeting);
    expect(a.records.find((r) => r.userId === who.yf)).toMatchObject({
      status: 'make_up',
      makeUpAt: at(24 * 60).toISOString(),
      joinCount: 0,
    });
    const [event] = await recomputeEvents(meeting);
    expect(event.after).toMatchObject({ cause: 'make_up', userId: who.yf });
    expect(event.before.records).toEqual([expect.objectContaining({ userId: who.yf, status: 'absent' })]);

    // A later recomputation (a rule change) keeps the make-up.
    await t
      .http()
      .put(`/api/org-units/${u.branchA}/attendance-rules`)
      .set(auth.secretary1)
      .send({ lateAfterMinutes: 5, presentMinPercent: 50, recomputeFrom: at(-1).toISOString() })
      .expect(200);
    a = await attendance(meeting);
    expect(a.records.find((r) => r.userId === who.yf)?.status).toBe('make_up');

    // Statistics count it apart: neither 实到 nor 缺席.
    const s = await t
      .http()
      .get(`/api/org-units/${u.branchA}/statistics`)
      .query({ from: '2026-05-01T00:00:00+08:00', to: '2026-06-01T00:00:00+08:00' })
      .set(auth.secretary1);
    expect(s.status).toBe(200);
    const stats = s.body as UnitStatistics;
    const row = stats.meetings.find((m) => m.meetingId === meeting);
    // 补学 counts toward the rate: 1 present + 1 made up of 2.
    expect(row).toMatchObject({ expected: 2, present: 1, absent: 0, makeUp: 1, rate: 100 });
    expect(stats.members.find((m) => m.userId === who.yf)).toMatchObject({ makeUp: 1, absent: 0 });
    expect(stats.months).toEqual([expect.objectContaining({ month: '2026-05', meetingsHeld: 3 })]);
  });
});
