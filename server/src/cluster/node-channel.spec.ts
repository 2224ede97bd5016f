import type { Redis } from 'ioredis';
import { Forbidden } from '../common/domain-error';
import { ClusterKeys } from './cluster-keys';
import { NodeChannel, NodeRequestError } from './node-channel';
import { connectTestRedis, eventually, testPrefix } from './redis-test-support';

/** The node channel on a real Redis (127.0.0.1:6379 or TEST_REDIS_URL), under a key prefix of this file's own. */
describe('NodeChannel', () => {
  let redis: Redis;
  let keys: ClusterKeys;
  const channels: NodeChannel[] = [];

  beforeAll(async () => {
    redis = await connectTestRedis();
    keys = new ClusterKeys(testPrefix());
  });

  afterEach(async () => {
    await Promise.all(channels.splice(0).map((c) => c.stop()));
  });

  afterAll(async () => {
    await redis.quit();
  });

  async function node(id: string): Promise<NodeChannel> {
    const channel = new NodeChannel(redis, keys, id);
    channels.push(channel);
    await channel.start();
    return channel;
  }

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('the request succeeded');
      },
      (e: unknown) => {
        expect(e).toBeInstanceOf(NodeRequestError);
        return e as NodeRequestError;
      },
    );

  it('asks a node by id and brings back its answer, or its error with code, status, message key and params', async () => {
    const [a, b] = [await node('a'), await node('b')];
    b.serve('sum', (payload, from) => ({ from, sum: (payload as number[]).reduce((x, y) => x + y, 0) }));
    b.serve('nothing', () => undefined);
    b.serve('refuse', () => {
      throw Forbidden('recording.hostOnly');
    });
    b.serve('boom', async () => {
      throw new Error('boom');
    });
    expect(await a.request('b', 'sum', [1, 2, 3], 5000)).toEqual({ from: 'a', sum: 6 });
    expect(await a.request('b', 'nothing', {}, 5000)).toBeNull();
    const refused = await failure(a.request('b', 'refuse', {}, 5000));
    expect(refused.reason).toBe('failed');
    expect(refused.wire).toMatchObject({
      code: 'forbidden',
      status: 403,
      messageKey: 'recording.hostOnly',
      params: {},
    });
    expect((await failure(a.request('b', 'boom', {}, 5000))).wire).toMatchObject({
      code: 'internal',
      message: 'boom',
    });
    expect((await failure(a.request('b', 'unknown', {}, 5000))).wire.code).toBe('unserved');
  });

  it('fails at once as unreachable when nobody listens, and as timeout when nobody answers in time', async () => {
    const a = await node('a');
    const b = await node('b');
    b.serve('silent', () => new Promise(() => undefined));
    expect((await failure(a.request('gone', 'sum', [], 60_000))).reason).toBe('unreachable');
    const timedOut = await failure(a.request('b', 'silent', {}, 300));
    expect(timedOut.reason).toBe('timeout');
    // A node that stopped hears nothing more; its own requests still waiting fail as unreachable.
    a.serve('silent-too', () => new Promise(() => undefined));
    const waiting = failure(b.request('a', 'silent-too', {}, 60_000));
    await b.stop();
    expect((await waiting).reason).toBe('unreachable');
    expect((await failure(a.request('b', 'silent', {}, 60_000))).reason).toBe('unreachable');
  });

  it("delivers a node's requests to another in the order they were sent, and answers each", async () => {
    const [a, b] = [await node('a'), await node('b')];
    const seen: number[] = [];
    b.serve('step', async (n) => {
      seen.push(n as number);
      // Later requests must not overtake an earlier one that is still being handled.
      await new Promise((r) => setTimeout(r, (n as number) % 3));
      return n;
    });
    const sent = Array.from({ length: 100 }, (_, i) => i);
    expect(await Promise.all(sent.map((n) => a.request('b', 'step', n, 10_000)))).toEqual(sent);
    expect(seen).toEqual(sent);
  });

  it('tells every other node a notice, not the sender', async () => {
    const [a, b, c] = [await node('a'), await node('b'), await node('c')];
    const heard: string[] = [];
    for (const [id, ch] of [
      ['a', a],
      ['b', b],
      ['c', c],
    ] as const)
      ch.onNotice('hello', (payload, from) => heard.push(`${id}<-${from}:${String(payload)}`));
    const off = c.onNotice('other', () => heard.push('wrong topic'));
    off();
    await a.tellEveryNode('hello', 'x');
    await a.tellEveryNode('other', 'y');
    await eventually(async () => heard.length >= 2, 10_000, 'both notices');
    await b.request('c', 'none', {}, 5000).catch(() => undefined); // one round trip after: nothing else came
    expect(heard.sort()).toEqual(['b<-a:x', 'c<-a:x']);
  });
});
