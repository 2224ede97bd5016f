import { Logger } from '@nestjs/common';
import type { MediaService } from '../media/media.service';
import { MediaError, type MediaErrorCode } from '../media/media.types';
import type { MediaCluster, PipeMessage } from '../media/remote-route';
import { byLoad, type NodeRegistry } from './cluster.types';
import { NodeRequestError, type NodeChannel } from './node-channel';

/** How long a node waits for another's answer. */
const REQUEST_TIMEOUT_MS = 10_000;
/** The node channel's topic of the media messages. */
const TOPIC = 'media.pipe';

/**
 * The SFU's way to the other nodes (lectures across nodes), on the node channel (node-channel.ts): a lecture's
 * owner asks another node to serve part of its audience, the serving node reports back. The channel keeps a
 * node's messages to another in order (a producer's pause and resume arrive as sent) and starts their handling in
 * that order; a MediaError thrown there comes back as a MediaError. The media itself goes node to node over the
 * PipeTransports, never through Redis.
 */
export class RedisMediaPipe implements MediaCluster {
  private readonly log = new Logger(RedisMediaPipe.name);
  private watch?: NodeJS.Timeout;
  private withdraw?: () => void;

  constructor(
    private readonly channel: NodeChannel,
    private readonly registry: NodeRegistry,
    private readonly media: MediaService,
    private readonly ttlMs: number,
  ) {}

  get nodeId(): string {
    return this.registry.nodeId;
  }

  /** Answers the other nodes' media messages and lets the SFU reach them (the channel is started apart). */
  start(): void {
    this.withdraw = this.channel.serve(TOPIC, (message, from) =>
      this.media.serve(from, message as PipeMessage).catch((e: unknown) => {
        // Only a MediaError's code crosses; anything else is the serving node's fault, its message for the log.
        throw e instanceof MediaError ? e : new Error(e instanceof Error ? e.message : String(e));
      }),
    );
    this.media.attachCluster(this);
    // A node that left the registry (killed) serves nothing more, and is served for nothing more.
    this.watch = setInterval(() => void this.dropGoneNodes(), Math.max(200, this.ttlMs));
    this.watch.unref();
  }

  stop(): void {
    clearInterval(this.watch);
    this.withdraw?.();
  }

  async pickNode(avoid: string[]): Promise<string | undefined> {
    const nodes = await this.registry.list();
    return nodes
      .filter((n) => n.id !== this.nodeId && !n.draining && n.load.workers > 0 && !avoid.includes(n.id))
      .sort(byLoad)[0]?.id;
  }

  async request<T = unknown>(nodeId: string, message: PipeMessage): Promise<T> {
    try {
      return (await this.channel.request(nodeId, TOPIC, message, REQUEST_TIMEOUT_MS)) as T;
    } catch (e) {
      if (!(e instanceof NodeRequestError)) throw e;
      const { reason, wire } = e;
      if (reason === 'failed' && wire.code !== 'internal' && wire.code !== 'unserved')
        throw new MediaError(wire.code as MediaErrorCode, wire.message);
      throw new Error(`${message.op} to node ${nodeId}: ${wire.message}`);
    }
  }

  private async dropGoneNodes(): Promise<void> {
    try {
      const live = new Set((await this.registry.list()).map((n) => n.id));
      for (const { meetingId, ownerNodeId } of this.media.audience.owners())
        if (!live.has(ownerNodeId)) this.media.audience.close(meetingId);
      await this.media.dropRemoteNodes((nodeId) => !live.has(nodeId));
    } catch (e) {
      this.log.warn(`checking the nodes of lectures across nodes: ${String(e)}`);
    }
  }
}
