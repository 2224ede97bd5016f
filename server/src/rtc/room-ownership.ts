import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ErrorCodes, type RoomRedirect } from '@branchmeet/shared';
import {
  MEETING_LEASES,
  NODE_REGISTRY,
  ROOM_MIRROR,
  StaleEpochError,
  type Lease,
  type MeetingLeases,
  type NodeRegistry,
  type RoomMirror,
} from '../cluster/cluster.types';
import { LeaseKeeper } from '../cluster/lease-keeper';
import { DomainError } from '../common/domain-error';
import { KeyedQueue } from '../common/keyed-queue';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RoomRegistry } from './room-registry';
import { isRoomSnapshot, snapshotRoom, type RoomSnapshot } from './room-snapshot';
import type { LiveRoom } from './room-state';

/** Changes of a room within this long are saved to its mirror together. */
export const MIRROR_DEBOUNCE_MS = 50;

/** This node owns the meeting: its lease, and the room its previous owner left (a takeover), if any. */
export interface Owned {
  lease: Lease;
  snapshot: RoomSnapshot | null;
}

interface Held {
  lease: Lease;
  room: LiveRoom;
  onLost: () => void;
  saveTimer?: NodeJS.Timeout;
}

/**
 * Which node serves a meeting's live room. A join resolves the owner through the meeting leases (the
 * least-loaded live node when nobody holds it); this node serves only the meetings it holds, and answers a
 * join for another node's meeting with that node's URL. While a room is live here, the LeaseKeeper renews
 * its lease and every change of the room is saved to the room mirror, fenced by the lease's epoch (changes
 * within MIRROR_DEBOUNCE_MS go together); a lost lease (or a save refused as stale) means another node serves
 * the meeting now: `onLost` closes the room here. A room that closes gives its lease up and, when the meeting
 * ended, drops its mirror. A node that stops hands each of its meetings over (`handOver`: the last state saved,
 * the lease moved to another node at a new epoch) and, draining, claims no meeting for itself any more.
 *
 * Without REDIS_URL the leases and the mirror are this process's (LocalCluster): every meeting is this node's.
 */
@Injectable()
export class RoomOwnership implements OnModuleDestroy {
  private readonly log = new Logger(RoomOwnership.name);
  private readonly held = new Map<string, Held>();
  /** Mirror writes and lease releases of one meeting, in order. */
  private readonly writes = new KeyedQueue();
  /** This node is stopping: it serves no meeting it does not hold already. */
  private draining = false;

  constructor(
    @Inject(MEETING_LEASES) private readonly leases: MeetingLeases,
    @Inject(NODE_REGISTRY) private readonly nodes: NodeRegistry,
    @Inject(ROOM_MIRROR) private readonly mirror: RoomMirror,
    private readonly keeper: LeaseKeeper,
    private readonly registry: RoomRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    registry.onChanged((room) => this.changed(room));
  }

  /** Saves what is pending (the node is stopping); the leases are left to lapse (or to the shutdown). */
  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.held.values()].filter((h) => h.saveTimer).map((h) => this.flush(h)));
    for (const h of this.held.values()) clearTimeout(h.saveTimer);
  }

  /**
   * Claims the meeting for this node, or says which node serves it. When the lease names a node that is no
   * longer in the registry (it died; its lease has not lapsed yet), waits for the lease to lapse.
   */
  async resolve(meetingId: string): Promise<Owned | { redirect: RoomRedirect }> {
    const waitUntil =
      Date.now() + (this.config.CLUSTER_LEASE_TTL_SECONDS + this.config.CLUSTER_NODE_TTL_SECONDS) * 1000;
    for (;;) {
      const { lease, claimed } = await this.leases.claimForLeastLoaded(meetingId);
      if (lease.nodeId === this.nodes.nodeId && this.draining) {
        // Stopping, and no other node to take the meeting: nobody serves it until one is (the client retries).
        if (claimed || lease.state === 'assigned') await this.leases.release(meetingId, lease.epoch);
        throw new DomainError(ErrorCodes.unavailable, 503, 'rtc.ownerUnavailable');
      }
      if (lease.nodeId === this.nodes.nodeId) {
        // Another node chose this one: take the lease up (it may have lapsed meanwhile: claim again).
        if (lease.state === 'assigned' && !(await this.leases.adopt(meetingId, lease.epoch))) continue;
        const saved = await this.mirror.load(meetingId);
        const snapshot = saved && isRoomSnapshot(saved.state, meetingId) ? saved.state : null;
        return { lease: { ...lease, state: 'held' }, snapshot };
      }
      const owner = (await this.nodes.list()).find((n) => n.id === lease.nodeId);
      if (owner) return { redirect: { status: 'redirect', nodeId: owner.id, url: owner.url } };
      if (Date.now() > waitUntil) throw new DomainError(ErrorCodes.unavailable, 503, 'rtc.ownerUnavailable');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The room is live here under `lease`: renewed until it closes; `onLost` when the meeting moves away. */
  keep(room: LiveRoom, lease: Lease, onLost: () => void): void {
    const h: Held = { lease, room, onLost };
    this.held.set(room.meetingId, h);
    this.keeper.keep(lease, () => this.lose(h));
    this.changed(room);
  }

  /** The meeting ended and its room closed here: its mirror is dropped and its lease given up. */
  async release(room: LiveRoom): Promise<void> {
    const h = this.held.get(room.meetingId);
    if (!h || h.room !== room) return;
    this.held.delete(room.meetingId);
    clearTimeout(h.saveTimer);
    this.keeper.drop(room.meetingId);
    const { meetingId, epoch } = h.lease;
    await this.writes.run(meetingId, async () => {
      try {
        await this.mirror.delete(meetingId, epoch);
        await this.leases.release(meetingId, epoch);
      } catch (e) {
        // A stale epoch: the meeting is someone else's now, and theirs to clean up.
        this.log.warn(`releasing meeting ${meetingId} (epoch ${epoch}): ${String(e)}`);
      }
    });
  }

  /** This node is stopping: placement skips it (the registry says so at once) and it claims nothing more. */
  async startDraining(): Promise<void> {
    this.draining = true;
    await this.nodes.setDraining(true);
  }

  /** The rooms live here under a lease of this node. */
  rooms(): LiveRoom[] {
    return [...this.held.values()].map((h) => h.room);
  }

  /**
   * This node stops serving the room's meeting and hands it to node `to` (null: to whichever node the next join
   * reaches): the room's last state is saved to the mirror, then the lease moves to `to` at a new epoch (or is
   * released), both fenced by this node's epoch. The lease `to` holds now, null when released, or 'lost' when
   * the meeting was no longer this node's (another node took it over meanwhile).
   */
  async handOver(room: LiveRoom, to: string | null): Promise<Lease | null | 'lost'> {
    const h = this.held.get(room.meetingId);
    if (!h || h.room !== room) return 'lost';
    this.held.delete(room.meetingId);
    clearTimeout(h.saveTimer);
    this.keeper.drop(room.meetingId);
    const { meetingId, epoch } = h.lease;
    return this.writes.run(meetingId, async () => {
      try {
        await this.mirror.save(meetingId, epoch, snapshotRoom(room));
        if (to === null) return (await this.leases.release(meetingId, epoch)) ? null : 'lost';
        return (await this.leases.handOver(meetingId, epoch, to)) ?? 'lost';
      } catch (e) {
        if (e instanceof StaleEpochError) return 'lost';
        throw e;
      }
    });
  }

  /** The lease of a room live here (tests, diagnostics). */
  leaseOf(meetingId: string): Lease | undefined {
    return this.held.get(meetingId)?.lease;
  }

  private changed(room: LiveRoom): void {
    const h = this.held.get(room.meetingId);
    if (!h || h.room !== room || h.saveTimer) return;
    h.saveTimer = setTimeout(() => void this.flush(h), MIRROR_DEBOUNCE_MS);
  }

  private flush(h: Held): Promise<void> {
    clearTimeout(h.saveTimer);
    h.saveTimer = undefined;
    const { meetingId, epoch } = h.lease;
    return this.writes.run(meetingId, async () => {
      if (this.held.get(meetingId) !== h) return;
      try {
        await this.mirror.save(meetingId, epoch, snapshotRoom(h.room));
      } catch (e) {
        if (e instanceof StaleEpochError) {
          this.keeper.drop(meetingId);
          this.lose(h);
        } else this.log.warn(`saving room ${meetingId}: ${String(e)}`);
      }
    });
  }

  private lose(h: Held): void {
    if (this.held.get(h.room.meetingId) !== h) return;
    this.held.delete(h.room.meetingId);
    clearTimeout(h.saveTimer);
    this.log.warn(`meeting ${h.room.meetingId} moved to another node: closing its room here`);
    h.onLost();
  }
}
