/**
 * The cluster's foundation on a real Redis: ownership races, fencing by epoch, takeover after a lease lapses,
 * the room mirror's refusal of stale writers, the node registry's expiry and least-loaded placement. Each node
 * here has its own Redis connection (as separate processes would); every test has a key prefix of its own.
 */
import type { Redis } from 'ioredis';
import { ClusterKeys } from './cluster-keys';
import { type NodeLoad, StaleEpochError } from './cluster.types';
import { LeaseKeeper } from './lease-keeper';
import { RedisMeetingLeases } from './redis-leases';
import { RedisRoomMirror } from './redis-mirror';
import { RedisNodeRegistry } from './redis-registry';
import { connectTestRedis, dropPrefix, eventually, testPrefix } from './redis-test-support';

interface TestNode {
  id: string;
  registry: RedisNodeRegistry;
  leases: RedisMeetingLeases;
  mirror: RedisRoomMirror;
}

let admin: Redis;
const clients: Redis[] = [];
const registries: RedisNodeRegistry[] = [];
let prefix: string;

async function node(
  id: string,
  opts: { leaseMs?: number; nodeMs?: number; load?: NodeLoad } = {},
): Promise<TestNode> {
  const redis = await connectTestRedis();
  clients.push(redis);
  const keys = new ClusterKeys(prefix);
  const registry = new RedisNodeRegistry(
    redis,
    keys,
    { id, url: `http://${id}.test:3000`, media: { address: '127.0.0.1', portBase: 40000 } },
    opts.nodeMs ?? 5000,
  );
  if (opts.load) {
    const load = opts.load;
    registry.setLoadSource(() => load);
  }
  registries.push(registry);
  return {
    id,
    registry,
    leases: new RedisMeetingLeases(redis, keys, registry, opts.leaseMs ?? 5000),
    mirror: new RedisRoomMirror(redis, keys),
  };
}

const jitter = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));

beforeAll(async () => {
  admin = await connectTestRedis();
});

beforeEach(() => {
  prefix = testPrefix();
});

afterEach(async () => {
  for (const r of registries.splice(0)) await r.stop(false);
  for (const c of clients.splice(0)) c.disconnect();
  await dropPrefix(admin, prefix);
});

afterAll(() => admin?.disconnect());

describe('meeting leases', () => {
  it('two nodes claiming one meeting at the same moment: exactly one owner, 50 races out of 50', async () => {
    const a = await node('a');
    const b = await node('b');
    const epochs: number[] = [];
    const winners = { a: 0, b: 0 };
    for (let i = 0; i < 50; i++) {
      const meetingId = `m${i}`;
      // Sent in a random order, each after a random 1-2 ms, so either may reach Redis first.
      const claim = (n: TestNode) => jitter().then(() => n.leases.claim(meetingId));
      const aFirst = Math.random() < 0.5;
      const pa = aFirst ? claim(a) : undefined;
      const pb = claim(b);
      const [ra, rb] = await Promise.all([pa ?? claim(a), pb]);
      expect(Number(ra.claimed) + Number(rb.claimed)).toBe(1);
      expect(ra.lease).toEqual(rb.lease);
      const owner = ra.claimed ? 'a' : 'b';
      expect(ra.lease.nodeId).toBe(owner);
      winners[owner] += 1;
      expect(await a.leases.whereIs(meetingId)).toEqual(ra.lease);
      epochs.push(ra.lease.epoch);
    }
    // Every claim drew a new epoch from the one counter: all distinct and growing.
    expect(epochs).toEqual([...epochs].sort((x, y) => x - y));
    expect(new Set(epochs).size).toBe(50);
    console.log(`lease races: a won ${winners.a}, b won ${winners.b}`);
  });

  it('only the holder at its epoch renews or releases; a second claim returns the holder', async () => {
    const a = await node('a');
    const b = await node('b');
    const { lease } = await a.leases.claim('m');
    expect(lease).toMatchObject({ nodeId: 'a', state: 'held' });
    expect(await a.leases.claim('m')).toEqual({ lease, claimed: false });
    expect(await b.leases.claim('m')).toEqual({ lease, claimed: false });
    expect(await b.leases.renew('m', lease.epoch)).toBe(false);
    expect(await b.leases.release('m', lease.epoch)).toBe(false);
    expect(await a.leases.renew('m', lease.epoch + 1)).toBe(false);
    expect(await a.leases.renew('m', lease.epoch)).toBe(true);
    await expect(b.leases.assertEpoch('m', lease.epoch)).resolves.toBeUndefined();
    expect(await a.leases.release('m', lease.epoch)).toBe(true);
    expect(await a.leases.whereIs('m')).toBeNull();
    // Released: its epoch is dead, even for its former holder.
    expect(await a.leases.renew('m', lease.epoch)).toBe(false);
    await expect(a.leases.assertEpoch('m', lease.epoch)).rejects.toMatchObject({
      code: 'cluster.staleEpoch',
      currentEpoch: null,
    });
  });

  it('a lease its holder stops renewing lapses; another node takes over at a higher epoch and the old one is fenced', async () => {
    const a = await node('a', { leaseMs: 600 });
    const b = await node('b', { leaseMs: 600 });
    const first = (await a.leases.claim('m')).lease;
    await a.mirror.save('m', first.epoch, { host: 'u1' });
    // Renewed, it outlives several expiries.
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 150));
      expect(await a.leases.renew('m', first.epoch)).toBe(true);
    }
    expect((await b.leases.claim('m')).claimed).toBe(false);
    // a stops renewing (killed): the lease lapses and b takes it.
    await eventually(async () => (await b.leases.whereIs('m')) === null, 5000, 'the lease to lapse');
    const second = await b.leases.claim('m');
    expect(second.claimed).toBe(true);
    expect(second.lease.nodeId).toBe('b');
    expect(second.lease.epoch).toBeGreaterThan(first.epoch);
    // b restores what a mirrored, then a (back from its pause) cannot renew, release or write.
    expect((await b.mirror.load('m'))?.state).toEqual({ host: 'u1' });
    expect(await a.leases.renew('m', first.epoch)).toBe(false);
    expect(await a.leases.release('m', first.epoch)).toBe(false);
    const stale = a.leases.assertEpoch('m', first.epoch);
    await expect(stale).rejects.toBeInstanceOf(StaleEpochError);
    await expect(stale).rejects.toMatchObject({ epoch: first.epoch, currentEpoch: second.lease.epoch });
    await expect(a.mirror.save('m', first.epoch, { host: 'zombie' })).rejects.toBeInstanceOf(StaleEpochError);
    expect(await b.leases.whereIs('m')).toEqual(second.lease);
  });
});

describe('hand-over', () => {
  it('the holder hands its lease to another node in one step: a new epoch, assigned; the old epoch is fenced', async () => {
    const a = await node('a');
    const b = await node('b');
    const c = await node('c');
    const { lease } = await a.leases.claim('m');
    await a.mirror.save('m', lease.epoch, { seats: ['p1'] });
    // Only the holder, and only at its epoch.
    expect(await b.leases.handOver('m', lease.epoch, 'c')).toBeNull();
    expect(await a.leases.handOver('m', lease.epoch + 1, 'c')).toBeNull();
    const moved = await a.leases.handOver('m', lease.epoch, 'b');
    expect(moved).toEqual({ meetingId: 'm', nodeId: 'b', epoch: expect.any(Number), state: 'assigned' });
    expect(moved!.epoch).toBeGreaterThan(lease.epoch);
    expect(await c.leases.whereIs('m')).toEqual(moved);
    // The old holder can do nothing more with its epoch: not renew, release, hand over again or write.
    expect(await a.leases.renew('m', lease.epoch)).toBe(false);
    expect(await a.leases.release('m', lease.epoch)).toBe(false);
    expect(await a.leases.handOver('m', lease.epoch, 'c')).toBeNull();
    await expect(a.mirror.save('m', lease.epoch, { seats: [] })).rejects.toBeInstanceOf(StaleEpochError);
    // The new owner takes it up, finds the room as the old one left it, and writes at its own epoch.
    expect(await b.leases.adopt('m', moved!.epoch)).toBe(true);
    expect(await b.leases.whereIs('m')).toMatchObject({ nodeId: 'b', state: 'held' });
    expect((await b.mirror.load('m'))?.state).toEqual({ seats: ['p1'] });
    await b.mirror.save('m', moved!.epoch, { seats: ['p1', 'p2'] });
  });

  it("a meeting's mirror is dropped without an epoch only while nobody holds its lease", async () => {
    const a = await node('a');
    const { lease } = await a.leases.claim('m');
    await a.mirror.save('m', lease.epoch, { seats: ['p1'] });
    expect(await a.mirror.dropUnowned('m')).toBe(false);
    expect(await a.mirror.load('m')).not.toBeNull();
    await a.leases.release('m', lease.epoch);
    expect(await a.mirror.dropUnowned('m')).toBe(true);
    expect(await a.mirror.load('m')).toBeNull();
  });
});

describe('room mirror', () => {
  it('saves and loads at the current epoch, versions each save, refuses a stale epoch, deletes fenced', async () => {
    const a = await node('a');
    const b = await node('b');
    expect(await a.mirror.load('m')).toBeNull();
    // No lease, no write.
    await expect(a.mirror.save('m', 1, { x: 1 })).rejects.toBeInstanceOf(StaleEpochError);
    const { lease } = await a.leases.claim('m');
    const state = { host: 'u1', locked: true, lobby: ['u9'], seats: { p1: 'u1', p2: 'u2' }, note: '主持人' };
    const s1 = await a.mirror.save('m', lease.epoch, state);
    expect(s1).toMatchObject({ epoch: lease.epoch, version: 1, state });
    const s2 = await a.mirror.save('m', lease.epoch, { ...state, locked: false });
    expect(s2.version).toBe(2);
    expect(await b.mirror.load('m')).toEqual({ ...s2, state: { ...state, locked: false } });
    // A writer with any other epoch is refused, atomically: the stored state is untouched.
    for (const epoch of [lease.epoch - 1, lease.epoch + 1])
      await expect(b.mirror.save('m', epoch, { host: 'u2' })).rejects.toMatchObject({
        code: 'cluster.staleEpoch',
        currentEpoch: lease.epoch,
      });
    await expect(b.mirror.delete('m', lease.epoch - 1)).rejects.toBeInstanceOf(StaleEpochError);
    expect((await a.mirror.load('m'))?.version).toBe(2);
    // Released and claimed again: a new epoch; the old one can no longer write.
    await a.leases.release('m', lease.epoch);
    const next = (await b.leases.claim('m')).lease;
    await expect(a.mirror.save('m', lease.epoch, state)).rejects.toBeInstanceOf(StaleEpochError);
    const s3 = await b.mirror.save('m', next.epoch, { host: 'u2' });
    expect(s3).toMatchObject({ epoch: next.epoch, version: 3 });
    await b.mirror.delete('m', next.epoch);
    expect(await a.mirror.load('m')).toBeNull();
  });

  it('many writers racing with old and current epochs: only the current one lands', async () => {
    const a = await node('a');
    const b = await node('b');
    const old = (await a.leases.claim('m')).lease;
    await a.leases.release('m', old.epoch);
    const cur = (await b.leases.claim('m')).lease;
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0
          ? a.mirror.save('m', old.epoch, { by: 'a', i })
          : b.mirror.save('m', cur.epoch, { by: 'b', i }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
    for (const [i, r] of results.entries()) expect(r.status).toBe(i % 2 === 0 ? 'rejected' : 'fulfilled');
    const saved = await a.mirror.load<{ by: string }>('m');
    expect(saved).toMatchObject({ epoch: cur.epoch, version: 20, state: { by: 'b' } });
  });
});

describe('node registry', () => {
  it('lists the live nodes; one that stops refreshing disappears, the others stay', async () => {
    const a = await node('a', { nodeMs: 1000, load: { rooms: 1, peers: 3, workers: 2 } });
    const b = await node('b', { nodeMs: 1000 });
    await a.registry.start();
    await b.registry.start();
    const nodes = await b.registry.list();
    expect(nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(nodes[0]).toMatchObject({
      url: 'http://a.test:3000',
      media: { address: '127.0.0.1', portBase: 40000 },
      load: { rooms: 1, peers: 3, workers: 2 },
      draining: false,
    });
    // Refreshed at 30% of the expiry: present across several expiries.
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      expect((await b.registry.list()).map((n) => n.id)).toEqual(['a', 'b']);
      await new Promise((r) => setTimeout(r, 50));
    }
    // a is killed (no clean leave): gone after its expiry, from the index too.
    const stoppedAt = Date.now();
    await a.registry.stop(false);
    await eventually(async () => (await b.registry.list()).length === 1, 5000, 'a to expire');
    console.log(`registry: a stopped refreshing, gone after ${Date.now() - stoppedAt} ms (expiry 1000 ms)`);
    expect((await b.registry.list()).map((n) => n.id)).toEqual(['b']);
    expect(await admin.smembers(`${prefix}nodes`)).toEqual(['b']);
    // A clean stop leaves at once.
    await b.registry.stop(true);
    expect(await admin.exists(`${prefix}node:b`)).toBe(0);
  });

  it('the least-loaded live node gets a new meeting; it takes the assigned lease up; draining nodes are skipped', async () => {
    const a = await node('a', { load: { rooms: 4, peers: 40, workers: 2 } });
    const b = await node('b', { load: { rooms: 3, peers: 30, workers: 1 } });
    const c = await node('c', { load: { rooms: 2, peers: 12, workers: 2 } });
    for (const n of [a, b, c]) await n.registry.publish();
    // Per worker: a 20 peers, b 30, c 6: c.
    const [ra, rb] = await Promise.all([
      a.leases.claimForLeastLoaded('m1'),
      b.leases.claimForLeastLoaded('m1'),
    ]);
    expect(Number(ra.claimed) + Number(rb.claimed)).toBe(1);
    expect(ra.lease).toEqual(rb.lease);
    expect(ra.lease).toMatchObject({ nodeId: 'c', state: 'assigned' });
    // The choosing node cannot keep it alive; the chosen one takes it up when the redirected join arrives.
    expect(await a.leases.renew('m1', ra.lease.epoch)).toBe(false);
    expect(await c.leases.adopt('m1', ra.lease.epoch)).toBe(true);
    expect(await b.leases.whereIs('m1')).toEqual({ ...ra.lease, state: 'held' });
    // Owned: whoever asks gets the owner, nothing new is claimed.
    expect(await a.leases.claimForLeastLoaded('m1')).toEqual({
      lease: { ...ra.lease, state: 'held' },
      claimed: false,
    });
    // c drains (SIGTERM): the next meeting goes to a, the least loaded of the rest.
    await c.registry.setDraining(true);
    const r2 = await b.leases.claimForLeastLoaded('m2');
    expect(r2).toMatchObject({ claimed: true, lease: { nodeId: 'a', state: 'assigned' } });
    expect(r2.lease.epoch).toBeGreaterThan(ra.lease.epoch);
    // The least loaded choosing itself holds the lease at once.
    const r3 = await a.leases.claimForLeastLoaded('m3');
    expect(r3).toMatchObject({ claimed: true, lease: { nodeId: 'a', state: 'held' } });
    expect(await a.leases.renew('m3', r3.lease.epoch)).toBe(true);
  });

  it('an assignment nobody takes up lapses, and the meeting can be placed again', async () => {
    const a = await node('a', { leaseMs: 300, load: { rooms: 9, peers: 90, workers: 1 } });
    const b = await node('b', { leaseMs: 300, load: { rooms: 0, peers: 0, workers: 1 } });
    await a.registry.publish();
    await b.registry.publish();
    const first = await a.leases.claimForLeastLoaded('m');
    expect(first.lease).toMatchObject({ nodeId: 'b', state: 'assigned' });
    // b died before the join reached it (its registry entry has not expired yet): the assignment lapses.
    await eventually(async () => (await a.leases.whereIs('m')) === null, 5000, 'the assignment to lapse');
    await b.registry.stop(true);
    const second = await a.leases.claimForLeastLoaded('m');
    expect(second).toMatchObject({ claimed: true, lease: { nodeId: 'a', state: 'held' } });
    expect(await b.leases.adopt('m', first.lease.epoch)).toBe(false);
  });
});

describe('lease keeper', () => {
  it('keeps a lease alive across many expiries, reports it lost once when another node took it, stops on drop', async () => {
    const a = await node('a', { leaseMs: 800 });
    const b = await node('b', { leaseMs: 800 });
    const keeper = new LeaseKeeper(a.leases, 800);
    const lost: number[] = [];
    const m1 = (await a.leases.claim('m1')).lease;
    const m2 = (await a.leases.claim('m2')).lease;
    keeper.keep(m1, (l) => lost.push(l.epoch));
    keeper.keep(m2, (l) => lost.push(l.epoch));
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      expect(await b.leases.whereIs('m1')).toEqual(m1);
      await new Promise((r) => setTimeout(r, 50));
    }
    // m1 is taken from a (as after a pause longer than its lease): a's keeper notices at its next renewal.
    await admin.del(`${prefix}lease:m1`);
    const taken = await b.leases.claim('m1');
    expect(taken.lease.nodeId).toBe('b');
    await eventually(async () => lost.length > 0, 5000, 'the loss to be noticed');
    await keeper.tick();
    expect(lost).toEqual([m1.epoch]);
    expect(keeper.held()).toEqual([m2]);
    // Dropped: no longer renewed, so it lapses.
    expect(keeper.drop('m2')).toEqual(m2);
    await eventually(async () => (await b.leases.whereIs('m2')) === null, 5000, 'm2 to lapse');
    expect(await keeper.close()).toEqual([]);
    expect(lost).toEqual([m1.epoch]);
  });
});
