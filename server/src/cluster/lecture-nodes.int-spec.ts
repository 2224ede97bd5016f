/**
 * A lecture across nodes: three real server processes on one database and one Redis, one mediasoup worker each,
 * LECTURE_CONSUMERS_PER_WORKER=2. The lecturer publishes opus on the owner; six werift listeners join through
 * the owner (their signalling stays there). Once the owner's router carries two consumers, listeners are served
 * by routers on the two other nodes (their receive transport's ICE candidates are those nodes' media ports), fed
 * over PipeTransports (SRTP, RTX). Every listener receives the lecturer's RTP and has its presence stamped; a pause stops it everywhere and a
 * resume brings it back (forwarded to the other nodes); a listener served elsewhere given the floor sends to the
 * owner and is heard by the lecturer; closing the producer closes every listener's consumer, those on other nodes
 * told by the node that served them.
 */
import type { ConsumerInfo, RoomJoined, TransportOptions } from '@branchmeet/shared';
import type { Redis } from 'ioredis';
import type { NodeInfo } from './cluster.types';
import { demoUnits } from '../test-support/fixtures';
import { OPUS_CAPS, RtcKit, RtcTestClient, sendOf, type Joined } from '../test-support/rtc-client';
import { connectTestRedis, eventually } from './redis-test-support';
import { startCluster, type TestCluster } from './test-support/cluster-nodes';

const THRESHOLD = 2;
/** Members of the first branch (phone numbers are logins too); 13800000011 is its secretary, the lecturer. */
const LISTENERS = ['13800000013', '13800000014', '13800000015', '13800000016', '13800000017', '13800000018'];

let cluster: TestCluster;
let redis: Redis;
const kits = new Map<string, RtcKit>();
const tokens: Record<string, string> = {};

beforeAll(async () => {
  redis = await connectTestRedis();
  cluster = await startCluster(3, {
    LECTURE_CONSUMERS_PER_WORKER: String(THRESHOLD),
    CLUSTER_NODE_TTL_SECONDS: '3',
  });
  for (const login of ['secretary1', ...LISTENERS]) {
    const res = await fetch(`${cluster.nodes[0].url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password: 'Demo@2026' }),
    });
    const body = (await res.json()) as { accessToken?: string };
    if (!body.accessToken) throw new Error(`${login} could not sign in: ${JSON.stringify(body)}`);
    tokens[login] = body.accessToken;
  }
}, 180_000);

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

/** Joins through `via` as a client does, following the redirect to the owner; returns the seat and its node. */
async function join(login: string, via: string, meetingId: string) {
  let url = via;
  for (let hops = 0; hops < 3; hops++) {
    const client = new RtcTestClient(await kit(url).connect(tokens[login]));
    const ack = await client.call('room.join', { meetingId });
    if (ack.status === 'joined') return { client, url, joined: ack as Joined };
    client.socket.disconnect();
    if (ack.status !== 'redirect') throw new Error(`${login}: ${ack.status}`);
    url = (ack as Extract<RoomJoined, { status: 'redirect' }>).url;
  }
  throw new Error(`${login} was redirected in circles`);
}

/** The node whose media port a transport's ICE candidates name: where its router lives. */
async function nodeOf(transport: TransportOptions): Promise<string> {
  const ports = new Set(transport.iceCandidates.map((c) => (c as { port: number }).port));
  for (const node of cluster.nodes) {
    const info = JSON.parse(
      (await redis.get(`${cluster.prefix}node:${node.id}`)) ?? 'null',
    ) as NodeInfo | null;
    if (info && ports.has(info.media.portBase)) return node.id;
  }
  throw new Error(`no node listens on ${[...ports].join(', ')}`);
}

/** A new lecture of the first branch, its secretary the host (and lecturer). */
async function newLecture(title: string): Promise<string> {
  const { branchA } = await demoUnits(cluster.ds);
  const res = await fetch(`${cluster.nodes[0].url}/api/org-units/${branchA}/meetings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', Authorization: `Bearer ${tokens.secretary1}` },
    body: JSON.stringify({ type: 'lecture', start: new Date(Date.now() + 60_000).toISOString(), title }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/**
 * A lecture with the secretary lecturing (opus) and the six listeners joined through node 0 as a client does,
 * each receiving the lecturer's microphone on the node its receive transport names.
 */
async function openLecture(title: string) {
  const meetingId = await newLecture(title);
  const lecturer = await join('secretary1', cluster.nodes[0].url, meetingId);
  const owner = cluster.nodes.find((n) => n.url === lecturer.url);
  if (!owner) throw new Error('the lecturer sits on no node');
  await lecturer.client.call('room.ready', { rtpCapabilities: OPUS_CAPS });
  const mic = await kit(owner.url).publishMic(lecturer.client, lecturer.joined);

  const listeners: {
    client: RtcTestClient;
    joined: Joined;
    node: string;
    consumer: ConsumerInfo;
    received: string[];
  }[] = [];
  for (const login of LISTENERS) {
    const { client, url, joined } = await join(login, cluster.nodes[0].url, meetingId);
    expect(url).toBe(owner.url); // the listener's signalling stays with the owner
    expect(joined.sendTransport).toBeNull();
    const { consumers } = await client.call('room.ready', { rtpCapabilities: OPUS_CAPS });
    expect(consumers.map((c) => c.producerId)).toEqual([mic.producerId]);
    const { received } = await kit(owner.url).receive(client, joined, consumers[0]);
    await client.call('consumer.resume', { consumerIds: [consumers[0].consumerId] });
    listeners.push({
      client,
      joined,
      node: await nodeOf(joined.recvTransport),
      consumer: consumers[0],
      received,
    });
  }
  return { meetingId, lecturer, owner, mic, listeners };
}

test('listeners beyond the owner’s worker are served by routers on the other nodes, pause/resume/close included', async () => {
  const { meetingId, lecturer, owner, mic, listeners } = await openLecture('跨节点党课');

  // The owner's router takes two listeners (one consumer each); the next go to the other nodes, two each.
  const others = cluster.nodes.filter((n) => n !== owner).map((n) => n.id);
  expect(listeners.slice(0, THRESHOLD).map((l) => l.node)).toEqual([owner.id, owner.id]);
  const count = (id: string) => listeners.filter((l) => l.node === id).length;
  expect(others.map(count)).toEqual([THRESHOLD, THRESHOLD]);

  /** The lecturer talks (tag) until every listener has `want` packets of it, for up to 30 s. */
  const talkUntilHeard = async (tag: string, want: number) => {
    const heard = (l: (typeof listeners)[number]) =>
      l.received.filter((hex) => Buffer.from(hex, 'hex').toString().includes(`${tag} `)).length;
    const until = Date.now() + 30_000;
    while (listeners.some((l) => heard(l) < want)) {
      if (Date.now() > until)
        throw new Error(
          `"${tag}" not heard: ${JSON.stringify(listeners.map((l) => ({ node: l.node, got: heard(l) })))}`,
        );
      await mic.send(10, tag);
    }
    return heard;
  };
  await talkUntilHeard('live', 20);
  // Presence: every listener's segment, written by the owner, is stamped when its transport connected — for
  // those served elsewhere, on the word of the node that served them.
  await eventually(
    async () => {
      const rows: { peer_id: string }[] = await cluster.ds.query(
        `SELECT peer_id FROM presence_segment WHERE meeting_id = $1 AND node_id = $2 AND media_at IS NOT NULL`,
        [meetingId, owner.id],
      );
      const stamped = new Set(rows.map((r) => r.peer_id));
      return listeners.every((l) => stamped.has(l.joined.self.peerId));
    },
    10_000,
    'every listener’s presence stamped with media',
  );

  // Paused: nothing reaches anyone, on any node.
  const pausedSeen = listeners.map((l) =>
    l.client.next('producer.paused', (p) => p.producerId === mic.producerId),
  );
  await lecturer.client.call('media.pause', { producerId: mic.producerId });
  await Promise.all(pausedSeen);
  await mic.send(40, 'muted');
  await new Promise((r) => setTimeout(r, 1000));
  for (const l of listeners)
    expect(l.received.filter((hex) => Buffer.from(hex, 'hex').toString().includes('muted '))).toEqual([]);

  // Resumed: the owner's resume reaches the other nodes' producers, and every listener hears the lecturer again.
  await lecturer.client.call('media.resume', { producerId: mic.producerId });
  await talkUntilHeard('again', 20);

  // A listener served on another node given the floor sends to the owner's router: the lecturer hears it.
  const far = listeners[listeners.length - 1];
  const given = far.client.next('lecture.send', (p) => p.sendTransport !== null);
  await lecturer.client.call('lecture.giveFloor', { peerId: far.joined.self.peerId });
  const floor = await given;
  expect(await nodeOf(sendOf(floor))).toBe(owner.id);
  const atLecturer = lecturer.client.next(
    'consumer.created',
    (p) => p.peerId === far.joined.self.peerId,
    15_000,
  );
  const farMic = await kit(owner.url).publishMic(far.client, floor);
  const question = await atLecturer;
  const heard = await kit(owner.url).receive(lecturer.client, lecturer.joined, question);
  await lecturer.client.call('consumer.resume', { consumerIds: [question.consumerId] });
  const askedUntil = Date.now() + 30_000;
  while (heard.received.length < 20) {
    if (Date.now() > askedUntil)
      throw new Error(`the lecturer heard ${heard.received.length} of the question`);
    await farMic.send(10, 'question');
  }

  // Closed: every listener's consumer closes; those served elsewhere are told by the node that served them.
  const closedSeen = listeners.map((l) =>
    l.client.next('consumer.closed', (p) => p.consumerId === l.consumer.consumerId, 15_000),
  );
  await lecturer.client.call('media.close', { producerId: mic.producerId });
  await Promise.all(closedSeen);
  await lecturer.client.call('host.end', {});
}, 240_000);

test('a node serving listeners dies: the owner tells just those listeners, they set up their media again and hear the lecturer', async () => {
  const { meetingId, lecturer, owner, mic, listeners } = await openLecture('跨节点党课：节点故障');
  const victim = cluster.nodes.find((n) => n !== owner && listeners.some((l) => l.node === n.id));
  if (!victim) throw new Error('no listener is served by another node');
  const served = listeners.filter((l) => l.node === victim.id);
  const spared = listeners.filter((l) => l.node !== victim.id);

  const told = served.map((l) => l.client.next('media.moved', undefined, 20_000));
  const killedAt = Date.now();
  await cluster.kill(victim);
  await Promise.all(told);
  const toldMs = Date.now() - killedAt;
  // As the browser does on media.moved: take the seat back on the same socket and receive again.
  for (const l of served) {
    const again = (await l.client.call('room.join', {
      meetingId,
      resumePeerId: l.joined.self.peerId,
    })) as Joined;
    expect(again.self.peerId).toBe(l.joined.self.peerId);
    expect(await nodeOf(again.recvTransport)).not.toBe(victim.id);
    const { consumers } = await l.client.call('room.ready', { rtpCapabilities: OPUS_CAPS });
    l.received = (await kit(owner.url).receive(l.client, again, consumers[0])).received;
    await l.client.call('consumer.resume', { consumerIds: [consumers[0].consumerId] });
  }
  const until = Date.now() + 30_000;
  const heard = (l: (typeof listeners)[number]) =>
    l.received.filter((hex) => Buffer.from(hex, 'hex').toString().includes('after ')).length;
  while (listeners.some((l) => heard(l) < 20)) {
    if (Date.now() > until)
      throw new Error(`not heard after the node died: ${JSON.stringify(listeners.map(heard))}`);
    await mic.send(10, 'after');
  }
  for (const l of spared) expect(l.client.seen('media.moved')).toEqual([]);
  console.log(
    `node ${victim.id} killed: its ${served.length} listeners told media.moved after ${toldMs} ms ` +
      `(node TTL 3 s), all ${listeners.length} hear the lecturer again`,
  );
  await lecturer.client.call('host.end', {});
}, 120_000);
