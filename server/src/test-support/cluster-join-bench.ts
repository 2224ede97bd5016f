/**
 * Cluster join benchmark: does a join through a node that does not own the meeting cost much more than a join on
 * the owner? Two real server nodes (child processes on one database and one Redis, one mediasoup worker each, as
 * the cluster tests start them); the host publishes a microphone on the meeting's owner and keeps talking; a member
 * joins JOINS times through the owner and JOINS times through the other node, alternately (owner first in odd
 * rounds). A join through the other node is answered with a redirect: the member opens a socket on the owner and
 * joins again, as the client does.
 *
 * Timed from `room.join` on a socket already connected to the entry node (the app's person has their /rtc socket
 * open before joining) to the first RTP packet of the host's microphone at the member (werift): the redirect, the
 * second socket's handshake, the seat, the transport's ICE + DTLS and the consumer's resume. Prints both medians
 * and p95s and the ratio of the medians (target ≤ 1.2), and the median of the per-round ratios.
 *
 * Not part of `npm test`; started by test/bench/cluster-join.bench.ts (`npm run bench:cluster-join -w test`).
 * Env: BENCH_JOINS (joins per side, default 10), DATABASE_URL, REDIS_URL (defaults: the local servers).
 */
import type { RoomJoined } from '@branchmeet/shared';
import { startCluster, type TestCluster } from '../cluster/test-support/cluster-nodes';
import { demoUnits } from './fixtures';
import { OPUS_CAPS, RtcKit } from './rtc-client';
import { sleep } from './werift';

const JOINS = Number(process.env.BENCH_JOINS ?? 10);
const TARGET_RATIO = 1.2;
type Seat = Extract<RoomJoined, { status: 'joined' }>;

async function login(url: string, who: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: who, password: 'Demo@2026' }),
  });
  if (!res.ok) throw new Error(`login ${who}: ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** Joins through `via`, following one redirect; the seat and the client it sits on. */
async function joinVia(kits: Map<string, RtcKit>, token: string, via: string, meetingId: string) {
  let client = await kits.get(via)!.client(token);
  const t0 = performance.now();
  let ack = await client.raw('room.join', { meetingId, rtpCapabilities: OPUS_CAPS });
  let redirected = false;
  if (ack.ok && ack.data.status === 'redirect') {
    client.socket.disconnect();
    const owner = kits.get(ack.data.url);
    if (!owner) throw new Error(`redirected to an unknown node ${ack.data.url}`);
    client = await owner.client(token);
    ack = await client.raw('room.join', { meetingId, rtpCapabilities: OPUS_CAPS });
    redirected = true;
  }
  if (!ack.ok || ack.data.status !== 'joined') throw new Error(`join: ${JSON.stringify(ack)}`);
  return { t0, client, seat: ack.data as Seat, redirected };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(0.95 * xs.length) - 1];

export async function clusterJoinBench() {
  let cluster: TestCluster | undefined;
  const kits = new Map<string, RtcKit>();
  let talking = true;
  try {
    cluster = await startCluster(2, { MEETING_EMPTY_END_SECONDS: '600' });
    for (const n of cluster.nodes) kits.set(n.url, new RtcKit(n.url));
    const [a, b] = cluster.nodes;
    const { branchA } = await demoUnits(cluster.ds);
    const hostToken = await login(a.url, 'secretary1');
    const memberToken = await login(a.url, 'member1');
    const res = await fetch(`${a.url}/api/org-units/${branchA}/meetings/live`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', Authorization: `Bearer ${hostToken}` },
      body: JSON.stringify({ title: '跨节点加入基准' }),
    });
    const meetingId = ((await res.json()) as { id: string }).id;
    const host = await joinVia(kits, hostToken, a.url, meetingId);
    const ownerUrl = host.redirected ? b.url : a.url;
    const otherUrl = ownerUrl === a.url ? b.url : a.url;
    const mic = await kits.get(ownerUrl)!.publishMic(host.client, host.seat);
    const talk = (async () => {
      while (talking) await mic.send(25, 'bench');
    })();

    const one = async (via: string) => {
      const { t0, client, seat, redirected } = await joinVia(kits, memberToken, via, meetingId);
      const consumer = seat.consumers?.find((c) => c.producerId === mic.producerId);
      if (!consumer) throw new Error('the join answer carried no consumer of the host microphone');
      const { received, pc } = await kits.get(redirected ? ownerUrl : via)!.receive(client, seat, consumer);
      await client.call('consumer.resume', { consumerIds: [consumer.consumerId] });
      const deadline = performance.now() + 20_000;
      while (received.length === 0) {
        if (performance.now() > deadline) throw new Error('no audio within 20 s of the join');
        await sleep(2);
      }
      const ms = performance.now() - t0;
      await client.call('room.leave', {});
      client.socket.disconnect();
      await pc.close().catch(() => undefined);
      return { ms, redirected };
    };

    console.log(
      `\ncluster join: room.join on an open socket → first RTP of the host's microphone; ` +
        `${JOINS} joins through the owner and ${JOINS} through the other node (a redirect), alternately`,
    );
    await one(ownerUrl); // warm-up on both nodes
    await one(otherUrl);
    const owner: number[] = [];
    const other: number[] = [];
    const roundRatios: number[] = [];
    for (let round = 0; round < JOINS; round++) {
      const order = round % 2 === 0 ? [ownerUrl, otherUrl] : [otherUrl, ownerUrl];
      const took: Record<string, number> = {};
      for (const via of order) {
        const { ms, redirected } = await one(via);
        if (redirected !== (via === otherUrl)) throw new Error(`join via ${via}: redirected=${redirected}`);
        took[via] = ms;
        await sleep(200);
      }
      owner.push(took[ownerUrl]);
      other.push(took[otherUrl]);
      roundRatios.push(took[otherUrl] / took[ownerUrl]);
    }
    const ratio = median(other) / median(owner);
    const pass = ratio <= TARGET_RATIO;
    const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms, p95 ${p95(xs).toFixed(0)} ms`;
    console.log(`  on the owner          ${fmt(owner)}   each ${owner.map((x) => x.toFixed(0)).join(' ')}`);
    console.log(`  through the other     ${fmt(other)}   each ${other.map((x) => x.toFixed(0)).join(' ')}`);
    console.log(
      `cluster join: ratio other ÷ owner (medians) ${ratio.toFixed(2)}, median of per-round ratios ` +
        `${median(roundRatios).toFixed(2)} (target ≤ ${TARGET_RATIO}) ${pass ? 'PASS' : 'WARN'}`,
    );
    talking = false;
    await talk;
    return { name: 'cluster join', pass, ratio };
  } finally {
    talking = false;
    for (const k of kits.values()) await k.close();
    await cluster?.close();
  }
}

if (require.main === module) {
  clusterJoinBench().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
