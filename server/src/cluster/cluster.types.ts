/**
 * The contracts of running several identical nodes. Two implementations of each: on Redis (REDIS_URL set) and a
 * single-node one in memory (no REDIS_URL), where this node is the only node and owns every meeting it claims.
 */

/** What a node serves right now (least-loaded placement compares these). */
export interface NodeLoad {
  /** Live meeting rooms on this node. */
  rooms: number;
  /** Peers in them. */
  peers: number;
  /** Live mediasoup workers. */
  workers: number;
}

/** A node as it publishes itself in the registry. */
export interface NodeInfo {
  id: string;
  /** Where browsers reach this node's HTTP and /rtc (a join for one of its meetings is sent here). */
  url: string;
  /** The media address browsers (and other nodes' pipe transports) send RTP to, and the first worker's port. */
  media: { address: string; portBase: number };
  load: NodeLoad;
  /** Going away (SIGTERM): placement skips it, its rooms move. */
  draining: boolean;
  startedAt: number;
}

/** What a node says about itself besides its load. */
export type NodeIdentity = Pick<NodeInfo, 'id' | 'url' | 'media'>;

/** Who holds a meeting. `epoch` grows with every claim (across all meetings): a newer holder has a higher one. */
export interface Lease {
  meetingId: string;
  nodeId: string;
  epoch: number;
  /**
   * `held`: the node claimed it or took it up; `assigned`: another node chose it (least-loaded) and it has not
   * taken the lease up yet (it does with `adopt` when the redirected join arrives, or the lease lapses).
   */
  state: 'held' | 'assigned';
}

export interface ClaimResult {
  lease: Lease;
  /** This call created the lease (false: someone already held it, `lease` is theirs or ours from before). */
  claimed: boolean;
}

/** A write fenced by an epoch that is no longer the meeting's current one (its lease lapsed or moved). */
export class StaleEpochError extends Error {
  readonly code = 'cluster.staleEpoch';
  constructor(
    readonly meetingId: string,
    readonly epoch: number,
    /** The meeting's current epoch; null when nobody holds it. */
    readonly currentEpoch: number | null,
  ) {
    super(`meeting ${meetingId}: epoch ${epoch} is stale (current: ${currentEpoch ?? 'none'})`);
    this.name = 'StaleEpochError';
  }
}

export interface NodeRegistry {
  /** This node's id. */
  readonly nodeId: string;
  /** Publishes this node now (the Redis registry also does so on a timer while started). */
  publish(): Promise<void>;
  /** The live nodes (this one included once published), by id. */
  list(): Promise<NodeInfo[]>;
  /** Where this node's load comes from (the room units set it; by default the SFU's rooms and peers). */
  setLoadSource(source: () => NodeLoad | Promise<NodeLoad>): void;
  /** Marks this node as going away (placement skips it) and publishes at once. */
  setDraining(draining: boolean): Promise<void>;
}

export interface MeetingLeases {
  /** Claims the meeting for this node unless someone holds it; either way the current lease. */
  claim(meetingId: string): Promise<ClaimResult>;
  /**
   * The owner when there is one; else the least-loaded live node claims it (this node for itself, or this node
   * records the choice as an `assigned` lease the chosen node takes up with `adopt`). Atomic: racing callers all
   * get the one lease that won.
   */
  claimForLeastLoaded(meetingId: string): Promise<ClaimResult>;
  /** Extends this node's lease of that epoch; false when it is not (or no longer) ours. */
  renew(meetingId: string, epoch: number): Promise<boolean>;
  /** Takes up a lease another node assigned to this one (a renew that also marks it held). */
  adopt(meetingId: string, epoch: number): Promise<boolean>;
  /** Gives the lease up (only its holder, at its epoch); false when it was not ours. */
  release(meetingId: string, epoch: number): Promise<boolean>;
  /**
   * Hands this node's lease (at `epoch`) to `nodeId` in one step: a new epoch, `assigned` to that node, which
   * takes it up when the meeting's people join there (or it lapses). The old epoch is refused from then on.
   * null when the lease was not ours at that epoch.
   */
  handOver(meetingId: string, epoch: number, nodeId: string): Promise<Lease | null>;
  /** The meeting's current lease, or null when nobody holds it. */
  whereIs(meetingId: string): Promise<Lease | null>;
  /** Throws StaleEpochError unless `epoch` is the meeting's current lease's. */
  assertEpoch(meetingId: string, epoch: number): Promise<void>;
}

/** A saved copy of a room's state, with the epoch of the lease that wrote it. */
export interface MirroredState<T = unknown> {
  epoch: number;
  /** Grows by one at every save of this meeting. */
  version: number;
  savedAt: number;
  state: T;
}

/** The room state that must survive its owner (host, lock, lobby, seats...), fenced by the lease's epoch. */
export interface RoomMirror {
  /** Stores the state; throws StaleEpochError unless `epoch` is the meeting's current lease's (atomic check). */
  save(meetingId: string, epoch: number, state: unknown): Promise<MirroredState>;
  load<T = unknown>(meetingId: string): Promise<MirroredState<T> | null>;
  /** Drops the state (the meeting ended); fenced like `save`. */
  delete(meetingId: string, epoch: number): Promise<void>;
  /**
   * Drops the state of a meeting nobody holds (ended where no room was live: the reaper); false, and nothing
   * dropped, while a node holds its lease.
   */
  dropUnowned(meetingId: string): Promise<boolean>;
}

export const NODE_REGISTRY = Symbol('NODE_REGISTRY');
export const MEETING_LEASES = Symbol('MEETING_LEASES');
export const ROOM_MIRROR = Symbol('ROOM_MIRROR');

/** Least-loaded first: peers per worker, then rooms per worker, then id (a stable order for ties). */
export function byLoad(a: NodeInfo, b: NodeInfo): number {
  const per = (n: NodeInfo, v: number) => v / Math.max(1, n.load.workers);
  return (
    per(a, a.load.peers) - per(b, b.load.peers) ||
    per(a, a.load.rooms) - per(b, b.load.rooms) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** The node a new meeting goes to: the least-loaded one not draining, else this node. */
export function pickNode(nodes: NodeInfo[], selfId: string): string {
  return successor(nodes, null)?.id ?? selfId;
}

/** Where a stopping node hands a meeting: the least-loaded other node not draining; null when there is none. */
export function successor(nodes: NodeInfo[], selfId: string | null): NodeInfo | null {
  return nodes.filter((n) => !n.draining && n.id !== selfId).sort(byLoad)[0] ?? null;
}
