import type { Redis } from 'ioredis';
import { ClusterKeys } from './cluster-keys';
import type { MirroredState, RoomMirror } from './cluster.types';
import { StaleEpochError } from './cluster.types';
import { MIRROR_TTL_MS } from './redis-leases';
import { defineScripts, script } from './redis-scripts';

/**
 * Save: only while ARGV[1] is the lease's epoch, and never over a state written at a higher epoch.
 * KEYS: lease, mirror. ARGV: epoch, state JSON, saved-at ms, mirror ms. Returns {1, version} or {0, current}.
 */
const SAVE = `
local cur = redis.call('HGET', KEYS[1], 'epoch')
if cur ~= ARGV[1] then return {0, cur or ''} end
local stored = redis.call('HGET', KEYS[2], 'epoch')
if stored and tonumber(stored) > tonumber(ARGV[1]) then return {0, cur} end
local version = redis.call('HINCRBY', KEYS[2], 'version', 1)
redis.call('HSET', KEYS[2], 'epoch', ARGV[1], 'state', ARGV[2], 'savedAt', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {1, version}`;

/** Delete: only at the lease's epoch. KEYS: lease, mirror. ARGV: epoch. Returns {1} or {0, current}. */
const DELETE = `
local cur = redis.call('HGET', KEYS[1], 'epoch')
if cur ~= ARGV[1] then return {0, cur or ''} end
redis.call('DEL', KEYS[2])
return {1}`;

/** Drop of a meeting nobody holds: only while it has no lease. KEYS: lease, mirror. Returns 1 or 0. */
const DROP_UNOWNED = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
return 1`;

/** Each room's state as one hash (epoch, version, savedAt, state JSON), written only by its lease's holder. */
export class RedisRoomMirror implements RoomMirror {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
  ) {
    defineScripts(redis, { bmSaveRoom: SAVE, bmDeleteRoom: DELETE, bmDropUnownedRoom: DROP_UNOWNED });
  }

  async save(meetingId: string, epoch: number, state: unknown): Promise<MirroredState> {
    const json = JSON.stringify(state);
    if (json === undefined) throw new TypeError('room state must be JSON');
    const savedAt = Date.now();
    const [ok, v] = (await script(this.redis, 'bmSaveRoom')(
      2,
      this.keys.lease(meetingId),
      this.keys.room(meetingId),
      String(epoch),
      json,
      savedAt,
      MIRROR_TTL_MS,
    )) as [number, number | string];
    if (ok !== 1) throw new StaleEpochError(meetingId, epoch, v ? Number(v) : null);
    return { epoch, version: Number(v), savedAt, state };
  }

  async load<T = unknown>(meetingId: string): Promise<MirroredState<T> | null> {
    const [epoch, version, savedAt, state] = await this.redis.hmget(
      this.keys.room(meetingId),
      'epoch',
      'version',
      'savedAt',
      'state',
    );
    if (epoch === null || state === null) return null;
    return {
      epoch: Number(epoch),
      version: Number(version),
      savedAt: Number(savedAt),
      state: JSON.parse(state) as T,
    };
  }

  async delete(meetingId: string, epoch: number): Promise<void> {
    const [ok, cur] = (await script(this.redis, 'bmDeleteRoom')(
      2,
      this.keys.lease(meetingId),
      this.keys.room(meetingId),
      String(epoch),
    )) as [number, string?];
    if (ok !== 1) throw new StaleEpochError(meetingId, epoch, cur ? Number(cur) : null);
  }

  async dropUnowned(meetingId: string): Promise<boolean> {
    const ok = await script(this.redis, 'bmDropUnownedRoom')(
      2,
      this.keys.lease(meetingId),
      this.keys.room(meetingId),
    );
    return ok === 1;
  }
}
