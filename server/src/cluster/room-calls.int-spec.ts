/**
 * Requests that reach a live room through a node that does not hold it (RoomCalls): the REST views' counts, a
 * vote on another node's socket, the recording's state and its start and stop, each served by the owner; the
 * clear 503 when the owner is gone; and a recording that goes on as a new part when its room moves to another
 * node (a lost lease, the old node still alive) or its node dies (the run it left is closed by the reaper, the
 * node taking the room over records the next part). Nodes are whole Nest apps in this process on one database
 * and one Redis (a key prefix of this file's own), with real mediasoup, ffmpeg and a werift bot publishing
 * real VP8 and Opus.
 */
import type { LiveMeeting, MinutesVote, RecordingList } from '@branchmeet/shared';
import type { Redis } from 'ioredis';
import { LiveRecordings } from '../recordings/live-recordings';
import { RecordingsRepository } from '../recordings/recordings.repository';
import { publishAv, type AvBot } from '../test-support/av-bot';
import { demoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit, type RtcTestClient } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';
import { MEETING_LEASES, type MeetingLeases } from './cluster.types';
import { connectTestRedis, dropPrefix, eventually, TEST_REDIS_URL, testPrefix } from './redis-test-support';

jest.setTimeout(180_000);

let redis: Redis;
const prefix = testPrefix();
const nodes: TestApp[] = [];
const kits: RtcKit[] = [];
const bots: AvBot[] = [];
let a: TestApp;
let branchA = '';
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

async function node(id: string): Promise<TestApp> {
  const t = await startTestApp({
    listen: true,
    nodeOf: nodes[0],
    env: {
      NODE_ID: id,
      REDIS_URL: TEST_REDIS_URL,
      CLUSTER_KEY_PREFIX: prefix,
      PRESENCE_HEARTBEAT_SECONDS: '0.25',
      // A dead node leaves the registry within seconds (at once when it closes), but its leases stay for long:
      // the window in which its meetings cannot be reached stays open while the test looks.
      CLUSTER_NODE_TTL_SECONDS: '3',
      CLUSTER_LEASE_TTL_SECONDS: '30',
      CLUSTER_CALL_TIMEOUT_SECONDS: '60',
      MEETING_EMPTY_END_SECONDS: '120',
      RTC_RECONNECT_GRACE_SECONDS: '60',
      LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'error',
    },
  });
  nodes.push(t);
  return t;
}

async function crash(t: TestApp): Promise<void> {
  nodes.splice(nodes.indexOf(t), 1);
  await t.crash();
}

function kit(t: TestApp): RtcKit {
  const k = new RtcKit(t.baseUrl);
  kits.push(k);
  return k;
}

const auth = (login: string) => ({ Authorization: `Bearer ${tokens[login]}` });

/** The meeting is `t`'s: its room opens there (joins through `t` are seated, not redirected). */
async function ownedBy(t: TestApp, meetingId: string): Promise<void> {
  const lease = await t.app.get<MeetingLeases>(MEETING_LEASES).claim(meetingId);
  expect(lease.lease.nodeId).toBe(t.config.NODE_ID);
}

/** A lecture that may be recorded, scheduled by secretary1 (its host and lecturer). */
async function lecture(): Promise<string> {
  const res = await a
    .http()
    .post(`/api/org-units/${branchA}/meetings`)
    .set(auth('secretary1'))
    .send({
      type: 'lecture',
      start: new Date(Date.now() + 60_000).toISOString(),
      settings: { recordingAllowed: true },
    })
    .expect(201);
  return (res.body as { id: string }).id;
}

/** The host joins through `t` and publishes real media; resolves once it flows. */
async function lecturing(t: TestApp, meetingId: string): Promise<RtcTestClient> {
  const host = await kit(t).client(tokens.secretary1);
  const joined = await host.join(meetingId);
  bots.push(await publishAv(host, joined));
  return host;
}

const recording = (t: TestApp, meetingId: string, action: 'start' | 'stop') =>
  t.http().post(`/api/meetings/${meetingId}/recording`).set(auth('secretary1')).send({ action });

/** The bots stop publishing (each one's ffmpeg encoders load the machine). */
async function stopBots(): Promise<void> {
  for (const bot of bots.splice(0)) await bot.close().catch(() => undefined);
}

const runsOf = (meetingId: string) => a.app.get(RecordingsRepository).runsOf(meetingId);

beforeAll(async () => {
  redis = await connectTestRedis();
  a = await node('a');
  branchA = (await demoUnits(a.ds)).branchA;
  await a.signIn(['secretary1', 'member1'], tokens, ids);
}, 60_000);

afterAll(async () => {
  await stopBots();
  for (const k of kits) await k.close();
  const failed: unknown[] = [];
  for (const t of nodes.reverse()) await t.close().catch((e: unknown) => failed.push(e));
  await dropPrefix(redis, prefix);
  redis.disconnect();
  if (failed.length > 0) throw failed[0];
});

describe('a live room reached through a node that does not hold it', () => {
  let b: TestApp;
  let c: TestApp;
  let meetingId = '';

  it('the REST views, a vote and a sign-out through another node reach the room the owner holds', async () => {
    b = await node('b');
    c = await node('c');
    const opened = await a
      .http()
      .post(`/api/org-units/${branchA}/meetings/live`)
      .set(auth('secretary1'))
      .send({ title: '跨节点的会' })
      .expect(201);
    meetingId = (opened.body as LiveMeeting).id;
    await ownedBy(b, meetingId);
    const kb = kit(b);
    await (await kb.client(tokens.secretary1)).join(meetingId);
    await (await kb.client(tokens.member1)).join(meetingId);

    // The meeting page and the branch's live list, through each node: the owner's two seats.
    for (const t of [a, b, c]) {
      const one = await t.http().get(`/api/meetings/${meetingId}`).set(auth('member1')).expect(200);
      expect((one.body as LiveMeeting).participants).toBe(2);
      const list = await t
        .http()
        .get(`/api/org-units/${branchA}/meetings/live`)
        .set(auth('member1'))
        .expect(200);
      expect((list.body as LiveMeeting[]).find((m) => m.id === meetingId)?.participants).toBe(2);
    }
    // What the hop costs (printed, not asserted: the machine is shared): the meeting page on the owner and via c.
    const mean = async (t: TestApp) => {
      const t0 = performance.now();
      for (let i = 0; i < 20; i++)
        await t.http().get(`/api/meetings/${meetingId}`).set(auth('member1')).expect(200);
      return ((performance.now() - t0) / 20).toFixed(1);
    };
    console.log(
      `GET /api/meetings/:id, mean of 20: ${await mean(b)} ms on the owner, ${await mean(c)} ms via another node`,
    );
    // The recording indicator, through c: b's (not recording).
    const recs = await c.http().get(`/api/meetings/${meetingId}/recordings`).set(auth('member1')).expect(200);
    expect((recs.body as RecordingList).state).toMatchObject({ meetingId, recording: false });

    // The host's app socket is on c: a vote opened there counts the host as in the room, which is on b.
    const hostOnC = await kit(c).client(tokens.secretary1);
    const vote = (await hostOnC.call('vote.open', {
      meetingId,
      agendaIndex: null,
      subject: '跨节点表决',
    })) as MinutesVote;
    expect(vote).toMatchObject({ status: 'open', cast: 0 });
    const closed = (await hostOnC.call('vote.close', { meetingId, voteId: vote.id })) as MinutesVote;
    expect(closed).toMatchObject({ id: vote.id, status: 'closed' });

    // A sign-out through c ends the person's seat on b: their socket there closes, the room counts two again.
    const { session } = await a.login('13800000012');
    const leaver = await kb.client(session.accessToken);
    await leaver.join(meetingId);
    const count = async (t: TestApp) =>
      (
        (await t.http().get(`/api/meetings/${meetingId}`).set(auth('member1')).expect(200))
          .body as LiveMeeting
      ).participants;
    expect(await count(c)).toBe(3);
    const gone = new Promise((resolve) => leaver.socket.once('disconnect', resolve));
    await c.http().post('/api/auth/logout').send({ refreshToken: session.refreshToken }).expect(204);
    await gone;
    await eventually(async () => (await count(c)) === 2, 10_000, 'the seat freed on b');
  });

  it('with the owner gone, a command through another node answers 503 and a view shows the count as unknown', async () => {
    await crash(b);
    // b's lease stays (30 s): the meeting is b's, and b does not answer.
    const stop = await recording(c, meetingId, 'stop');
    expect(stop.status).toBe(503);
    expect(stop.body).toMatchObject({ code: 'unavailable' });
    const vote = await (
      await kit(c).client(tokens.secretary1)
    ).raw('vote.open', {
      meetingId,
      agendaIndex: null,
      subject: '再表决一次',
    });
    expect(vote).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const one = await c.http().get(`/api/meetings/${meetingId}`).set(auth('member1')).expect(200);
    expect((one.body as LiveMeeting).participants).toBeNull();
    const list = await c
      .http()
      .get(`/api/org-units/${branchA}/meetings/live`)
      .set(auth('member1'))
      .expect(200);
    expect((list.body as LiveMeeting[]).find((m) => m.id === meetingId)?.participants).toBeNull();
  });

  it('a recording started through another node runs on the owner; when the room moves it goes on as part 2', async () => {
    const lectureId = await lecture();
    await ownedBy(c, lectureId);
    const hostOnC = await lecturing(c, lectureId);
    // Started through a: recorded by c's ffmpeg, from c's router.
    const started = await recording(a, lectureId, 'start').expect(200);
    expect(started.body).toMatchObject({ meetingId: lectureId, recording: true });
    expect(c.app.get(LiveRecordings).state(lectureId).recording).toBe(true);
    expect(a.app.get(LiveRecordings).state(lectureId).recording).toBe(false);
    const viaA = await a.http().get(`/api/meetings/${lectureId}/recordings`).set(auth('member1')).expect(200);
    expect((viaA.body as RecordingList).state.recording).toBe(true);
    await sleep(4000);

    // The room moves to a: c's lease is taken (as when it lapses and a claims it); c notices at its next save.
    await redis.del(`${prefix}lease:${lectureId}`);
    await ownedBy(a, lectureId);
    await hostOnC.raw('hand.raise', {});
    await eventually(
      async () => (await runsOf(lectureId))[0]?.recordingId != null,
      30_000,
      "c's part stored",
    );
    const [first] = await runsOf(lectureId);
    expect(first).toMatchObject({ nodeId: 'c', part: 1, endReason: 'moved', startedBy: ids.secretary1 });
    const [stored] = (await a.ds.query('SELECT duration_ms FROM recording WHERE id = $1', [
      first.recordingId,
    ])) as {
      duration_ms: number;
    }[];
    expect(stored.duration_ms).toBeGreaterThan(2000);

    // The lecturer comes back through a, where the room is restored: the recording goes on there by itself.
    const hostOnA = await lecturing(a, lectureId);
    await eventually(async () => (await runsOf(lectureId)).length === 2, 30_000, 'part 2');
    const second = (await runsOf(lectureId))[1];
    expect(second).toMatchObject({ nodeId: 'a', part: 2, endedAt: null, startedBy: ids.secretary1 });
    await eventually(
      async () => hostOnA.seen('recording.changed').some((s) => s.recording),
      10_000,
      'the indicator',
    );
    const viaC = await c.http().get(`/api/meetings/${lectureId}/recordings`).set(auth('member1')).expect(200);
    expect((viaC.body as RecordingList).state.recording).toBe(true);
    await sleep(3000);

    // Stopped through c: a stops it; both parts are listed.
    const stopped = await recording(c, lectureId, 'stop').expect(200);
    expect(stopped.body).toMatchObject({ recording: false });
    await a.app.get(LiveRecordings).settled(lectureId);
    const runs = await runsOf(lectureId);
    expect(runs.map((r) => [r.part, r.nodeId, r.endReason, r.recordingId !== null])).toEqual([
      [1, 'c', 'moved', true],
      [2, 'a', 'stopped', true],
    ]);
    const list = await c.http().get(`/api/meetings/${lectureId}/recordings`).set(auth('member1')).expect(200);
    expect((list.body as RecordingList).items).toHaveLength(2);
    await stopBots();
  });

  it('a node killed while recording: the reaper closes its run, and the node taking the room over records part 2', async () => {
    const d = await node('d');
    const lectureId = await lecture();
    await ownedBy(d, lectureId);
    await lecturing(d, lectureId);
    const started = await recording(c, lectureId, 'start');
    expect([started.status, started.body]).toEqual([200, expect.objectContaining({ recording: true })]);
    await eventually(async () => (await runsOf(lectureId)).length === 1, 10_000, 'the run');
    await sleep(2000);
    await crash(d);
    await eventually(
      async () => (await runsOf(lectureId))[0].endedAt !== null,
      15_000,
      "the dead node's run to be closed",
    );
    expect((await runsOf(lectureId))[0]).toMatchObject({
      nodeId: 'd',
      endReason: 'crash',
      recordingId: null,
    });

    // Its lease lapses (here: removed), c takes the room over from the mirror and the lecturer comes back there.
    await redis.del(`${prefix}lease:${lectureId}`);
    await ownedBy(c, lectureId);
    await lecturing(c, lectureId);
    await eventually(async () => (await runsOf(lectureId)).length === 2, 30_000, 'part 2');
    expect((await runsOf(lectureId))[1]).toMatchObject({ nodeId: 'c', part: 2, endedAt: null });
    await sleep(3000);
    await recording(a, lectureId, 'stop').expect(200);
    await c.app.get(LiveRecordings).settled(lectureId);
    expect((await runsOf(lectureId))[1]).toMatchObject({
      endReason: 'stopped',
      recordingId: expect.any(String),
    });
  });
});
