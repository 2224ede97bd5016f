/**
 * Notifications that reach the people who must act: a leave request reaches the branch's managers
 * (and its withdrawal), a meeting scheduled for now is reminded of at once, a meeting going live tells its
 * expected attendees, and the minutes' review tells the upper level (submitted) and the writers (returned,
 * approved). Real sockets, real PostgreSQL.
 */
import type { Notification } from '@branchmeet/shared';
import { demoUnits, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit, type RtcTestClient } from '../test-support/rtc-client';

let t: TestApp;
let u: DemoUnits;
let kit: RtcKit;
const people = ['secretary1', 'member1', 'member2', 'committee', 'secretary2'] as const;
type Who = (typeof people)[number];
const auth = {} as Record<Who, { Authorization: string }>;
const tokens = {} as Record<Who, string>;
const sockets = {} as Record<Who, RtcTestClient>;

beforeAll(async () => {
  // A tick of an hour: only what the change itself causes can deliver the reminder.
  t = await startTestApp({ listen: true, env: { MEETING_REMINDER_TICK_SECONDS: '3600' } });
  u = await demoUnits(t.ds);
  kit = new RtcKit(t.baseUrl);
  for (const who of people) {
    const { auth: a, session } = await t.login(who);
    auth[who] = a;
    tokens[who] = session.accessToken;
    sockets[who] = await kit.client(session.accessToken);
  }
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

const kinds = (who: Who, meetingId: string) =>
  sockets[who]
    .seen('notification.created')
    .filter((n: Notification) => n.meetingId === meetingId)
    .map((n) => n.kind);
const waitFor = (who: Who, kind: Notification['kind'], meetingId: string) =>
  sockets[who].next('notification.created', (n) => n.kind === kind && n.meetingId === meetingId, 10_000);

describe('notifications that reach people', () => {
  let meetingId = '';

  it('a meeting scheduled to start now is reminded of at once, not at the next tick', async () => {
    const res = await t
      .http()
      .post(`/api/org-units/${u.branchA}/meetings`)
      .set(auth.secretary1)
      .send({ type: 'branch_assembly', start: new Date(Date.now() - 60_000).toISOString() });
    expect(res.status).toBe(201);
    meetingId = res.body.id as string;
    const reminder = await sockets.member1.next(
      'notification.created',
      (n) => n.kind === 'meeting.reminder' && n.meetingId === meetingId,
      // Well inside the hour-long tick, and roomy for a machine loaded to 20 (it missed 10 s once there).
      30_000,
    );
    expect(reminder.params).toMatchObject({ title: res.body.title, unitName: '第一党支部' });
    // Once only.
    expect(kinds('member1', meetingId).filter((k) => k === 'meeting.reminder')).toHaveLength(1);
  });

  it('a leave request reaches the branch’s managers (with who, why and the type), its withdrawal too', async () => {
    const told = waitFor('secretary1', 'leave.requested', meetingId);
    const asked = await t
      .http()
      .post(`/api/meetings/${meetingId}/leave-requests`)
      .set(auth.member1)
      .send({ reason: '住院治疗', type: 'sick' });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ type: 'sick', status: 'pending' });
    expect((await told).params).toMatchObject({ name: '刘洋', reason: '住院治疗', leaveType: 'sick' });
    // The upper level and another branch are not told; nor is the member who asked.
    expect(kinds('committee', meetingId)).not.toContain('leave.requested');
    expect(kinds('secretary2', meetingId)).toEqual([]);
    expect(kinds('member1', meetingId)).not.toContain('leave.requested');

    // Someone else cannot withdraw it; the member can, once.
    const other = await t.http().post(`/api/leave-requests/${asked.body.id}/withdraw`).set(auth.member2);
    expect(other.status).toBe(404);
    const withdrawnNotice = waitFor('secretary1', 'leave.withdrawn', meetingId);
    const withdrawn = await t.http().post(`/api/leave-requests/${asked.body.id}/withdraw`).set(auth.member1);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn' });
    expect((await withdrawnNotice).params).toMatchObject({ name: '刘洋' });
    expect(
      (await t.http().post(`/api/leave-requests/${asked.body.id}/withdraw`).set(auth.member1)).status,
    ).toBe(409);
    // Nothing left to decide; the member may ask again.
    expect(
      (
        await t
          .http()
          .post(`/api/leave-requests/${asked.body.id}/decision`)
          .set(auth.secretary1)
          .send({ approve: true })
      ).status,
    ).toBe(409);
    const again = await t
      .http()
      .post(`/api/meetings/${meetingId}/leave-requests`)
      .set(auth.member1)
      .send({ reason: '出差', type: 'business' });
    expect(again.body).toMatchObject({ type: 'business', status: 'pending' });
  });

  it('a meeting going live tells its expected attendees, not the host who started it', async () => {
    const started = waitFor('member1', 'meeting.started', meetingId);
    const host = await kit.client(tokens.secretary1);
    await host.join(meetingId);
    expect((await started).params).toMatchObject({ unitName: '第一党支部' });
    expect(kinds('secretary1', meetingId)).not.toContain('meeting.started');
    await host.call('host.end', {});
  });

  it('minutes submitted reach the upper level; returned and approved reach the writers', async () => {
    const submitted = waitFor('committee', 'minutes.submitted', meetingId);
    await t.http().get(`/api/meetings/${meetingId}/minutes`).set(auth.secretary1).expect(200);
    await t.http().post(`/api/meetings/${meetingId}/minutes/submit`).set(auth.secretary1).expect(200);
    expect((await submitted).params).toMatchObject({ unitName: '第一党支部' });
    expect(kinds('secretary2', meetingId)).toEqual([]);
    expect(kinds('secretary1', meetingId)).not.toContain('minutes.submitted');

    const returned = waitFor('secretary1', 'minutes.returned', meetingId);
    await t
      .http()
      .post(`/api/meetings/${meetingId}/minutes/return`)
      .set(auth.committee)
      .send({ reason: '缺少讨论内容' })
      .expect(200);
    expect((await returned).params).toMatchObject({ reason: '缺少讨论内容' });

    await t.http().post(`/api/meetings/${meetingId}/minutes/submit`).set(auth.secretary1).expect(200);
    const approved = waitFor('secretary1', 'minutes.approved', meetingId);
    await t
      .http()
      .post(`/api/meetings/${meetingId}/minutes/approve`)
      .set(auth.committee)
      .send({ comment: '同意' })
      .expect(200);
    expect((await approved).params).toMatchObject({ comment: '同意' });
    // Stored too, for the bell.
    const list = await t.http().get('/api/notifications').set(auth.committee).expect(200);
    expect(list.body.items.map((n: Notification) => n.kind)).toContain('minutes.submitted');
  });
});
