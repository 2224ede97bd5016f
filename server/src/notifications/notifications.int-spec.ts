/**
 * In-app notifications: stored, pushed over `/rtc` to every socket of the person (one that is in no meeting
 * room), listed and marked read by their owner; the reminder before a meeting is sent once per person and
 * meeting, whatever the number of ticks, restarts or processes. Real sockets, real PostgreSQL.
 */
import type { Notification, NotificationList } from '@branchmeet/shared';
import { demoUnits, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit, type RtcTestClient } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

let t: TestApp;
let u: DemoUnits;
let kit: RtcKit;
const people = ['secretary1', 'member1', 'member2'] as const;
type Who = (typeof people)[number];
const auth = {} as Record<Who, { Authorization: string }>;
const ids = {} as Record<Who, string>;
const sockets = {} as Record<Who, RtcTestClient>;

beforeAll(async () => {
  // A slow tick: the reminder test drives the job itself (and a fast one at its end).
  t = await startTestApp({ listen: true, env: { MEETING_REMINDER_TICK_SECONDS: '3600' } });
  u = await demoUnits(t.ds);
  kit = new RtcKit(t.baseUrl);
  for (const who of people) {
    const { auth: a, session } = await t.login(who);
    auth[who] = a;
    ids[who] = session.me.user.id;
    sockets[who] = await kit.client(session.accessToken);
  }
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

const list = async (who: Who) => {
  const res = await t.http().get('/api/notifications').set(auth[who]);
  expect(res.status).toBe(200);
  return res.body as NotificationList;
};
const received = (who: Who, kind?: string) =>
  sockets[who].seen('notification.created').filter((n: Notification) => !kind || n.kind === kind);
const inMinutes = (min: number) => new Date(Date.now() + min * 60_000).toISOString();

async function schedule(start: string, type = 'branch_assembly'): Promise<string> {
  const res = await t
    .http()
    .post(`/api/org-units/${u.branchA}/meetings`)
    .set(auth.secretary1)
    .send({ type, start });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('notifications', () => {
  let meetingId = '';

  it('scheduling notifies every attendee but the scheduler, stored and pushed to a socket in no room', async () => {
    const pushed = sockets.member1.next('notification.created', (n) => n.kind === 'meeting.scheduled');
    meetingId = await schedule('2027-02-01T06:00:00Z');
    const n = await pushed;
    expect(n).toMatchObject({
      kind: 'meeting.scheduled',
      meetingId,
      read: false,
      params: { title: '2027年2月 支部党员大会', start: '2027-02-01T06:00:00.000Z', unitName: '第一党支部' },
    });
    const mine = await list('member1');
    expect(mine.unread).toBe(1);
    expect(mine.items).toEqual([n]);
    // The scheduler is not told about their own change; another branch hears nothing.
    expect((await list('secretary1')).items).toEqual([]);
    await sleep(200);
    expect(received('member2')).toEqual([]);
    expect((await list('member2')).items).toEqual([]);
  });

  it('a change and a cancellation notify them too, with what changed and why', async () => {
    const changed = sockets.member1.next('notification.created', (n) => n.kind === 'meeting.updated');
    await t
      .http()
      .patch(`/api/meetings/${meetingId}`)
      .set(auth.secretary1)
      .send({ start: '2027-02-02T06:00:00Z' })
      .expect(200);
    expect((await changed).params).toMatchObject({
      changes: 'start,end',
      start: '2027-02-02T06:00:00.000Z',
      previousStart: '2027-02-01T06:00:00.000Z',
    });
    const cancelled = sockets.member1.next('notification.created', (n) => n.kind === 'meeting.cancelled');
    await t
      .http()
      .post(`/api/meetings/${meetingId}/cancel`)
      .set(auth.secretary1)
      .send({ reason: '与上级会议冲突' })
      .expect(200);
    expect((await cancelled).params).toMatchObject({ reason: '与上级会议冲突' });
    expect((await list('member1')).unread).toBe(3);
  });

  it('a leave decision notifies the member who asked', async () => {
    const meeting = await schedule('2027-03-01T06:00:00Z', 'lecture');
    const asked = await t
      .http()
      .post(`/api/meetings/${meeting}/leave-requests`)
      .set(auth.member1)
      .send({ reason: '出差' });
    expect(asked.status).toBe(201);
    const decided = sockets.member1.next('notification.created', (n) => n.kind === 'leave.decided');
    await t
      .http()
      .post(`/api/leave-requests/${asked.body.id}/decision`)
      .set(auth.secretary1)
      .send({ approve: false, note: '本次党课请务必参加' })
      .expect(200);
    expect(await decided).toMatchObject({
      meetingId: meeting,
      params: { status: 'rejected', note: '本次党课请务必参加' },
    });
  });

  it('marks read: some, then all; only one’s own', async () => {
    const before = await list('member1');
    expect(before.unread).toBeGreaterThanOrEqual(5);
    const [first] = before.items;
    // Someone else cannot mark member1's notification read.
    const other = await t
      .http()
      .post('/api/notifications/read')
      .set(auth.member2)
      .send({ ids: [first.id] });
    expect(other.status).toBe(200);
    expect((await list('member1')).unread).toBe(before.unread);
    const one = await t
      .http()
      .post('/api/notifications/read')
      .set(auth.member1)
      .send({ ids: [first.id] });
    expect(one.body).toEqual({ unread: before.unread - 1 });
    expect((await list('member1')).items[0]).toMatchObject({ id: first.id, read: true });
    const all = await t.http().post('/api/notifications/read').set(auth.member1).send({ all: true });
    expect(all.body).toEqual({ unread: 0 });
    // Paging back.
    const page = await t.http().get('/api/notifications').query({ limit: 2 }).set(auth.member1);
    const next = await t
      .http()
      .get('/api/notifications')
      .query({ limit: 2, before: page.body.items[1].id })
      .set(auth.member1);
    expect(next.body.items[0].id).toBe(before.items[2].id);
  });

  it('a reminder before the start: once per person and meeting across ticks, restarts and processes', async () => {
    const service = t.app.get(NotificationsService);
    const soon = await schedule(inMinutes(10), 'committee_meeting');
    const later = await schedule(inMinutes(40), 'theme_day');
    const expectedOf = async (id: string) =>
      (await t.ds.query(`SELECT user_id FROM meeting_attendee WHERE meeting_id = $1`, [id])).map(
        (r: { user_id: string }) => r.user_id,
      ) as string[];
    const reminded = async (id: string) =>
      (
        await t.ds.query(
          `SELECT user_id FROM notification WHERE kind = 'meeting.reminder' AND meeting_id = $1`,
          [id],
        )
      ).map((r: { user_id: string }) => r.user_id) as string[];

    // Scheduling ran the job at once (not at the next tick): the meeting due within the window is reminded of.
    await service.settled();
    expect((await reminded(soon)).sort()).toEqual((await expectedOf(soon)).sort());
    // A second tick, and a second instance (another process, or the server after a restart): nothing new.
    expect(await service.sendReminders()).toBe(0);
    const other = new NotificationsService(new NotificationsRepository(t.ds), t.config);
    expect(await Promise.all([other.sendReminders(), service.sendReminders()])).toEqual([0, 0]);
    expect((await reminded(soon)).sort()).toEqual((await expectedOf(soon)).sort());
    expect(await reminded(later)).toEqual([]);

    // 40 minutes is not due yet; 30 minutes later it is, and only then.
    expect(await service.sendReminders(new Date(Date.now() + 30 * 60_000))).toBe(
      (await expectedOf(later)).length,
    );
    // A meeting moved to another time is reminded of again, once.
    await t
      .http()
      .patch(`/api/meetings/${soon}`)
      .set(auth.secretary1)
      .send({ start: inMinutes(12) })
      .expect(200);
    await service.settled();
    expect(await reminded(soon)).toHaveLength(2 * (await expectedOf(soon)).length);
    expect(await service.sendReminders()).toBe(0);
  });

  it('the job runs by itself; someone on approved leave is not reminded', async () => {
    const app = await startTestApp({ listen: true, env: { MEETING_REMINDER_TICK_SECONDS: '0.2' } });
    const k = new RtcKit(app.baseUrl);
    try {
      const sec = await app.login('secretary1');
      const mem = await app.login('member1');
      const branch = (await demoUnits(app.ds)).branchA;
      const start = inMinutes(14);
      const res = await app
        .http()
        .post(`/api/org-units/${branch}/meetings`)
        .set(sec.auth)
        .send({ type: 'lecture', start: inMinutes(60) });
      const id = res.body.id as string;
      const leave = await app
        .http()
        .post(`/api/meetings/${id}/leave-requests`)
        .set(mem.auth)
        .send({ reason: '住院' });
      await app
        .http()
        .post(`/api/leave-requests/${leave.body.id}/decision`)
        .set(sec.auth)
        .send({ approve: true })
        .expect(200);
      const hostSocket = await k.client(sec.session.accessToken);
      const memberSocket = await k.client(mem.session.accessToken);
      const reminder = hostSocket.next('notification.created', (n) => n.kind === 'meeting.reminder', 10_000);
      await app.http().patch(`/api/meetings/${id}`).set(sec.auth).send({ start }).expect(200);
      expect(await reminder).toMatchObject({
        meetingId: id,
        params: { start: new Date(start).toISOString() },
      });
      // Many ticks later: still exactly one, and none for the member on leave.
      await sleep(1500);
      expect(
        hostSocket.seen('notification.created').filter((n) => n.kind === 'meeting.reminder'),
      ).toHaveLength(1);
      expect(memberSocket.seen('notification.created').filter((n) => n.kind === 'meeting.reminder')).toEqual(
        [],
      );
      const [{ n }] = await app.ds.query(
        `SELECT count(*)::int AS n FROM notification WHERE kind = 'meeting.reminder' AND user_id = $1`,
        [mem.session.me.user.id],
      );
      expect(n).toBe(0);
    } finally {
      await k.close();
      await app.close();
    }
  }, 60_000);
});
