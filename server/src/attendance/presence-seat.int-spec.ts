/**
 * Presence from the seat: a person is present from the moment they are seated with a live connection, whether
 * or not any media flows. The whole app (real PostgreSQL, a real mediasoup worker) and real sockets on `/rtc`;
 * nobody here connects a transport or publishes, which is what a host alone, a lecturer before any listener, a
 * member with camera and mic off in a silent room and a receive-only listener before anyone shares look like to
 * the server. Each must be present, with media health ("no media for N s") beside it as information.
 *
 * Durations are seconds, so the branch rules are scaled: late after 3 s (0.05 min), present from 50%.
 */
import type { MeetingAttendance } from '@branchmeet/shared';
import { demoUnits, userIdByPhone } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';
import { PresenceService } from './presence.service';

let t: TestApp;
let kit: RtcKit;
let branchA: string;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({
    listen: true,
    env: {
      RTC_RECONNECT_GRACE_SECONDS: '3',
      ATTENDANCE_LATE_AFTER_MINUTES: '0.05',
      ATTENDANCE_PRESENT_MIN_PERCENT: '50',
    },
  });
  kit = new RtcKit(t.baseUrl);
  branchA = (await demoUnits(t.ds)).branchA;
  await t.signIn(['secretary1', 'member1', '13800000012'], tokens, ids);
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

async function attendance(meetingId: string): Promise<MeetingAttendance> {
  await t.app.get(PresenceService).settled();
  const res = await t
    .http()
    .get(`/api/meetings/${meetingId}/attendance`)
    .set({ Authorization: `Bearer ${tokens.secretary1}` });
  expect(res.status).toBe(200);
  return res.body as MeetingAttendance;
}

function recordOf(body: MeetingAttendance, login: string) {
  const r = [...body.records, ...body.observers].find((x) => x.userId === ids[login]);
  if (!r) throw new Error(`no record for ${login}`);
  return r;
}

const near = (iso: string | null, ms: number, within = 1000) =>
  expect(Math.abs(Date.parse(iso ?? '') - ms)).toBeLessThan(within);

it('a host alone is present from her seat; a member with camera and mic off in a silent room too', async () => {
  const opened = await t
    .http()
    .post(`/api/org-units/${branchA}/meetings/live`)
    .set({ Authorization: `Bearer ${tokens.secretary1}` })
    .send({ title: '一个人的会' });
  expect(opened.status).toBe(201);
  const meetingId = (opened.body as { id: string }).id;

  const host = await kit.client(tokens.secretary1);
  await host.join(meetingId);
  const hostSeated = Date.now();
  await sleep(2000);
  // While she is alone, the live record already has her in the meeting (在会), not under 未到.
  const live = recordOf(await attendance(meetingId), 'secretary1');
  near(live.firstJoin, hostSeated);
  expect(live.status).toBe('present');

  // A member arrives with camera and mic off; nobody publishes anything.
  const member = await kit.client(tokens.member1);
  await member.join(meetingId);
  const memberSeated = Date.now();
  await sleep(3000);
  await host.call('host.end', {});

  const body = await attendance(meetingId);
  expect(body.status).toBe('ended');
  const h = recordOf(body, 'secretary1');
  near(h.firstJoin, hostSeated);
  expect({ status: h.status, joins: h.joinCount }).toEqual({ status: 'present', joins: 1 });
  expect(h.totalSeconds).toBeGreaterThanOrEqual(body.durationSeconds - 1);
  const m = recordOf(body, 'member1');
  near(m.firstJoin, memberSeated);
  expect(m.status).toBe('present');
  // Media health beside it: no media flowed for either of them, the whole time (information, not absence).
  expect(h.noMediaSeconds).toBeGreaterThanOrEqual(h.totalSeconds - 1);
  expect(m.noMediaSeconds).toBeGreaterThanOrEqual(m.totalSeconds - 1);
}, 60_000);

it('a lecturer before any listener, and a receive-only listener before anyone shares, are present', async () => {
  const lecturerId = await userIdByPhone(t.ds, '13800000013'); // member1 lectures
  const res = await t
    .http()
    .post(`/api/org-units/${branchA}/meetings`)
    .set({ Authorization: `Bearer ${tokens.secretary1}` })
    .send({
      type: 'lecture',
      start: new Date(Date.now() + 60_000).toISOString(),
      title: '党课：无人听讲时',
      lecturerId,
    });
  expect(res.status).toBe(201);
  const meetingId = (res.body as { id: string }).id;

  const host = await kit.client(tokens.secretary1);
  await host.join(meetingId); // the host opens the lecture
  const lecturer = await kit.client(tokens.member1);
  await lecturer.join(meetingId);
  const lecturerSeated = Date.now();
  await sleep(1000);
  // A listener: receive-only (no send transport), seated while nobody shares anything.
  const listener = await kit.client(tokens['13800000012']);
  const joined = await listener.join(meetingId);
  expect(joined.sendTransport).toBeNull();
  const listenerSeated = Date.now();
  await sleep(2500);
  await host.call('host.end', {});

  const body = await attendance(meetingId);
  const l = recordOf(body, 'member1');
  near(l.firstJoin, lecturerSeated);
  expect(l.status).toBe('present');
  const r = recordOf(body, '13800000012');
  near(r.firstJoin, listenerSeated);
  // Seated about 1 s after the start (late only after 3 s) and there to the end: present.
  expect(r.status).toBe('present');
  expect(r.noMediaSeconds).toBeGreaterThanOrEqual(r.totalSeconds - 1);
}, 60_000);
