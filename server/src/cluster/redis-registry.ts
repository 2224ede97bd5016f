import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ClusterKeys } from './cluster-keys';
import type { NodeIdentity, NodeInfo, NodeLoad, NodeRegistry } from './cluster.types';
import { defineScripts, script } from './redis-scripts';

/**
 * Reads the published nodes and forgets (in the index) those whose key expired, in one step: a node that
 * publishes meanwhile is never dropped from the index. KEYS: the index, then each node's key; ARGV: the ids.
 */
const LIST_NODES = `
local out = {}
for i, id in ipairs(ARGV) do
  local v = redis.call('GET', KEYS[i + 1])
  if v then out[#out + 1] = v else redis.call('SREM', KEYS[1], id) end
end
return out`;

/**
 * Each node's key holds its NodeInfo with a short expiry (CLUSTER_NODE_TTL_SECONDS), refreshed at 30% of it:
 * a node that stops refreshing (killed, cut off) disappears within one expiry.
 */
export class RedisNodeRegistry implements NodeRegistry {
  private readonly log = new Logger(RedisNodeRegistry.name);
  private readonly startedAt = Date.now();
  private timer?: NodeJS.Timeout;
  private draining = false;
  private loadSource: () => NodeLoad | Promise<NodeLoad> = () => ({ rooms: 0, peers: 0, workers: 0 });
  private publishing: Promise<void> = Promise.resolve();
  private load: NodeLoad = { rooms: 0, peers: 0, workers: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly self: NodeIdentity,
    private readonly ttlMs: number,
  ) {
    defineScripts(redis, { bmListNodes: LIST_NODES });
  }

  get nodeId(): string {
    return this.self.id;
  }

  setLoadSource(source: () => NodeLoad | Promise<NodeLoad>): void {
    this.loadSource = source;
  }

  async setDraining(draining: boolean): Promise<void> {
    this.draining = draining;
    await this.publish();
  }

  /** Publishes now and then every 30% of the expiry until `stop`. */
  async start(): Promise<void> {
    await this.publish();
    this.timer = setInterval(
      () => {
        this.publishing = this.publish().catch((e: unknown) =>
          this.log.warn(`publishing this node: ${String(e)}`),
        );
      },
      Math.max(50, Math.round(this.ttlMs * 0.3)),
    );
    this.timer.unref();
  }

  /** Stops refreshing; `leave`: also removes this node at once (a clean stop) instead of letting it expire. */
  async stop(leave = true): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.publishing;
    if (leave)
      await this.redis.multi().del(this.keys.node(this.self.id)).srem(this.keys.nodes, this.self.id).exec();
  }

  async publish(): Promise<void> {
    try {
      this.load = await this.loadSource();
    } catch (e) {
      // A failing load source must not take the node out of the registry: the last load stands.
      this.log.warn(`reading this node's load: ${String(e)}`);
    }
    const info: NodeInfo = {
      ...this.self,
      load: this.load,
      draining: this.draining,
      startedAt: this.startedAt,
    };
    await this.redis
      .multi()
      .set(this.keys.node(info.id), JSON.stringify(info), 'PX', this.ttlMs)
      .sadd(this.keys.nodes, info.id)
      .exec();
  }

  async list(): Promise<NodeInfo[]> {
    const ids = await this.redis.smembers(this.keys.nodes);
    if (ids.length === 0) return [];
    const values = (await script(this.redis, 'bmListNodes')(
      ids.length + 1,
      this.keys.nodes,
      ...ids.map((id) => this.keys.node(id)),
      ...ids,
    )) as string[];
    return values
      .map((v) => JSON.parse(v) as NodeInfo)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
