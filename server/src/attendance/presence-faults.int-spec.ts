/**
 * Faults without a goodbye: a member's network is cut (a TCP proxy between their socket and the app stops
 * passing anything and closes nothing), so only the server's ping can notice. Their presence must end at their
 * last activity, not when the ping notices or the grace period ends; the dead seat must be noticed within the
 * ping's interval + timeout (24 s: a weak link's spell of 10 s survives it; socket.io's default is 45 s), and its
 * grace period counts from its last activity; and a room abandoned that way ends when the last person went, not a
 * grace period and an empty-room delay later. The whole app, real PostgreSQL, real sockets.
 */
import type { MeetingAttendance } from '@branchmeet/shared';
import { demoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { cuttableLink, type CuttableLink } from '../test-support/net-cut';
import { RtcKit, RtcTestClient } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';
import { RTC_PING_INTERVAL_MS, RTC_PING_TIMEOUT_MS } from '../rtc/rtc.gateway';
import { PresenceService } from './presence.service';

const GRACE_S = 3;
let t: TestApp;
let kit: RtcKit;
let link: CuttableLink;
let branchA: string;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({
    listen: true,
    env: { RTC_RECONNECT_GRACE_SECONDS: String(GRACE_S), MEETING_EMPTY_END_SECONDS: '1' },
  });
  kit = new RtcKit(t.baseUrl);
  link = await cuttableLink(Number(new URL(t.baseUrl).port));
  branchA = (await demoUnits(t.ds)).branchA;
  await t.signIn(['secretary1', 'member1', '13800000012'], tokens, ids);
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await link?.close();
  await t?.close();
});

it('a silent drop ends presence at the last activity, is noticed within the ping, and the last one out ends the room then', async () => {
  const opened = await t
    .http()
    .post(`/api/org-units/${branchA}/meetings/live`)
    .set({ Authorization: `Bearer ${tokens.secretary1}` })
    .send({ title: '断网演练' });
  expect(opened.status).toBe(201);
  const meetingId = (opened.body as { id: string }).id;

  const host = await kit.client(tokens.secretary1);
  await host.join(meetingId);
  const a = await kit.client(tokens.member1);
  await a.join(meetingId);
  // B's socket goes through the link that will be cut.
  const b = new RtcTestClient(await new RtcKit(link.url).connect(tokens['13800000012']));
  await b.join(meetingId);
  await sleep(1500);
  // A and the host leave on purpose; B is the last one in the room.
  await a.call('room.leave', {});
  await host.call('room.leave', {});
  // B stays a while (a ping and its pong go by), then its network is cut.
  await sleep(RTC_PING_INTERVAL_MS + 1500);

  const cutAt = Date.now();
  link.cut();
  const ended = async () =>
    ((await t.ds.query(`SELECT status FROM meeting WHERE id = $1`, [meetingId])) as { status: string }[])[0]
      .status === 'ended';
  for (const deadline = Date.now() + 60_000; !(await ended()); await sleep(100))
    if (Date.now() > deadline) throw new Error('the abandoned meeting never ended');
  const endSeenAt = Date.now();
  // Noticed within the ping (interval + timeout), then the grace period and the empty-room delay: far under
  // socket.io's default 45 s for the ping alone.
  expect(endSeenAt - cutAt).toBeLessThan(
    RTC_PING_INTERVAL_MS + RTC_PING_TIMEOUT_MS + (GRACE_S + 1) * 1000 + 5000,
  );
  await t.app.get(PresenceService).settled();

  const [seg] = (await t.ds.query(
    `SELECT closed_at, close_reason FROM presence_segment WHERE meeting_id = $1 AND user_id = $2`,
    [meetingId, ids['13800000012']],
  )) as { closed_at: Date; close_reason: string }[];
  expect(seg.close_reason).toBe('disconnected');
  // Closed at B's last activity (a pong, at most one ping interval before the cut), not when it was noticed.
  const closedAt = seg.closed_at.getTime();
  expect(closedAt).toBeLessThanOrEqual(cutAt + 500);
  expect(closedAt).toBeGreaterThan(cutAt - RTC_PING_INTERVAL_MS - 1000);

  // The abandoned room ended when the last person went, not the grace period + the empty-room delay later.
  const [m] = (await t.ds.query(`SELECT ended_at FROM meeting WHERE id = $1`, [meetingId])) as {
    ended_at: Date;
  }[];
  expect(Math.abs(m.ended_at.getTime() - closedAt)).toBeLessThan(50);

  const res = await t
    .http()
    .get(`/api/meetings/${meetingId}/attendance`)
    .set({ Authorization: `Bearer ${tokens.secretary1}` });
  const body = res.body as MeetingAttendance;
  const rec = (login: string) => body.records.find((r) => r.userId === ids[login]);
  // B was there to the end (its going is the end).
  expect(rec('13800000012')).toMatchObject({ status: 'present', joinCount: 1 });
  near(rec('13800000012')?.lastLeave ?? null, m.ended_at.getTime());
}, 90_000);

function near(iso: string | null, ms: number) {
  expect(Math.abs(Date.parse(iso ?? '') - ms)).toBeLessThan(1000);
}
