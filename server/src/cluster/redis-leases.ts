import type { Redis } from 'ioredis';
import { ClusterKeys } from './cluster-keys';
import { defineScripts, script } from './redis-scripts';
import {
  type ClaimResult,
  type Lease,
  type MeetingLeases,
  type NodeRegistry,
  pickNode,
  StaleEpochError,
} from './cluster.types';

/** How long a mirrored room outlives its last save or lease renewal (a meeting left behind by everyone). */
export const MIRROR_TTL_MS = 48 * 3600 * 1000;

/**
 * Claim: if nobody holds the lease, it becomes ARGV[1]'s at a new epoch (the shared counter's next value) for
 * ARGV[2] ms, in state ARGV[3]. Returns {created 0|1, node, epoch, state}: the lease after the call.
 * KEYS: lease, epoch counter.
 */
const CLAIM = `
local cur = redis.call('HMGET', KEYS[1], 'node', 'epoch', 'state')
if cur[1] then return {0, cur[1], cur[2], cur[3]} end
local epoch = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'node', ARGV[1], 'epoch', epoch, 'state', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, ARGV[1], tostring(epoch), ARGV[3]}`;

/**
 * Renew (and adopt): only the node the lease names, at its epoch, extends it by ARGV[3] ms and marks it held;
 * the room's mirror lives on with it. A lapsed lease is never revived: its node claims again (a new epoch).
 * KEYS: lease, mirror. ARGV: node, epoch, lease ms, mirror ms. Returns 1 or 0.
 */
const RENEW = `
local cur = redis.call('HMGET', KEYS[1], 'node', 'epoch')
if cur[1] ~= ARGV[1] or cur[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'held')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
return 1`;

/** Release: only the named node at its epoch deletes the lease. KEYS: lease. ARGV: node, epoch. */
const RELEASE = `
local cur = redis.call('HMGET', KEYS[1], 'node', 'epoch')
if cur[1] ~= ARGV[1] or cur[2] ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/**
 * Hand-over: only the named node at its epoch gives the lease to ARGV[3] at a new epoch (the counter's next
 * value), `assigned`, for ARGV[4] ms; the mirror lives on with it. KEYS: lease, epoch counter, mirror.
 * ARGV: node, epoch, new node, lease ms, mirror ms. Returns the new epoch, or 0.
 */
const HAND_OVER = `
local cur = redis.call('HMGET', KEYS[1], 'node', 'epoch')
if cur[1] ~= ARGV[1] or cur[2] ~= ARGV[2] then return 0 end
local epoch = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'node', ARGV[3], 'epoch', epoch, 'state', 'assigned')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[5]) end
return epoch`;

/**
 * Meeting ownership on Redis: one hash per meeting (node, epoch, state) with a short expiry
 * (CLUSTER_LEASE_TTL_SECONDS) that its holder renews. Every change is one Lua script, so two nodes racing for a
 * meeting get one owner, and a holder whose lease lapsed cannot renew, release or write with its old epoch.
 */
export class RedisMeetingLeases implements MeetingLeases {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly registry: NodeRegistry,
    private readonly ttlMs: number,
  ) {
    defineScripts(redis, { bmClaim: CLAIM, bmRenew: RENEW, bmRelease: RELEASE, bmHandOver: HAND_OVER });
  }

  private get self(): string {
    return this.registry.nodeId;
  }

  claim(meetingId: string): Promise<ClaimResult> {
    return this.claimFor(meetingId, this.self);
  }

  async claimForLeastLoaded(meetingId: string): Promise<ClaimResult> {
    const owner = await this.whereIs(meetingId);
    if (owner) return { lease: owner, claimed: false };
    return this.claimFor(meetingId, pickNode(await this.registry.list(), this.self));
  }

  /** Claims for `nodeId`: held when it is this node, `assigned` (to be adopted) when it is another. */
  private async claimFor(meetingId: string, nodeId: string): Promise<ClaimResult> {
    const state = nodeId === this.self ? 'held' : 'assigned';
    const [created, node, epoch, st] = (await script(this.redis, 'bmClaim')(
      2,
      this.keys.lease(meetingId),
      this.keys.epoch,
      nodeId,
      this.ttlMs,
      state,
    )) as [number, string, string, Lease['state']];
    return { lease: { meetingId, nodeId: node, epoch: Number(epoch), state: st }, claimed: created === 1 };
  }

  async renew(meetingId: string, epoch: number): Promise<boolean> {
    const ok = await script(this.redis, 'bmRenew')(
      2,
      this.keys.lease(meetingId),
      this.keys.room(meetingId),
      this.self,
      String(epoch),
      this.ttlMs,
      MIRROR_TTL_MS,
    );
    return ok === 1;
  }

  adopt(meetingId: string, epoch: number): Promise<boolean> {
    return this.renew(meetingId, epoch);
  }

  async release(meetingId: string, epoch: number): Promise<boolean> {
    const ok = await script(this.redis, 'bmRelease')(1, this.keys.lease(meetingId), this.self, String(epoch));
    return ok === 1;
  }

  async handOver(meetingId: string, epoch: number, nodeId: string): Promise<Lease | null> {
    const next = Number(
      await script(this.redis, 'bmHandOver')(
        3,
        this.keys.lease(meetingId),
        this.keys.epoch,
        this.keys.room(meetingId),
        this.self,
        String(epoch),
        nodeId,
        this.ttlMs,
        MIRROR_TTL_MS,
      ),
    );
    return next > 0 ? { meetingId, nodeId, epoch: next, state: 'assigned' } : null;
  }

  async whereIs(meetingId: string): Promise<Lease | null> {
    const [node, epoch, state] = await this.redis.hmget(this.keys.lease(meetingId), 'node', 'epoch', 'state');
    if (!node || !epoch) return null;
    return {
      meetingId,
      nodeId: node,
      epoch: Number(epoch),
      state: state === 'assigned' ? 'assigned' : 'held',
    };
  }

  async assertEpoch(meetingId: string, epoch: number): Promise<void> {
    const current = await this.redis.hget(this.keys.lease(meetingId), 'epoch');
    if (current !== String(epoch))
      throw new StaleEpochError(meetingId, epoch, current ? Number(current) : null);
  }
}
