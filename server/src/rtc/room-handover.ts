import { Inject, Injectable, Logger } from '@nestjs/common';
import { NODE_REGISTRY, successor, type NodeInfo, type NodeRegistry } from '../cluster/cluster.types';
import { RoomEvents } from '../common/room-events';
import { SocketHub } from '../common/socket-hub';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RoomOwnership } from './room-ownership';
import { RoomRegistry } from './room-registry';
import { RoomSeating } from './room-seating';
import type { LiveRoom } from './room-state';

/** How long a stopping node spends handing its rooms over before it stops anyway (their leases then lapse). */
export const HANDOVER_LIMIT_MS = 8000;

/** What became of one room when its node stopped. */
export type HandOverOutcome = 'moved' | 'released' | 'lost';

/**
 * A node stopping (SIGTERM) with REDIS_URL ends no meeting: before the app closes, it marks itself draining in
 * the registry (placement skips it, and it claims no meeting any more) and hands each of its rooms over, one
 * meeting at a time with that meeting's joins:
 * 1. the room closes here without ending the meeting; its people's presence segments close as `moved` and are
 *    stored (the node they go to opens the same segments again: no gap, nothing counted twice);
 * 2. the room's last state goes to the mirror and its lease to the least-loaded other live node, at a new epoch
 *    (fenced by this node's: nothing this node still writes counts); with no other node the lease is released
 *    and the next join anywhere claims the meeting and restores the room;
 * 3. its people are told `room.moved` with the new owner's URL: they join there with their seat (same peer id).
 * Without REDIS_URL nothing of this runs: the one process stops as it always did.
 */
@Injectable()
export class RoomHandover {
  private readonly log = new Logger(RoomHandover.name);

  constructor(
    private readonly registry: RoomRegistry,
    private readonly ownership: RoomOwnership,
    private readonly seating: RoomSeating,
    private readonly hub: SocketHub,
    private readonly bus: RoomEvents,
    @Inject(NODE_REGISTRY) private readonly nodes: NodeRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Hands every room of this node over (within HANDOVER_LIMIT_MS); what became of each, by meeting. */
  async drain(): Promise<Map<string, HandOverOutcome>> {
    const outcomes = new Map<string, HandOverOutcome>();
    if (!this.config.REDIS_URL) return outcomes;
    await this.ownership.startDraining();
    const nodes = await this.nodes.list();
    // Each room to the least-loaded other node, counting what this drain sent there already.
    const plan = this.ownership.rooms().map((room) => {
      const to = successor(nodes, this.nodes.nodeId);
      if (to) to.load = { ...to.load, rooms: to.load.rooms + 1, peers: to.load.peers + room.seats.size };
      return { room, to };
    });
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, HANDOVER_LIMIT_MS)));
    const all = Promise.allSettled(
      plan.map(({ room, to }) =>
        this.registry
          .serial(room.meetingId, () => this.handOver(room, to))
          .then(
            (outcome) => outcome && outcomes.set(room.meetingId, outcome),
            (e: unknown) => this.log.error(`handing meeting ${room.meetingId} over: ${String(e)}`),
          ),
      ),
    );
    await Promise.race([all, limit]);
    clearTimeout(timer);
    const counts = [...outcomes.values()].reduce<Record<string, number>>(
      (n, o) => ({ ...n, [o]: (n[o] ?? 0) + 1 }),
      {},
    );
    this.log.log(`stopping: ${plan.length} room(s) handed over ${JSON.stringify(counts)}`);
    return outcomes;
  }

  private async handOver(room: LiveRoom, to: NodeInfo | null): Promise<HandOverOutcome | undefined> {
    if (!this.registry.isLive(room)) return undefined;
    const { meetingId } = room;
    const sockets = await this.seating.closeHere(room);
    await this.bus.ask('segmentsStored', meetingId);
    const lease = await this.ownership.handOver(room, to?.id ?? null);
    if (lease === 'lost') {
      // Another node took the meeting over meanwhile: its people join again and are sent there.
      for (const socketId of sockets) this.hub.disconnect(socketId);
      return 'lost';
    }
    if (!lease || !to) return 'released'; // their sockets close with this node; they join again anywhere
    for (const socketId of sockets)
      this.hub.toSocket(socketId, 'room.moved', { meetingId, nodeId: to.id, url: to.url });
    return 'moved';
  }
}
