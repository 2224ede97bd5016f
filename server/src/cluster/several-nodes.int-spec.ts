/**
 * Several nodes on one PostgreSQL database and one Redis (a key prefix of this file's own): each node is a whole
 * Nest app in this one process, with its own HTTP server and /rtc, mediasoup worker, connection pool, Redis
 * clients and timers (NODE_ID a, b, c, d). What a node does at start-up and what the cluster does after one
 * dies is checked against the database; members sit in rooms through real /rtc sockets. A node that dies here
 * loses its database connections first (TestApp.crash), so it logs that it could not close its segments.
 */
import type { Redis } from 'ioredis';
import { demoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';
import { STALE_HEARTBEATS } from '../attendance/presence.service';
import { connectTestRedis, dropPrefix, eventually, TEST_REDIS_URL, testPrefix } from './redis-test-support';

const HEARTBEAT_S = 0.25;
const STALE_MS = STALE_HEARTBEATS * HEARTBEAT_S * 1000;

let redis: Redis;
const prefix = testPrefix();
const nodes: TestApp[] = [];
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
    },
  });
  nodes.push(t);
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
  // The first node owns the database: it closes last.
  for (const t of nodes.reverse()) await t.close();
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

describe('several nodes on one database', () => {
  let meetingA = '';
  let b: TestApp;

  it("a second node starting up closes none of the first node's segments", async () => {
    meetingA = await openMeeting(a, '一号节点的会');
    await seat(kit(a), 'secretary1', meetingA);
    b = await node('b', a);
    // Well past the point where a stopped heartbeat counts as dead: b's reaper has run several times.
    await sleep(STALE_MS * 3);
    const [s] = await segments(meetingA);
    expect(s).toMatchObject({ node_id: 'a', closed_at: null });
    // a keeps stamping it.
    expect(Date.now() - s.last_heartbeat_at.getTime()).toBeLessThan(STALE_MS);
  }, 60_000);

  it("a node that dies leaves its segments open; another node's reaper closes them at their last heartbeat", async () => {
    const c = await node('c', a);
    const meeting = await openMeeting(c, '二号节点的会');
    const kc = kit(c);
    await seat(kc, 'member1', meeting);
    await seat(kc, 'secretary1', meeting);
    await sleep(HEARTBEAT_S * 2000); // heartbeats have moved on from the opening
    const crashedAt = Date.now();
    await crash(c);
    await eventually(
      async () => (await segments(meeting)).every((s) => s.closed_at !== null),
      10_000,
      "the dead node's segments to be closed",
    );
    const closed = await segments(meeting);
    expect(closed).toHaveLength(2);
    for (const s of closed) {
      // Nothing reached the database from the dying node: closed by the reaper, at the last heartbeat.
      expect(s).toMatchObject({ node_id: 'c', close_reason: 'crash' });
      expect(s.closed_at?.getTime()).toBe(s.last_heartbeat_at.getTime());
      expect(s.last_heartbeat_at.getTime()).toBeLessThanOrEqual(crashedAt + HEARTBEAT_S * 1000);
    }
    // The live node's segment is untouched.
    const [alive] = await segments(meetingA);
    expect(alive).toMatchObject({ node_id: 'a', closed_at: null });
    expect(b).toBeDefined();
  }, 60_000);
});
