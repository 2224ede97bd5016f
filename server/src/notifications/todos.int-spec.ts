/**
 * One's to-do list (待办): leave requests to decide (managers), meetings about to start (attendees), minutes to
 * write, fix (the branch) and review (the upper level), make-up study owed; each item gone once it is done.
 * Real sockets, real PostgreSQL.
 */
import type { TodoItem, TodoList } from '@branchmeet/shared';
import { demoUnits, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit } from '../test-support/rtc-client';

let t: TestApp;
let u: DemoUnits;
let kit: RtcKit;
const people = ['secretary1', 'member1', '13800000015', 'committee', 'secretary2'] as const;
type Who = (typeof people)[number];
const auth = {} as Record<Who, { Authorization: string }>;
const tokens = {} as Record<Who, string>;

beforeAll(async () => {
  t = await startTestApp({ listen: true, env: { MEETING_REMINDER_TICK_SECONDS: '3600' } });
  u = await demoUnits(t.ds);
  kit = new RtcKit(t.baseUrl);
  for (const who of people) {
    const { auth: a, session } = await t.login(who);
    auth[who] = a;
    tokens[who] = session.accessToken;
  }
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

const todos = async (who: Who, meetingId: string): Promise<TodoItem[]> => {
  const res = await t.http().get('/api/todos').set(auth[who]);
  expect(res.status).toBe(200);
  return (res.body as TodoList).items.filter((i) => i.meetingId === meetingId);
};
const kinds = async (who: Who, meetingId: string) => (await todos(who, meetingId)).map((i) => i.kind);

async function schedule(type: string, inMinutes: number): Promise<string> {
  const res = await t
    .http()
    .post(`/api/org-units/${u.branchA}/meetings`)
    .set(auth.secretary1)
    .send({ type, start: new Date(Date.now() + inMinutes * 60_000).toISOString() });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function holdAndEnd(meetingId: string): Promise<void> {
  const host = await kit.client(tokens.secretary1);
  await host.join(meetingId);
  await host.call('host.end', {});
}

describe('the to-do list', () => {
  it('a meeting about to start, and a leave request to decide until it is decided', async () => {
    const meetingId = await schedule('branch_assembly', 30);
    expect(await kinds('member1', meetingId)).toEqual(['meeting.soon']);
    expect(await kinds('secretary2', meetingId)).toEqual([]);
    const asked = await t
      .http()
      .post(`/api/meetings/${meetingId}/leave-requests`)
      .set(auth.member1)
      .send({ reason: '外出培训', type: 'business' });
    expect(asked.status).toBe(201);
    const [decide] = (await todos('secretary1', meetingId)).filter((i) => i.kind === 'leave.decide');
    expect(decide).toMatchObject({
      leaveRequestId: asked.body.id,
      name: '刘洋',
      reason: '外出培训',
      leaveType: 'business',
      unitName: '第一党支部',
    });
    // Not the upper level's, not a plain member's.
    expect(await kinds('committee', meetingId)).not.toContain('leave.decide');
    expect(await kinds('13800000015', meetingId)).toEqual(['meeting.soon']);
    await t
      .http()
      .post(`/api/leave-requests/${asked.body.id}/decision`)
      .set(auth.secretary1)
      .send({ approve: true })
      .expect(200);
    expect(await kinds('secretary1', meetingId)).not.toContain('leave.decide');
    // On leave: no longer expected to come.
    expect(await kinds('member1', meetingId)).toEqual([]);
  });

  it('minutes to write, then to review (upper level), then to fix (branch), gone once approved', async () => {
    const meetingId = await schedule('committee_meeting', 5);
    await holdAndEnd(meetingId);
    expect(await kinds('secretary1', meetingId)).toEqual(['minutes.write']);
    expect(await kinds('committee', meetingId)).toEqual([]);
    await t.http().get(`/api/meetings/${meetingId}/minutes`).set(auth.secretary1).expect(200);
    await t.http().post(`/api/meetings/${meetingId}/minutes/submit`).set(auth.secretary1).expect(200);
    expect(await kinds('secretary1', meetingId)).toEqual([]);
    expect(await kinds('committee', meetingId)).toEqual(['minutes.review']);
    expect(await kinds('secretary2', meetingId)).toEqual([]);
    await t
      .http()
      .post(`/api/meetings/${meetingId}/minutes/return`)
      .set(auth.committee)
      .send({ reason: '请补充决议' })
      .expect(200);
    expect(await todos('secretary1', meetingId)).toEqual([
      expect.objectContaining({ kind: 'minutes.fix', reason: '请补充决议' }),
    ]);
    expect(await kinds('committee', meetingId)).toEqual([]);
    await t.http().post(`/api/meetings/${meetingId}/minutes/submit`).set(auth.secretary1).expect(200);
    await t
      .http()
      .post(`/api/meetings/${meetingId}/minutes/approve`)
      .set(auth.committee)
      .send({})
      .expect(200);
    expect(await kinds('secretary1', meetingId)).toEqual([]);
    expect(await kinds('committee', meetingId)).toEqual([]);
  }, 30_000);

  it('make-up study owed for a recorded lecture one missed', async () => {
    const meetingId = await schedule('lecture', 5);
    await holdAndEnd(meetingId);
    // Not recorded: nothing to make up.
    expect(await kinds('13800000015', meetingId)).toEqual([]);
    await t.ds.query(
      `INSERT INTO recording (meeting_id, unit_id, started_at, ended_at, duration_ms, size_bytes, mime_type,
         storage, storage_key) VALUES ($1, $2, now(), now(), 1000, 10, 'video/webm', 'local', 'x.webm')`,
      [meetingId, u.branchA],
    );
    expect(await kinds('13800000015', meetingId)).toEqual(['makeup.owed']);
    // Someone not expected at it (the upper level) owes nothing.
    expect(await kinds('committee', meetingId)).toEqual([]);
  }, 30_000);
});
