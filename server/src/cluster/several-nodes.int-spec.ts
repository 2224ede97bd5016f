/**
 * Several nodes on one PostgreSQL database and one Redis (a key prefix of this file's own): each node is a whole
 * Nest app in this one process, with its own HTTP server and /rtc, mediasoup worker, connection pool, Redis
 * clients and timers (NODE_ID a to e). What a node does at start-up and what the cluster does after one
 * dies is checked against the database; members sit in rooms through real /rtc sockets. A node that dies here
 * loses its database connections first (TestApp.crash), so it logs that it could not close its segments.
 */
import type { Redis } from 'ioredis';
import { demoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';
import { STALE_HEARTBEATS } from '../attendance/presence.service';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { NotificationsService } from '../notifications/notifications.service';
import { MeetingsService } from '../meetings/meetings.service';
import { RoomRegistry } from '../rtc/room-registry';
import { MinutesTestClient } from '../test-support/minutes-client';
import { MEETING_LEASES, type MeetingLeases } from './cluster.types';
import { connectTestRedis, dropPrefix, eventually, TEST_REDIS_URL, testPrefix } from './redis-test-support';

const HEARTBEAT_S = 0.25;
const STALE_MS = STALE_HEARTBEATS * HEARTBEAT_S * 1000;
/** Long enough for a node to start and a member to come back through it after a crash. */
const EMPTY_END_S = 10;
const REMINDER_TICK_S = 0.5;

let redis: Redis;
const prefix = testPrefix();
const nodes: TestApp[] = [];
/** Each node by its NODE_ID (a join answered with a redirect names the owner's id). */
const byId = new Map<string, TestApp>();
const kits: RtcKit[] = [];
let a: TestApp;
let branchA = '';
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

/** A node of the cluster (the first one sets the database up). */
async function node(id: string, first?: TestApp): Promise<TestApp> {
  const t = await startTestApp({
    listen: true,
    nodeOf: first,
    env: {
      NODE_ID: id,
      REDIS_URL: TEST_REDIS_URL,
      CLUSTER_KEY_PREFIX: prefix,
      PRESENCE_HEARTBEAT_SECONDS: String(HEARTBEAT_S),
      MEETING_EMPTY_END_SECONDS: String(EMPTY_END_S),
      MEETING_REMINDER_TICK_SECONDS: String(REMINDER_TICK_S),
      // A dead node's registry entry and leases go within a second: another node takes its meetings up.
      CLUSTER_NODE_TTL_SECONDS: '1',
      CLUSTER_LEASE_TTL_SECONDS: '1',
    },
  });
  nodes.push(t);
  byId.set(id, t);
  return t;
}

/** The node dies (nothing it does on the way out reaches the database). */
async function crash(t: TestApp): Promise<void> {
  nodes.splice(nodes.indexOf(t), 1);
  await t.crash();
}

function kit(t: TestApp): RtcKit {
  const k = new RtcKit(t.baseUrl);
  kits.push(k);
  return k;
}

interface Segment {
  id: string;
  user_id: string;
  node_id: string;
  closed_at: Date | null;
  last_heartbeat_at: Date;
  close_reason: string | null;
}
const segments = (meetingId: string): Promise<Segment[]> =>
  a.ds.query(
    'SELECT id, user_id, node_id, closed_at, last_heartbeat_at, close_reason FROM presence_segment WHERE meeting_id = $1 ORDER BY id',
    [meetingId],
  );

const status = async (meetingId: string): Promise<string> =>
  ((await a.ds.query('SELECT status FROM meeting WHERE id = $1', [meetingId])) as { status: string }[])[0]
    .status;

async function openMeeting(t: TestApp, title: string): Promise<string> {
  const res = await t
    .http()
    .post(`/api/org-units/${branchA}/meetings/live`)
    .set({ Authorization: `Bearer ${tokens.secretary1}` })
    .send({ title });
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

/** Seats the person in the meeting through the node's /rtc; resolves once their segment is in the database. */
async function seat(k: RtcKit, login: string, meetingId: string): Promise<void> {
  const c = await k.client(tokens[login]);
  await c.join(meetingId);
  await eventually(
    async () => (await segments(meetingId)).some((s) => s.user_id === ids[login] && s.closed_at === null),
    10_000,
    `${login}'s segment`,
  );
}

beforeAll(async () => {
  redis = await connectTestRedis();
  a = await node('a');
  branchA = (await demoUnits(a.ds)).branchA;
  await a.signIn(['secretary1', 'member1'], tokens, ids);
}, 60_000);

afterAll(async () => {
  for (const k of kits) await k.close();
  // The first node owns the database: it closes last. Every one is closed even if another fails to.
  const failed: unknown[] = [];
  for (const t of nodes.reverse()) await t.close().catch((e: unknown) => failed.push(e));
  await dropPrefix(redis, prefix);
  redis.disconnect();
  if (failed.length > 0) throw failed[0];
});

describe('several nodes on one database', () => {
  let meetingA = '';
  let b: TestApp;
  let c: TestApp;

  it("a second node starting up ends none of the first node's meetings and closes none of its segments", async () => {
    meetingA = await openMeeting(a, '一号节点的会');
    await seat(kit(a), 'secretary1', meetingA);
    b = await node('b', a);
    // Well past the point where a stopped heartbeat counts as dead: b's reaper has run several times.
    await sleep(STALE_MS * 3);
    expect(await status(meetingA)).toBe('live');
    const [s] = await segments(meetingA);
    expect(s).toMatchObject({ node_id: 'a', closed_at: null });
    // a keeps stamping it.
    expect(Date.now() - s.last_heartbeat_at.getTime()).toBeLessThan(STALE_MS);
  }, 60_000);

  it('three nodes tick the reminder job: it runs on one node per tick, and each person is reminded once', async () => {
    c = await node('c', a);
    const created = await a
      .http()
      .post(`/api/org-units/${branchA}/meetings`)
      .set({ Authorization: `Bearer ${tokens.secretary1}` })
      .send({ type: 'branch_assembly', start: new Date(Date.now() + 60 * 60_000).toISOString() });
    expect(created.status).toBe(201);
    const meetingId = (created.body as { id: string }).id;
    await a.app.get(NotificationsService).settled(); // scheduling ran the job once, at once: nothing due yet
    // member1's socket is on c; the job may run on any node.
    const member = await kit(c).client(tokens.member1);
    // When each node's job looks for due meetings (the repository's query, on whichever node runs the tick).
    const runs: { node: string; at: number }[] = [];
    const spies = [a, b, c].map((t, i) => {
      const repo = t.app.get(NotificationsRepository);
      const due = repo.dueReminders.bind(repo);
      return jest.spyOn(repo, 'dueReminders').mockImplementation((...args) => {
        runs.push({ node: 'abc'[i], at: Date.now() });
        return due(...args);
      });
    });
    try {
      // Moved into the reminder window behind the app's back: only the ticks can find it.
      await a.ds.query(`UPDATE meeting SET scheduled_start = now() + interval '10 minutes' WHERE id = $1`, [
        meetingId,
      ]);
      const expected: string[] = (
        await a.ds.query('SELECT user_id FROM meeting_attendee WHERE meeting_id = $1', [meetingId])
      ).map((r: { user_id: string }) => r.user_id);
      expect(expected).toContain(ids.member1);
      const reminded = async (): Promise<string[]> =>
        (
          await a.ds.query(
            `SELECT user_id FROM notification WHERE kind = 'meeting.reminder' AND meeting_id = $1`,
            [meetingId],
          )
        ).map((r: { user_id: string }) => r.user_id);
      await eventually(async () => (await reminded()).length > 0, 10_000, 'the reminders');
      // Six more ticks of every node.
      await sleep(REMINDER_TICK_S * 6000);
      expect((await reminded()).sort()).toEqual([...expected].sort());
      const told = member
        .seen('notification.created')
        .filter((n) => n.kind === 'meeting.reminder' && n.meetingId === meetingId);
      expect(told).toHaveLength(1);
      // Three nodes each ticking every interval, yet the job ran once per interval: never two runs close together.
      runs.sort((x, y) => x.at - y.at);
      const gaps = runs.slice(1).map((r, i) => r.at - runs[i].at);
      console.log(
        `reminder job: ${runs.length} runs in ${((runs.at(-1)!.at - runs[0].at) / 1000).toFixed(1)} s on nodes ` +
          `${runs.map((r) => r.node).join('')}; gaps ${gaps.join(', ')} ms (tick ${REMINDER_TICK_S * 1000} ms)`,
      );
      expect(runs.length).toBeGreaterThanOrEqual(4);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(REMINDER_TICK_S * 500);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  }, 60_000);

  it("a notification made through one node's REST reaches the person's socket on another node", async () => {
    const member = await kit(c).client(tokens.member1);
    const told = member.next('notification.created', (n) => n.kind === 'meeting.started', 10_000);
    // Opening a live meeting through b tells the branch's members it started.
    const meetingId = await openMeeting(b, '跨节点的通知');
    expect(await told).toMatchObject({ kind: 'meeting.started', meetingId, read: false });
    // Once: not again from any other node.
    await sleep(500);
    expect(
      member
        .seen('notification.created')
        .filter((n) => n.meetingId === meetingId && n.kind === 'meeting.started'),
    ).toHaveLength(1);
  }, 30_000);

  it("a minutes change made through one node reaches the minutes' readers on another node", async () => {
    const meetingId = await openMeeting(b, '会后的记录');
    await b.app.get(MeetingsService).end(meetingId, ids.secretary1, 'host');
    // member1 reads the minutes through c; the secretary submits them through b's REST.
    const reader = new MinutesTestClient(await kit(c).client(tokens.member1), meetingId);
    await reader.open();
    const changed = reader.c.next('minutes.changed', (p) => p.meetingId === meetingId, 10_000);
    const res = await b
      .http()
      .post(`/api/meetings/${meetingId}/minutes/submit`)
      .set({ Authorization: `Bearer ${tokens.secretary1}` });
    expect(res.status).toBeLessThan(300);
    expect(await changed).toEqual({ meetingId, status: 'submitted' });
  }, 30_000);

  it('a node dies: its segments close at their last heartbeat; a member back in time keeps the meeting, an abandoned one ends', async () => {
    const d = await node('d', a);
    const kd = kit(d);
    const kept = await openMeeting(c, '有人回来的会');
    const abandoned = await openMeeting(c, '没人回来的会');
    // Both meetings are d's: their rooms open there (a join through d is seated, not redirected).
    const leases = d.app.get<MeetingLeases>(MEETING_LEASES);
    for (const id of [kept, abandoned]) expect((await leases.claim(id)).lease.nodeId).toBe('d');
    await seat(kd, 'member1', kept);
    await seat(kd, 'secretary1', kept);
    await seat(kd, 'secretary1', abandoned);
    const mirrorOf = (id: string) => redis.exists(`${prefix}room:${id}`);
    await eventually(async () => (await mirrorOf(abandoned)) === 1, 5000, "the abandoned room's mirror");
    await sleep(HEARTBEAT_S * 2000); // heartbeats have moved on from the opening
    const crashedAt = Date.now();
    await crash(d);
    // Started after the crash, as a restarted node would be (under another NODE_ID).
    const e = await node('e', a);
    const closedBy = async (id: string) => (await segments(id)).every((s) => s.closed_at !== null);
    await eventually(
      async () => (await closedBy(kept)) && (await closedBy(abandoned)),
      10_000,
      "the dead node's segments to be closed",
    );
    const closed = [...(await segments(kept)), ...(await segments(abandoned))];
    expect(closed).toHaveLength(3);
    for (const s of closed) {
      // Nothing reached the database from the dying node: closed by the reaper, at the last heartbeat.
      expect(s).toMatchObject({ node_id: 'd', close_reason: 'crash' });
      expect(s.closed_at?.getTime()).toBe(s.last_heartbeat_at.getTime());
      expect(s.last_heartbeat_at.getTime()).toBeLessThanOrEqual(crashedAt + HEARTBEAT_S * 1000);
    }
    // Nobody is seated in either any more, but neither has been empty for MEETING_EMPTY_END_SECONDS yet.
    expect(await status(kept)).toBe('live');
    expect(await status(abandoned)).toBe('live');

    // member1 comes back through the new node: the meeting is live, its room opens again on the node that takes
    // it up (e, or the one e redirects to) and member1 has their seat there.
    let owner = e;
    let ack = await (await kit(e).client(tokens.member1)).call('room.join', { meetingId: kept });
    if (ack.status === 'redirect') {
      owner = byId.get(ack.nodeId)!;
      ack = await (await kit(owner).client(tokens.member1)).call('room.join', { meetingId: kept });
    }
    expect(ack.status).toBe('joined');
    const ownerId = [...byId].find(([, t]) => t === owner)![0];
    const room = owner.app.get(RoomRegistry).room(kept);
    expect([...(room?.seats.values() ?? [])].map((seat) => seat.userId)).toContain(ids.member1);
    await eventually(
      async () => (await segments(kept)).some((s) => s.node_id === ownerId && s.closed_at === null),
      10_000,
      'the segment on the new owner',
    );

    // The other one, with nobody back, ends at its last heartbeat once it has been empty long enough.
    await eventually(
      async () => (await status(abandoned)) === 'ended',
      30_000,
      'the abandoned meeting to end',
    );
    const [ended] = await a.ds.query('SELECT ended_at FROM meeting WHERE id = $1', [abandoned]);
    const lastHeartbeat = (await segments(abandoned))[0].last_heartbeat_at;
    expect(ended.ended_at.getTime()).toBe(lastHeartbeat.getTime());
    const audit = await a.ds.query(
      `SELECT actor_id, after FROM audit_event WHERE action = 'meeting.end' AND entity_id = $1`,
      [abandoned],
    );
    expect(audit).toEqual([{ actor_id: null, after: expect.objectContaining({ reason: 'crash' }) }]);
    // Its room's mirror went with it: nothing is left in Redis to restore.
    await eventually(async () => (await mirrorOf(abandoned)) === 0, 5000, 'the mirror to be dropped');
    const [final] = await a.ds.query(
      'SELECT count(*)::int AS n FROM attendance_record WHERE meeting_id = $1',
      [abandoned],
    );
    expect(final.n).toBeGreaterThan(0);
    // The same time has passed for the one member1 came back to: it goes on.
    expect(await status(kept)).toBe('live');
    // The first node's meeting was never touched.
    const [alive] = await segments(meetingA);
    expect(alive).toMatchObject({ node_id: 'a', closed_at: null });
    expect(await status(meetingA)).toBe('live');
    expect(b && c).toBeDefined();
  }, 90_000);
});
