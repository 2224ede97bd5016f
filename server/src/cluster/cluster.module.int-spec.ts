/**
 * The cluster module with REDIS_URL set, on a real Redis: the node publishes itself while it runs and leaves
 * when the app closes; two app instances see each other and agree on a meeting's owner; a Redis that does not
 * answer stops the start with a message that names it (without its password).
 */
import { Global, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { ClusterModule } from './cluster.module';
import { ClusterRuntime } from './cluster.runtime';
import { MEETING_LEASES, type MeetingLeases, NODE_REGISTRY, type NodeRegistry } from './cluster.types';
import { connectTestRedis, dropPrefix, TEST_REDIS_URL, testPrefix } from './redis-test-support';

@Global()
@Module({ providers: [{ provide: DataSource, useValue: {} }], exports: [DataSource] })
class NoDatabase {}

let admin: Redis;
let prefix: string;

function start(env: Record<string, string>): Promise<TestingModule> {
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'error', ...env });
  return Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      NoDatabase,
      ClusterModule.forRoot(config, { announcedAddress: '127.0.0.1', rtcPortBase: 40000 }),
    ],
  })
    .setLogger({ log() {}, error() {}, warn() {} })
    .compile()
    .then(async (ref) => {
      await ref.init();
      return ref;
    });
}

beforeAll(async () => {
  admin = await connectTestRedis();
  prefix = testPrefix();
});

afterAll(async () => {
  await dropPrefix(admin, prefix);
  admin.disconnect();
});

it('two app instances on one Redis: both published, one owner per meeting, each leaves on close', async () => {
  const env = { REDIS_URL: TEST_REDIS_URL, CLUSTER_KEY_PREFIX: prefix };
  const one = await start({ ...env, NODE_ID: 'one', NODE_URL: 'http://one.test:3000' });
  const two = await start({ ...env, NODE_ID: 'two', NODE_URL: 'http://two.test:3000' });
  try {
    expect(one.get(ClusterRuntime).clustered).toBe(true);
    const nodes = await two.get<NodeRegistry>(NODE_REGISTRY).list();
    expect(nodes.map((n) => [n.id, n.url])).toEqual([
      ['one', 'http://one.test:3000'],
      ['two', 'http://two.test:3000'],
    ]);
    const [a, b] = await Promise.all([
      one.get<MeetingLeases>(MEETING_LEASES).claim('m'),
      two.get<MeetingLeases>(MEETING_LEASES).claim('m'),
    ]);
    expect(Number(a.claimed) + Number(b.claimed)).toBe(1);
    expect(a.lease).toEqual(b.lease);
  } finally {
    await one.close();
  }
  expect((await two.get<NodeRegistry>(NODE_REGISTRY).list()).map((n) => n.id)).toEqual(['two']);
  await two.close();
  expect(await admin.smembers(`${prefix}nodes`)).toEqual([]);
});

it('a REDIS_URL that does not answer stops the start, naming it without its password', async () => {
  await expect(
    start({ REDIS_URL: 'redis://:s3cret@127.0.0.1:1/0', CLUSTER_KEY_PREFIX: prefix, NODE_ID: 'x' }),
  ).rejects.toThrow(/^REDIS_URL redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0 does not answer/);
  await expect(start({ REDIS_URL: 'redis://:s3cret@127.0.0.1:1/0', NODE_ID: 'x' })).rejects.not.toThrow(
    /s3cret/,
  );
});
