import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MediaService } from '../media/media.service';
import { ClusterKeys } from './cluster-keys';
import type { MeetingLeases, NodeIdentity, NodeLoad, NodeRegistry, RoomMirror } from './cluster.types';
import { LeaseKeeper } from './lease-keeper';
import { LocalCluster } from './local-cluster';
import { RedisMediaPipe } from './media-pipe';
import { NodeChannel } from './node-channel';
import { redactRedisUrl } from './node-identity';
import { RedisMeetingLeases } from './redis-leases';
import { RedisRoomMirror } from './redis-mirror';
import { RedisNodeRegistry } from './redis-registry';

export const NODE_IDENTITY = Symbol('NODE_IDENTITY');

/**
 * Builds the cluster's parts: on Redis when REDIS_URL is set (one client, connected when the module starts, this
 * node published until it stops), else the single-node LocalCluster that touches nothing outside the process.
 */
@Injectable()
export class ClusterRuntime implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('Cluster');
  readonly registry: NodeRegistry;
  readonly leases: MeetingLeases;
  readonly mirror: RoomMirror;
  /** Renews the leases this node holds (the room code hands each claimed lease to it). */
  readonly keeper: LeaseKeeper;
  /**
   * Requests to other nodes by id and notices to all (RoomCalls, the media pipe); none without Redis: every
   * meeting is this node's.
   */
  readonly channel?: NodeChannel;
  private readonly redis?: Redis;
  private readonly redisRegistry?: RedisNodeRegistry;
  /** Lectures across nodes: the SFU's channel to the other nodes (only with Redis and an SFU here). */
  private readonly pipe?: RedisMediaPipe;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(NODE_IDENTITY) identity: NodeIdentity,
    @Optional() private readonly media?: MediaService,
  ) {
    if (!config.REDIS_URL) {
      const local = new LocalCluster(identity);
      this.registry = this.leases = this.mirror = local;
    } else {
      this.redis = new Redis(config.REDIS_URL, {
        lazyConnect: true,
        connectTimeout: 5000,
        maxRetriesPerRequest: 3,
        connectionName: `branchmeet:${identity.id}`,
      });
      // ioredis reconnects by itself; an error event without a listener would end the process.
      this.redis.on('error', (e: Error) => this.log.warn(`redis: ${e.message}`));
      const keys = new ClusterKeys(config.CLUSTER_KEY_PREFIX);
      this.redisRegistry = new RedisNodeRegistry(
        this.redis,
        keys,
        identity,
        config.CLUSTER_NODE_TTL_SECONDS * 1000,
      );
      this.registry = this.redisRegistry;
      this.leases = new RedisMeetingLeases(
        this.redis,
        keys,
        this.registry,
        config.CLUSTER_LEASE_TTL_SECONDS * 1000,
      );
      this.mirror = new RedisRoomMirror(this.redis, keys);
      this.channel = new NodeChannel(this.redis, keys, identity.id);
      if (media)
        this.pipe = new RedisMediaPipe(
          this.channel,
          this.registry,
          media,
          config.CLUSTER_NODE_TTL_SECONDS * 1000,
        );
    }
    this.registry.setLoadSource(() => this.sfuLoad());
    this.keeper = new LeaseKeeper(this.leases, config.CLUSTER_LEASE_TTL_SECONDS * 1000);
  }

  get clustered(): boolean {
    return this.redis !== undefined;
  }

  async onModuleInit(): Promise<void> {
    if (!this.redis || !this.redisRegistry || !this.config.REDIS_URL) return;
    try {
      await this.redis.connect();
    } catch (e) {
      this.redis.disconnect();
      throw new Error(`REDIS_URL ${redactRedisUrl(this.config.REDIS_URL)} does not answer: ${String(e)}`);
    }
    this.pipe?.start();
    await this.channel?.start();
    await this.redisRegistry.start();
    this.log.log(
      `node ${this.registry.nodeId} joined the cluster on ${redactRedisUrl(this.config.REDIS_URL)}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.keeper.close();
    if (!this.redis) return;
    this.pipe?.stop();
    await this.channel?.stop();
    await this.redisRegistry
      ?.stop(true)
      .catch((e: unknown) => this.log.warn(`leaving the cluster: ${String(e)}`));
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }

  /** Until the room code reports its own: the SFU's live workers, rooms and peers. */
  private async sfuLoad(): Promise<NodeLoad> {
    const workers = this.media?.workers() ?? [];
    const meetings = new Set(workers.flatMap((w) => w.meetings));
    let peers = 0;
    for (const id of meetings)
      peers += await this.media!.room(id).then(
        (r) => r.peers.size,
        () => 0,
      );
    // Listeners served here for other nodes' lectures count too (their meetings' rooms are elsewhere).
    peers += this.media?.audience.peers() ?? 0;
    return { rooms: meetings.size, peers, workers: workers.length };
  }
}
