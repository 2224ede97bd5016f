/**
 * When a meeting ends without its host ending it: a while (MEETING_EMPTY_END_SECONDS) after the last person
 * left — someone coming back in that time keeps it live — and then at the moment the room emptied, with its
 * attendance final; one nobody ever entered much later (MEETING_UNENTERED_END_SECONDS, its planned end). Real sockets on `/rtc`, a real mediasoup worker, werift peers whose receive transports
 * connect, real PostgreSQL.
 */
import type { LiveMeeting, MeetingAttendance } from '@branchmeet/shared';
import { PresenceService } from '../attendance/presence.service';
import { LiveReaper } from './live-reaper';
import { demoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';

const EMPTY_S = 2;
let t: TestApp;
let kit: RtcKit;
let host: { Authorization: string };
let token = '';
let branchA = '';

beforeAll(async () => {
  t = await startTestApp({
    listen: true,
    env: { MEETING_EMPTY_END_SECONDS: String(EMPTY_S) },
  });
  kit = new RtcKit(t.baseUrl);
  branchA = (await demoUnits(t.ds)).branchA;
  const login = await t.login('secretary1');
  host = login.auth;
  token = login.session.accessToken;
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

const meeting = async (id: string) =>
  (await t.http().get(`/api/meetings/${id}`).set(host)).body as LiveMeeting;

/** Waits until the meeting has `n` presence segments (the receive transport's DTLS is done server-side). */
async function segments(id: string, n: number, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const [{ count }] = await t.ds.query(
      'SELECT count(*)::int AS count FROM presence_segment WHERE meeting_id = $1',
      [id],
    );
    if (count >= n) return;
    await sleep(50);
  }
  throw new Error(`meeting ${id}: fewer than ${n} presence segments`);
}

/** Polls until the meeting has the status (generous deadline: the machine is shared). */
async function until(id: string, status: string, ms = 15_000): Promise<LiveMeeting> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = await meeting(id);
    if (m.status === status || Date.now() > deadline) return m;
    await sleep(100);
  }
}

it('an empty room ends the meeting a while later, at the moment it emptied; coming back keeps it live', async () => {
  const opened = await t
    .http()
    .post(`/api/org-units/${branchA}/meetings/live`)
    .set(host)
    .send({ title: '空会' });
  expect(opened.status).toBe(201);
  const id = (opened.body as LiveMeeting).id;

  const first = await kit.client(token);
  await kit.connectRecv(first, await first.join(id));
  await segments(id, 1);
  await first.call('room.leave', {});
  // Empty now, but not ended: someone may still come (back).
  await sleep(EMPTY_S * 500);
  expect((await meeting(id)).status).toBe('live');
  const second = await kit.client(token);
  await kit.connectRecv(second, await second.join(id));
  await segments(id, 2);
  // Past the first leave's deadline: the rejoin cancelled it.
  await sleep(EMPTY_S * 1000);
  expect((await meeting(id)).status).toBe('live');

  const leftAt = Date.now();
  await second.call('room.leave', {});
  const ended = await until(id, 'ended');
  expect(ended.status).toBe('ended');
  // Ended when the room emptied, not when the timer fired.
  expect(Math.abs(Date.parse(ended.endedAt ?? '') - leftAt)).toBeLessThan(1000);

  const [audit] = await t.ds.query(
    `SELECT actor_id, after FROM audit_event WHERE action = 'meeting.end' AND entity_id = $1`,
    [id],
  );
  expect(audit.actor_id).toBeNull();
  expect(audit.after).toMatchObject({ reason: 'empty', endedAt: ended.endedAt });

  await t.app.get(PresenceService).settled();
  const a = (await t.http().get(`/api/meetings/${id}/attendance`).set(host)).body as MeetingAttendance;
  expect(a.final).toBe(true);
  const me = a.records.find((r) => r.joinCount > 0);
  // Two stays with the gap between them; the last one ended with the meeting.
  expect(me).toMatchObject({ joinCount: 2 });
  expect(me?.totalSeconds).toBeLessThan(a.durationSeconds);
  expect(Math.abs(Date.parse(me?.lastLeave ?? '') - Date.parse(ended.endedAt ?? ''))).toBeLessThan(1000);
}, 60_000);

it('a meeting nobody has entered stays live long past the empty rule: until MEETING_UNENTERED_END_SECONDS after it went live, and its planned end', async () => {
  const reaper = t.app.get(LiveReaper);
  const open = async (title: string) => {
    const res = await t.http().post(`/api/org-units/${branchA}/meetings/live`).set(host).send({ title });
    expect(res.status).toBe(201);
    return (res.body as LiveMeeting).id;
  };
  /** Moves when the meeting went live (and its planned end) into the past, behind the app's back. */
  const wentLive = (id: string, minutesAgo: number, plannedEndInMinutes: number | null = null) =>
    t.ds.query(
      `UPDATE meeting SET started_at = now() - make_interval(mins => $2::int),
         scheduled_start = CASE WHEN $3::int IS NULL THEN NULL ELSE now() - make_interval(mins => $2::int) END,
         scheduled_end = now() + make_interval(mins => $3::int) WHERE id = $1`,
      [id, minutesAgo, plannedEndInMinutes],
    );
  /** Two passes: one already under way may have read the meetings before they were moved. */
  const reap = async () => {
    await reaper.tick();
    await reaper.tick();
  };
  const status = async (id: string) =>
    ((await t.ds.query('SELECT status FROM meeting WHERE id = $1', [id])) as { status: string }[])[0].status;

  // The secretary opened it and waits on the pre-join page; nobody has been seated in it.
  const waiting = await open('书记在等候页');
  const planned = await open('计划开到晚上的会');
  // Ten minutes: far past MEETING_EMPTY_END_SECONDS plus three heartbeats (where it used to end).
  await wentLive(waiting, 10);
  await reap();
  expect(await status(waiting)).toBe('live');

  // Past the two hours of MEETING_UNENTERED_END_SECONDS (the default): it ends, at its start, as empty.
  await wentLive(waiting, 125);
  // The same, but planned to go on for another half hour: it waits for its planned end.
  await wentLive(planned, 125, 30);
  await reap();
  expect(await status(waiting)).toBe('ended');
  const [row] = await t.ds.query('SELECT started_at, ended_at FROM meeting WHERE id = $1', [waiting]);
  expect(row.ended_at.getTime()).toBe(row.started_at.getTime());
  const [audit] = await t.ds.query(
    `SELECT actor_id, after FROM audit_event WHERE action = 'meeting.end' AND entity_id = $1`,
    [waiting],
  );
  expect(audit).toMatchObject({ actor_id: null, after: expect.objectContaining({ reason: 'empty' }) });
  expect(await status(planned)).toBe('live');

  // Its planned end passed (and the two hours since it went live): now it ends too.
  await wentLive(planned, 125, -1);
  await reap();
  expect(await status(planned)).toBe('ended');
}, 60_000);
