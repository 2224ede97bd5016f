/**
 * Live rooms on several nodes: two real server processes on one database and one Redis (a key prefix of this
 * file's own), one mediasoup worker each. A join through a node that does not own the meeting is answered with
 * a redirect to the owner; two first joins racing through different nodes end in one room on one owner; when the
 * owner is killed (SIGKILL), the other node takes the meeting over and restores the room from the mirror:
 * the same seats (peer ids), host, lock and lobby, and media flows again (werift peers).
 */
import type { RoomJoined } from '@branchmeet/shared';
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

beforeAll(async () => {
  redis = await connectTestRedis();
  cluster = await startCluster(2, {
    CLUSTER_NODE_TTL_SECONDS: '1',
    CLUSTER_LEASE_TTL_SECONDS: '2',
    RTC_RECONNECT_GRACE_SECONDS: '30',
    MEETING_EMPTY_END_SECONDS: '600',
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
}, 120_000);

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

test('the owner killed: the other node restores the room with its seats, host, lock and lobby', async () => {
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
  const survivor = cluster.nodes.find((n) => n !== owner)!;
  const seats = { host: seated(host).self.peerId, member: seated(member).self.peerId };
  const killedAt = Date.now();
  await cluster.kill(owner);

  // Each comes back through the node still up, as its client would, and takes its seat back.
  const [host2, member2] = await Promise.all([
    join('secretary1', survivor.url, meetingId, seats.host, 10_000),
    join('member1', survivor.url, meetingId, seats.member, 10_000),
  ]);
  const back = Date.now() - killedAt;
  expect(await leaseOf(meetingId)).toBe(survivor.id);
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
});
