/**
 * Live rooms on several nodes: three real server processes on one database and one Redis (a key prefix of this
 * file's own), one mediasoup worker each. A join through a node that does not own the meeting is answered with
 * a redirect to the owner; two first joins racing through different nodes end in one room on one owner; when the
 * owner is killed (SIGKILL), another node takes the meeting over and restores the room from the mirror:
 * the same seats (peer ids), host, lock and lobby, media flows again (werift peers), and attendance has no gap
 * beyond the outage; a rolling restart (SIGTERM, start again, node after node) moves the room with every stop
 * of its owner and ends nothing, the seats and their presence going on without a gap.
 */
import type { MeetingAttendance, RoomJoined } from '@branchmeet/shared';
import type { Redis } from 'ioredis';
import { demoUnits } from '../test-support/fixtures';
import { OPUS_CAPS, RtcKit, RtcTestClient } from '../test-support/rtc-client';
import { waitFor } from '../test-support/werift';
import { connectTestRedis, eventually } from './redis-test-support';
import { startCluster, type ClusterNode, type TestCluster } from './test-support/cluster-nodes';

let cluster: TestCluster;
let redis: Redis;
const kits = new Map<string, RtcKit>();
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};
let branchA: string;
const WAITER = '13800000015';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HEARTBEAT_MS = 1000;

beforeAll(async () => {
  redis = await connectTestRedis();
  cluster = await startCluster(3, {
    CLUSTER_NODE_TTL_SECONDS: '1',
    CLUSTER_LEASE_TTL_SECONDS: '2',
    RTC_RECONNECT_GRACE_SECONDS: '30',
    MEETING_EMPTY_END_SECONDS: '600',
    PRESENCE_HEARTBEAT_SECONDS: String(HEARTBEAT_MS / 1000),
  });
  branchA = (await demoUnits(cluster.ds)).branchA;
  // 13800000015: another member of the first branch (a phone number is a login too).
  for (const login of ['secretary1', 'member1', WAITER]) {
    const res = await fetch(`${cluster.nodes[0].url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password: 'Demo@2026' }),
    });
    const body = (await res.json()) as { accessToken: string; me: { user: { id: string } } };
    tokens[login] = body.accessToken;
    ids[login] = body.me.user.id;
  }
}, 240_000);

afterAll(async () => {
  for (const kit of kits.values()) await kit.close();
  await cluster?.close();
  await redis?.quit();
});

function kit(url: string): RtcKit {
  let k = kits.get(url);
  if (!k) kits.set(url, (k = new RtcKit(url)));
  return k;
}

async function openMeeting(title: string): Promise<string> {
  const res = await fetch(`${cluster.nodes[0].url}/api/org-units/${branchA}/meetings/live`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', Authorization: `Bearer ${tokens.secretary1}` },
    body: JSON.stringify({ title }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

type Answer = Exclude<RoomJoined, { status: 'redirect' }>;

interface Joining {
  client: RtcTestClient;
  /** The node that answered with a seat (or the lobby). */
  url: string;
  answer: Answer;
  /** Redirects followed. */
  redirects: number;
}

/**
 * Joins as a client does: through `via`, following a redirect to the owner node; a node that cannot be reached
 * (killed) or a meeting between owners is tried again from `via` until `ms` have passed.
 */
async function join(login: string, via: string, meetingId: string, resumePeerId?: string, ms = 15_000) {
  const until = Date.now() + ms;
  let url = via;
  let redirects = 0;
  for (;;) {
    let client: RtcTestClient | undefined;
    try {
      client = new RtcTestClient(await kit(url).connect(tokens[login]));
      const ack = await client.raw('room.join', { meetingId, resumePeerId });
      if (!ack.ok) throw new Error(`${ack.error.code}: ${ack.error.message}`);
      if (ack.data.status !== 'redirect') return { client, url, answer: ack.data, redirects } as Joining;
      client.socket.disconnect();
      url = ack.data.url;
      redirects++;
    } catch (e) {
      client?.socket.disconnect();
      if (Date.now() > until) throw new Error(`${login} could not join ${meetingId}: ${String(e)}`);
      url = via;
      await sleep(200);
    }
  }
}

async function leaseOf(meetingId: string): Promise<string | null> {
  return redis.hget(`${cluster.prefix}lease:${meetingId}`, 'node');
}

function nodeById(id: string | null): ClusterNode {
  const node = cluster.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`no node ${id}`);
  return node;
}

function seated(j: Joining) {
  if (j.answer.status !== 'joined') throw new Error(`expected a seat, got ${j.answer.status}`);
  return j.answer;
}

interface Segment {
  user_id: string;
  peer_id: string;
  node_id: string;
  opened_at: Date;
  closed_at: Date | null;
  last_heartbeat_at: Date;
  close_reason: string | null;
}
const segments = (meetingId: string): Promise<Segment[]> =>
  cluster.ds.query(
    `SELECT user_id, peer_id, node_id, opened_at, closed_at, last_heartbeat_at, close_reason
     FROM presence_segment WHERE meeting_id = $1 ORDER BY opened_at, id`,
    [meetingId],
  );

async function status(meetingId: string): Promise<string> {
  const [row] = (await cluster.ds.query('SELECT status FROM meeting WHERE id = $1', [meetingId])) as {
    status: string;
  }[];
  return row.status;
}

/** The host ends the meeting; its attendance once final and every segment closed. */
async function endAndAttend(host: Joining, meetingId: string): Promise<MeetingAttendance> {
  await host.client.call('host.end', {});
  let body: MeetingAttendance | undefined;
  await eventually(
    async () => {
      const res = await fetch(`${host.url}/api/meetings/${meetingId}/attendance`, {
        headers: { Authorization: `Bearer ${tokens.secretary1}` },
      });
      body = (await res.json()) as MeetingAttendance;
      return body.final && (await segments(meetingId)).every((s) => s.closed_at !== null);
    },
    15_000,
    'the final attendance',
  );
  return body!;
}

/** The host's microphone reaches the member on the node both sit on now (werift, real RTP). */
async function micReaches(host: Joining, member: Joining, tag: string) {
  const mic = await kit(host.url).publishMic(host.client, seated(host));
  const { consumers } = await member.client.call('room.ready', { rtpCapabilities: OPUS_CAPS });
  const fromHost = consumers.find((c) => c.producerId === mic.producerId);
  expect(fromHost).toMatchObject({ peerId: seated(host).self.peerId });
  const { received } = await kit(member.url).receive(member.client, seated(member), fromHost!);
  await member.client.call('consumer.resume', { consumerIds: [fromHost!.consumerId] });
  const flows = async (what: string) => {
    const sent = await mic.send(20, what);
    await waitFor(`${what}: the host heard at the member`, () => sent.every((p) => received.includes(p)));
  };
  await flows(tag);
  return flows;
}

test('two first joins racing through different nodes end in one room on one owner', async () => {
  const meetingId = await openMeeting('两个节点同时加入');
  const [a, b] = await Promise.all([
    join('secretary1', cluster.nodes[0].url, meetingId),
    join('member1', cluster.nodes[1].url, meetingId),
  ]);
  const owner = nodeById(await leaseOf(meetingId));
  // Both sit on the owner, and at least one of them was sent there from the other node.
  expect([a.url, b.url]).toEqual([owner.url, owner.url]);
  expect(a.redirects + b.redirects).toBeGreaterThanOrEqual(1);
  // One room: the second one in sees the first, the first is told of the second.
  const [first, second] = seated(a).peers.length > 0 ? [b, a] : [a, b];
  expect(seated(second).peers.map((p) => p.peerId)).toEqual([seated(first).self.peerId]);
  await eventually(
    async () => first.client.seen('peer.joined').some((p) => p.peerId === seated(second).self.peerId),
    5000,
    'peer.joined',
  );
  // Only the owner opened a room; the other node's view asks the owner, so both count its two seats.
  const other = cluster.nodes.find((n) => n !== owner)!;
  const counts = await Promise.all(
    [owner, other].map(async (n) => {
      const res = await fetch(`${n.url}/api/meetings/${meetingId}`, {
        headers: { Authorization: `Bearer ${tokens.secretary1}` },
      });
      return ((await res.json()) as { participants: number }).participants;
    }),
  );
  expect(counts).toEqual([2, 2]);
  a.client.socket.disconnect();
  b.client.socket.disconnect();
});

test('the owner killed: another node restores the room with its seats, host, lock and lobby; attendance has no gap beyond the outage', async () => {
  const meetingId = await openMeeting('主节点宕机');
  const via = cluster.nodes[0].url;
  const host = await join('secretary1', via, meetingId);
  const member = await join('member1', via, meetingId);
  await host.client.call('host.lock', { locked: true });
  const waiting = host.client.next('lobby.waiting', (p) => p.waiting.length === 1);
  const waiter = await join(WAITER, via, meetingId);
  expect(waiter.answer.status).toBe('waiting');
  const waiterPeerId = (await waiting).waiting[0].peerId;
  // The mirror has the lobby (changes are saved within moments).
  await eventually(
    async () => {
      const json = await redis.hget(`${cluster.prefix}room:${meetingId}`, 'state');
      const state = json ? (JSON.parse(json) as { lobby: unknown[]; locked: boolean }) : null;
      return state?.locked === true && state.lobby.length === 1;
    },
    5000,
    'the mirrored lobby',
  );

  const owner = nodeById(await leaseOf(meetingId));
  const up = cluster.nodes.find((n) => n !== owner)!;
  const seats = { host: seated(host).self.peerId, member: seated(member).self.peerId };
  const killedAt = Date.now();
  await cluster.kill(owner);

  // Each comes back through a node still up, as its client would, and takes its seat back.
  const rejoined: Record<string, number> = {};
  const comeBack = (login: string, peerId: string) =>
    join(login, up.url, meetingId, peerId, 10_000).then((j) => {
      rejoined[login] = Date.now();
      return j;
    });
  const [host2, member2] = await Promise.all([
    comeBack('secretary1', seats.host),
    comeBack('member1', seats.member),
  ]);
  const back = Date.now() - killedAt;
  // A node still up took the meeting over (the least-loaded one), and both sit there.
  const survivor = nodeById(await leaseOf(meetingId));
  expect(survivor.id).not.toBe(owner.id);
  expect([host2.url, member2.url]).toEqual([survivor.url, survivor.url]);
  expect(seated(host2)).toMatchObject({ resumed: true, self: { peerId: seats.host, role: 'host' } });
  expect(seated(member2)).toMatchObject({ resumed: true, self: { peerId: seats.member, role: 'member' } });
  expect(seated(host2).room).toMatchObject({ hostUserId: ids.secretary1, locked: true });
  // Media flows again, on the new owner's router: the host's microphone reaches the member.
  const mic = await kit(survivor.url).publishMic(host2.client, seated(host2));
  const { consumers } = await member2.client.call('room.ready', { rtpCapabilities: OPUS_CAPS });
  expect(consumers).toEqual([expect.objectContaining({ producerId: mic.producerId, peerId: seats.host })]);
  const { received } = await kit(survivor.url).receive(member2.client, seated(member2), consumers[0]);
  await member2.client.call('consumer.resume', { consumerIds: [consumers[0].consumerId] });
  const sent = await mic.send(20, 'after the takeover');
  await waitFor('the host heard at the member', () => received.length >= 20);
  expect(received).toEqual(sent);
  // The lobby came back too: the one still waiting keeps their place, and the host can let them in.
  await eventually(async () => host2.client.seen('lobby.waiting').length > 0, 5000, 'lobby.waiting');
  expect(host2.client.seen('lobby.waiting')[0].waiting).toEqual([
    expect.objectContaining({ peerId: waiterPeerId, userId: ids[WAITER] }),
  ]);
  const waiter2 = await join(WAITER, survivor.url, meetingId, undefined, 5000);
  expect(waiter2.answer.status).toBe('waiting');
  const admitted = waiter2.client.next('lobby.admitted');
  await host2.client.call('lobby.admit', { peerId: waiterPeerId });
  await admitted;
  console.log(`room back on ${survivor.id} ${back} ms after the owner was killed`);

  // The killed node starts again: it ends nothing and takes nothing back.
  await cluster.restart(owner);
  await sleep(3 * HEARTBEAT_MS); // its start-up and a few rounds of every node's heartbeat and reaper
  expect(await status(meetingId)).toBe('live');
  expect(await leaseOf(meetingId)).toBe(survivor.id);
  const live = (await segments(meetingId)).filter((s) => s.closed_at === null);
  expect(live.map((s) => [s.peer_id, s.node_id]).sort()).toEqual(
    [
      [seats.host, survivor.id],
      [seats.member, survivor.id],
    ].sort(),
  );

  // Attendance once the host ends it: nothing open, and each member away only for the outage.
  const attendance = await endAndAttend(host2, meetingId);
  const all = await segments(meetingId);
  for (const [login, peerId] of [
    ['secretary1', seats.host],
    ['member1', seats.member],
  ] as const) {
    const mine = all.filter((s) => s.user_id === ids[login]);
    expect(mine).toHaveLength(2);
    const [before, after] = mine;
    // The killed node's segment closed at its last heartbeat (nothing counted into the outage)...
    expect(before).toMatchObject({ peer_id: peerId, node_id: owner.id, close_reason: 'crash' });
    expect(before.closed_at).toEqual(before.last_heartbeat_at);
    expect(before.closed_at!.getTime()).toBeLessThanOrEqual(killedAt + 500);
    // ...and the seat's new one opened when the member was back: the gap is the outage, to a heartbeat.
    expect(after).toMatchObject({ peer_id: peerId, node_id: survivor.id, close_reason: 'ended' });
    const gap = after.opened_at.getTime() - before.closed_at!.getTime();
    console.log(`${login}: away ${gap} ms (back ${rejoined[login] - killedAt} ms after the kill)`);
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThanOrEqual(rejoined[login] - killedAt + HEARTBEAT_MS + 1000);
    const record = attendance.records.find((r) => r.userId === ids[login]);
    const stayed = [before, after].reduce((ms, s) => ms + s.closed_at!.getTime() - s.opened_at.getTime(), 0);
    expect(record).toMatchObject({ joinCount: 2, totalSeconds: Math.round(stayed / 1000) });
  }
}, 300_000);

test('a rolling restart (SIGTERM and start again, each node in turn) ends no meeting: seats, media and presence go on', async () => {
  const meetingId = await openMeeting('滚动重启');
  const via = cluster.nodes[0].url;
  let host = await join('secretary1', via, meetingId);
  let member = await join('member1', via, meetingId);
  let third = await join(WAITER, via, meetingId);
  const seats = [host, member, third].map((j) => seated(j).self.peerId);
  await kit(third.url).connectRecv(third.client, seated(third));
  let flows = await micReaches(host, member, 'before the restarts');

  const stopped = new Set<string>();
  let moves = 0;
  while (stopped.size < cluster.nodes.length) {
    // The owner first while it has not been stopped yet (a stop that moves the room), else the next node.
    const ownerId = await leaseOf(meetingId);
    const node =
      cluster.nodes.find((n) => n.id === ownerId && !stopped.has(n.id)) ??
      cluster.nodes.find((n) => !stopped.has(n.id))!;
    const owned = node.id === ownerId;
    const told = owned
      ? [host, member, third].map((j) => j.client.next('room.moved', () => true, 30_000))
      : [];
    const stoppedAt = Date.now();
    await cluster.stop(node);
    stopped.add(node.id);
    expect(await status(meetingId)).toBe('live');
    if (owned) {
      // Everyone is told the same new owner, which holds the meeting already.
      const to = await Promise.all(told);
      expect(new Set(to.map((t) => t.url)).size).toBe(1);
      expect(to[0]).toMatchObject({ meetingId, nodeId: expect.not.stringMatching(node.id) });
      expect(await leaseOf(meetingId)).toBe(to[0].nodeId);
      // Each joins there with its seat, as the client does on room.moved: no redirect, the same peer.
      const old = [host, member, third];
      [host, member, third] = await Promise.all(
        [['secretary1', 0] as const, ['member1', 1] as const, [WAITER, 2] as const].map(([login, i]) =>
          join(login, to[0].url, meetingId, seats[i], 10_000),
        ),
      );
      const moved = Date.now() - stoppedAt;
      for (const c of old) c.client.socket.disconnect();
      for (const [i, j] of [host, member, third].entries()) {
        expect([j.url, j.redirects]).toEqual([to[0].url, 0]);
        expect(seated(j)).toMatchObject({ resumed: true, self: { peerId: seats[i] } });
      }
      expect(seated(host).room.hostUserId).toBe(ids.secretary1);
      await kit(third.url).connectRecv(third.client, seated(third));
      flows = await micReaches(host, member, `after ${node.id} stopped`);
      moves++;
      console.log(`${node.id} stopped: the room moved to ${to[0].nodeId}, all back in ${moved} ms`);
    } else {
      // Not its room: nobody was told to move, and the media goes on where it was.
      await flows(`while ${node.id} restarts`);
      expect(host.client.seen('room.moved')).toEqual([]);
    }
    await cluster.restart(node);
    expect(await status(meetingId)).toBe('live');
  }
  expect(moves).toBeGreaterThanOrEqual(2);

  // Attendance: each member was there the whole time, in one segment that followed the room from node to node.
  const attendance = await endAndAttend(host, meetingId);
  const all = await segments(meetingId);
  for (const [i, login] of ['secretary1', 'member1', WAITER].entries()) {
    const mine = all.filter((s) => s.user_id === ids[login]);
    expect(mine).toEqual([expect.objectContaining({ peer_id: seats[i], close_reason: 'ended' })]);
    expect(attendance.records.find((r) => r.userId === ids[login])).toMatchObject({ joinCount: 1 });
  }
}, 600_000);
