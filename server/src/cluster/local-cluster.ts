import {
  type ClaimResult,
  type Lease,
  type MeetingLeases,
  type MirroredState,
  type NodeIdentity,
  type NodeInfo,
  type NodeLoad,
  type NodeRegistry,
  type RoomMirror,
  StaleEpochError,
} from './cluster.types';

/**
 * One node, no Redis (REDIS_URL unset): the registry lists this node only, every meeting claimed is this node's
 * and stays so until released, and the mirror keeps room states in memory. Same contracts and the same fencing
 * as on Redis, so the room code runs unchanged (and its tests need no Redis).
 */
export class LocalCluster implements NodeRegistry, MeetingLeases, RoomMirror {
  private readonly startedAt = Date.now();
  private draining = false;
  private loadSource: () => NodeLoad | Promise<NodeLoad> = () => ({ rooms: 0, peers: 0, workers: 0 });
  private epochs = 0;
  private readonly leases = new Map<string, Lease>();
  private readonly rooms = new Map<string, MirroredState<string>>();

  constructor(private readonly self: NodeIdentity) {}

  get nodeId(): string {
    return this.self.id;
  }

  // ── registry ──
  async publish(): Promise<void> {}

  async list(): Promise<NodeInfo[]> {
    return [
      { ...this.self, load: await this.loadSource(), draining: this.draining, startedAt: this.startedAt },
    ];
  }

  setLoadSource(source: () => NodeLoad | Promise<NodeLoad>): void {
    this.loadSource = source;
  }

  async setDraining(draining: boolean): Promise<void> {
    this.draining = draining;
  }

  // ── leases ──
  async claim(meetingId: string): Promise<ClaimResult> {
    const held = this.leases.get(meetingId);
    if (held) return { lease: { ...held }, claimed: false };
    const lease: Lease = { meetingId, nodeId: this.self.id, epoch: ++this.epochs, state: 'held' };
    this.leases.set(meetingId, lease);
    return { lease: { ...lease }, claimed: true };
  }

  claimForLeastLoaded(meetingId: string): Promise<ClaimResult> {
    return this.claim(meetingId);
  }

  async renew(meetingId: string, epoch: number): Promise<boolean> {
    return this.leases.get(meetingId)?.epoch === epoch;
  }

  adopt(meetingId: string, epoch: number): Promise<boolean> {
    return this.renew(meetingId, epoch);
  }

  async release(meetingId: string, epoch: number): Promise<boolean> {
    if (this.leases.get(meetingId)?.epoch !== epoch) return false;
    this.leases.delete(meetingId);
    return true;
  }

  async handOver(meetingId: string, epoch: number, nodeId: string): Promise<Lease | null> {
    if (this.leases.get(meetingId)?.epoch !== epoch) return null;
    const lease: Lease = { meetingId, nodeId, epoch: ++this.epochs, state: 'assigned' };
    this.leases.set(meetingId, lease);
    return { ...lease };
  }

  async whereIs(meetingId: string): Promise<Lease | null> {
    const lease = this.leases.get(meetingId);
    return lease ? { ...lease } : null;
  }

  async assertEpoch(meetingId: string, epoch: number): Promise<void> {
    const current = this.leases.get(meetingId)?.epoch ?? null;
    if (current !== epoch) throw new StaleEpochError(meetingId, epoch, current);
  }

  // ── room mirror (kept as JSON text, so a caller never shares objects with it) ──
  async save(meetingId: string, epoch: number, state: unknown): Promise<MirroredState> {
    await this.assertEpoch(meetingId, epoch);
    const json = JSON.stringify(state);
    if (json === undefined) throw new TypeError('room state must be JSON');
    const version = (this.rooms.get(meetingId)?.version ?? 0) + 1;
    const saved = { epoch, version, savedAt: Date.now(), state: json };
    this.rooms.set(meetingId, saved);
    return { ...saved, state };
  }

  async load<T = unknown>(meetingId: string): Promise<MirroredState<T> | null> {
    const saved = this.rooms.get(meetingId);
    return saved ? { ...saved, state: JSON.parse(saved.state) as T } : null;
  }

  async delete(meetingId: string, epoch: number): Promise<void> {
    await this.assertEpoch(meetingId, epoch);
    this.rooms.delete(meetingId);
  }

  async dropUnowned(meetingId: string): Promise<boolean> {
    if (this.leases.has(meetingId)) return false;
    this.rooms.delete(meetingId);
    return true;
  }
}
