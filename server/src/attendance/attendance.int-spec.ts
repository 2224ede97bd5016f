/**
 * Truthful attendance from real presence: the whole app (real PostgreSQL, a real mediasoup worker), werift
 * peers on `/rtc` whose receive transports really connect (ICE + DTLS on loopback); presence counts from the seat. Four people come and go
 * with gaps, a drop that never returns and a reconnect inside the grace period; the attendance the API
 * computes must equal what the test saw, to the second.
 *
 * Durations are seconds, so the branch rules are scaled: late after 3 s (0.05 min), present from 50%.
 */
import type { MeetingAttendance } from '@branchmeet/shared';
import { demoUnits, userIdByPhone } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit, type Joined, type RtcTestClient } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';
import { PresenceService } from './presence.service';

const GRACE_S = 3;
let t: TestApp;
let kit: RtcKit;
let branchA: string;
const tokens: Record<string, string> = {};
const logins = { host: 'secretary1', a: 'member1', b: '13800000012', c: '13800000014' } as const;
type Who = keyof typeof logins;
const ids = {} as Record<Who, string>;

beforeAll(async () => {
  t = await startTestApp({
    listen: true,
    env: {
      RTC_RECONNECT_GRACE_SECONDS: String(GRACE_S),
      PRESENCE_HEARTBEAT_SECONDS: '0.5',
      ATTENDANCE_LATE_AFTER_MINUTES: '0.05',
      ATTENDANCE_PRESENT_MIN_PERCENT: '50',
    },
  });
  kit = new RtcKit(t.baseUrl);
  branchA = (await demoUnits(t.ds)).branchA;
  for (const [who, login] of Object.entries(logins) as [Who, string][]) {
    const { session } = await t.login(login);
    tokens[who] = session.accessToken;
    ids[who] = session.me.user.id;
  }
  expect(ids.b).toBe(await userIdByPhone(t.ds, logins.b));
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

async function connectRecv(c: RtcTestClient, joined: Joined): Promise<number> {
  await kit.connectRecv(c, joined);
  return Date.now();
}

/** Seated (presence starts at the seat), then the receive transport connects as a client's would. */
async function enter(who: Who, resumePeerId?: string) {
  const c = await kit.client(tokens[who]);
  const joined = await c.join(meetingId, resumePeerId);
  const at = Date.now();
  await connectRecv(c, joined);
  return { c, joined, at };
}

let meetingId = '';
const s = (ms: number) => Math.round(ms / 1000);

it('records first join, last leave, joins, total time and status from real presence', async () => {
  const opened = await t
    .http()
    .post(`/api/org-units/${branchA}/meetings/live`)
    .set({ Authorization: `Bearer ${tokens.host}` })
    .send({ title: '考勤演练' });
  expect(opened.status).toBe(201);
  meetingId = (opened.body as { id: string }).id;
  const t0 = Date.now();
  const until = (sec: number) => sleep(Math.max(0, t0 + sec * 1000 - Date.now()));

  // 0 s: the host is in for the whole meeting.
  const host = await enter('host');
  // ~0.5 s: A comes on time, leaves at 4 s, comes back at 5.5 s and stays.
  await until(0.5);
  const a1 = await enter('a');
  // ~1 s: C comes on time and drops at 2.5 s without ever coming back (closed at the drop, not at grace end).
  await until(1);
  const c1 = await enter('c');
  await until(2.5);
  const cDropped = Date.now();
  c1.c.socket.disconnect();
  await until(4);
  const aLeft = Date.now();
  await a1.c.call('room.leave', {});
  // ~4 s: B comes late (after 3 s); its socket drops at 6 s and is back at 7 s, inside the grace period.
  const b1 = await enter('b');
  await until(5.5);
  const a2 = await enter('a');
  await until(6);
  b1.c.socket.disconnect();
  await until(7);
  const b2 = await enter('b', b1.joined.self.peerId);
  expect(b2.joined.resumed).toBe(true);
  // 10 s: the host ends the meeting.
  await until(10);
  await host.c.call('host.end', {});
  await t.app.get(PresenceService).settled();

  const res = await t
    .http()
    .get(`/api/meetings/${meetingId}/attendance`)
    .set({ Authorization: `Bearer ${tokens.a}` });
  expect(res.status).toBe(200);
  const body = res.body as MeetingAttendance;
  expect(body.status).toBe('ended');
  const start = Date.parse(body.startedAt);
  const end = Date.parse(body.endedAt ?? '');
  expect(Math.abs(end - start - 10_000)).toBeLessThan(1000);
  const rec = (who: Who) => {
    const r = body.records.find((x) => x.userId === ids[who]);
    if (!r) throw new Error(`no record for ${who}`);
    return r;
  };
  const near = (iso: string | null, ms: number) =>
    expect(Math.abs(Date.parse(iso ?? '') - ms)).toBeLessThan(1000);

  const expected: Record<Who, { first: number; last: number; joins: number; total: number; status: string }> =
    {
      host: { first: host.at, last: end, joins: 1, total: end - host.at, status: 'present' },
      a: {
        first: a1.at,
        last: end,
        joins: 2,
        total: aLeft - a1.at + (end - a2.at),
        status: 'present',
      },
      b: { first: b1.at, last: end, joins: 1, total: end - b1.at, status: 'late' },
      c: { first: c1.at, last: cDropped, joins: 1, total: cDropped - c1.at, status: 'left_early' },
    };
  for (const who of Object.keys(expected) as Who[]) {
    const r = rec(who);
    const x = expected[who];
    near(r.firstJoin, x.first);
    near(r.lastLeave, x.last);
    expect({ who, joins: r.joinCount, status: r.status }).toEqual({ who, joins: x.joins, status: x.status });
    expect(Math.abs(r.totalSeconds - s(x.total))).toBeLessThanOrEqual(1);
  }
  // Everyone else of the branch never came.
  const others = body.records.filter((r) => !Object.values(ids).includes(r.userId));
  expect(others.length).toBeGreaterThan(0);
  for (const r of others)
    expect(r).toMatchObject({
      firstJoin: null,
      lastLeave: null,
      joinCount: 0,
      totalSeconds: 0,
      status: 'absent',
    });

  // The segments behind it: B's reconnect did not split its segment, C closed as disconnected.
  const segments: { user_id: string; close_reason: string }[] = await t.ds.query(
    'SELECT user_id, close_reason FROM presence_segment WHERE meeting_id = $1 ORDER BY opened_at',
    [meetingId],
  );
  const reasons = (who: Who) => segments.filter((x) => x.user_id === ids[who]).map((x) => x.close_reason);
  expect(reasons('host')).toEqual(['ended']);
  expect(reasons('a')).toEqual(['left', 'ended']);
  expect(reasons('b')).toEqual(['ended']);
  expect(reasons('c')).toEqual(['disconnected']);
}, 60_000);

it('a member of another branch may not read it', async () => {
  const other = await t.login('member2');
  const res = await t.http().get(`/api/meetings/${meetingId}/attendance`).set(other.auth);
  expect(res.status).toBe(404);
});
