/**
 * Without REDIS_URL the cluster module is the single-node one: nothing connects to Redis, this node is the only
 * node, owns whatever it claims, and fences epochs and mirrors room state exactly like the Redis implementation.
 */
import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { MediaService } from '../media/media.service';
import { ClusterOnce } from './cluster-once';
import { ClusterModule } from './cluster.module';
import { ClusterRuntime } from './cluster.runtime';
import { RoomCalls } from './room-calls';
import {
  MEETING_LEASES,
  type MeetingLeases,
  NODE_REGISTRY,
  type NodeRegistry,
  ROOM_MIRROR,
  type RoomMirror,
  StaleEpochError,
} from './cluster.types';

const redisCreated = jest.fn();
jest.mock('ioredis', () => ({
  Redis: jest.fn(() => {
    redisCreated();
    throw new Error('single-node mode must not create a Redis client');
  }),
}));

@Global()
@Module({ providers: [{ provide: DataSource, useValue: {} }], exports: [DataSource] })
class NoDatabase {}

const env = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32), NODE_ID: 'solo', PORT: '3100' };

async function start(media?: Partial<MediaService>) {
  const config = loadConfig(env);
  @Global()
  @Module({ providers: [{ provide: MediaService, useValue: media }], exports: [MediaService] })
  class Sfu {}
  const ref = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      NoDatabase,
      ...(media ? [Sfu] : []),
      ClusterModule.forRoot(config, { announcedAddress: '192.0.2.7', rtcPortBase: 41000 }),
    ],
  }).compile();
  await ref.init();
  return ref;
}

describe('cluster module without REDIS_URL', () => {
  it('answers "this node" for everything and never touches Redis', async () => {
    const ref = await start();
    const registry = ref.get<NodeRegistry>(NODE_REGISTRY);
    const leases = ref.get<MeetingLeases>(MEETING_LEASES);
    const mirror = ref.get<RoomMirror>(ROOM_MIRROR);
    expect(ref.get(ClusterRuntime).clustered).toBe(false);
    expect(ref.get(ClusterOnce)).toBeInstanceOf(ClusterOnce);
    // A room call is a direct call of this node's handler, for a meeting it holds or one nobody holds.
    const calls = ref.get(RoomCalls);
    const off = calls.handle('room.count', (meetingId) => (meetingId === 'm' ? 3 : 0));
    expect(await calls.call('m', 'room.count', {})).toBe(3);
    expect(await calls.call('other', 'room.count', {})).toBe(0);
    off();

    expect(registry.nodeId).toBe('solo');
    expect(await registry.list()).toEqual([
      expect.objectContaining({
        id: 'solo',
        url: expect.stringMatching(/^http:\/\/.+:3100$/),
        media: { address: '192.0.2.7', portBase: 41000 },
        load: { rooms: 0, peers: 0, workers: 0 },
        draining: false,
      }),
    ]);

    expect(await leases.whereIs('m')).toBeNull();
    const first = await leases.claimForLeastLoaded('m');
    expect(first).toEqual({
      claimed: true,
      lease: { meetingId: 'm', nodeId: 'solo', epoch: 1, state: 'held' },
    });
    expect(await leases.claim('m')).toEqual({ claimed: false, lease: first.lease });
    expect(await leases.whereIs('m')).toEqual(first.lease);
    expect(await leases.renew('m', 1)).toBe(true);
    expect(await leases.adopt('m', 1)).toBe(true);
    expect(await leases.renew('m', 2)).toBe(false);
    await expect(leases.assertEpoch('m', 2)).rejects.toBeInstanceOf(StaleEpochError);

    expect(await mirror.load('m')).toBeNull();
    const state = { host: 'u1', seats: { p1: 'u1' } };
    expect(await mirror.save('m', 1, state)).toMatchObject({ epoch: 1, version: 1, state });
    state.host = 'changed by the caller afterwards';
    expect((await mirror.load('m'))?.state).toEqual({ host: 'u1', seats: { p1: 'u1' } });
    await expect(mirror.save('m', 2, {})).rejects.toMatchObject({
      code: 'cluster.staleEpoch',
      currentEpoch: 1,
    });
    expect(await mirror.save('m', 1, { host: 'u2' })).toMatchObject({ version: 2 });

    // Released and claimed again: a higher epoch, and the old one is fenced everywhere.
    expect(await leases.release('m', 2)).toBe(false);
    expect(await leases.release('m', 1)).toBe(true);
    await expect(mirror.save('m', 1, {})).rejects.toBeInstanceOf(StaleEpochError);
    const second = await leases.claim('m');
    expect(second.lease.epoch).toBe(2);
    expect((await mirror.load('m'))?.state).toEqual({ host: 'u2' });
    await expect(mirror.delete('m', 1)).rejects.toBeInstanceOf(StaleEpochError);
    await mirror.delete('m', 2);
    expect(await mirror.load('m')).toBeNull();

    await registry.setDraining(true);
    expect((await registry.list())[0].draining).toBe(true);
    await ref.close();
    expect(redisCreated).not.toHaveBeenCalled();
  });
});

describe('the load a node publishes', () => {
  it("is the SFU's live workers, rooms (a lecture over several workers counted once) and peers, with the listeners served for other nodes", async () => {
    const peers = (n: number) => ({ peers: new Map(Array.from({ length: n }, (_, i) => [`p${i}`, {}])) });
    const rooms: Record<string, ReturnType<typeof peers>> = { m1: peers(3), m2: peers(5) };
    const ref = await start({
      workers: () =>
        [{ meetings: ['m1', 'm2'] }, { meetings: ['m2', 'gone'] }, { meetings: [] }] as unknown as ReturnType<
          MediaService['workers']
        >,
      room: async (id: string) => {
        if (!rooms[id]) throw new Error('room_not_found');
        return rooms[id] as never;
      },
      // 'gone' is a lecture of another node this one serves 4 listeners of.
      audience: { peers: () => 4 } as unknown as MediaService['audience'],
    });
    const [self] = await ref.get<NodeRegistry>(NODE_REGISTRY).list();
    expect(self.load).toEqual({ rooms: 3, peers: 12, workers: 3 });
    await ref.close();
  });
});

describe('cluster settings', () => {
  it('REDIS_URL must be a redis:// or rediss:// URL; the rest have defaults', () => {
    expect(loadConfig(env)).toMatchObject({
      CLUSTER_NODE_TTL_SECONDS: 5,
      CLUSTER_LEASE_TTL_SECONDS: 5,
      CLUSTER_KEY_PREFIX: 'bm:',
    });
    expect(loadConfig(env).REDIS_URL).toBeUndefined();
    expect(loadConfig({ ...env, REDIS_URL: 'rediss://:pw@redis.example:6380/2' }).REDIS_URL).toBe(
      'rediss://:pw@redis.example:6380/2',
    );
    for (const bad of ['http://127.0.0.1:6379', '127.0.0.1:6379'])
      expect(() => loadConfig({ ...env, REDIS_URL: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, NODE_ID: 'a b' })).toThrow(/NODE_ID/);
    expect(() => loadConfig({ ...env, CLUSTER_LEASE_TTL_SECONDS: '0' })).toThrow(/CLUSTER_LEASE_TTL_SECONDS/);
  });
});
