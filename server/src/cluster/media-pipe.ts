import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { MediaService } from '../media/media.service';
import { MediaError, type MediaErrorCode } from '../media/media.types';
import type { MediaCluster, PipeMessage } from '../media/remote-route';
import type { ClusterKeys } from './cluster-keys';
import { byLoad, type NodeRegistry } from './cluster.types';

/** How long a node waits for another's answer. */
const REQUEST_TIMEOUT_MS = 10_000;

type Envelope =
  | { id: string; from: string; message: PipeMessage }
  | { reply: string; ok: true; data: unknown }
  | { reply: string; ok: false; code?: string; error: string };

/**
 * The media channel between nodes, on the Redis they share: each node listens on its own pub/sub channel
 * (`<prefix>pipe:<nodeId>`) for requests (a lecture's owner asking this node to serve part of its audience) and
 * for the answers to its own. One publishing connection per node keeps a node's messages to another in order
 * (a producer's pause and resume arrive as sent). Redis rather than an HTTP endpoint between nodes: the nodes
 * already trust it (leases, mirror), it needs no second address per node, no port and no shared secret; the
 * media itself goes node to node over the PipeTransports, never through Redis.
 */
export class RedisMediaPipe implements MediaCluster {
  private readonly log = new Logger(RedisMediaPipe.name);
  private readonly pending = new Map<
    string,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private sub?: Redis;
  private watch?: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly registry: NodeRegistry,
    private readonly media: MediaService,
    private readonly ttlMs: number,
  ) {}

  get nodeId(): string {
    return this.registry.nodeId;
  }

  /** Listens on this node's channel and lets the SFU reach the other nodes. */
  async start(): Promise<void> {
    const sub = this.redis.duplicate();
    sub.on('error', (e: Error) => this.log.warn(`redis (media pipe): ${e.message}`));
    sub.on('message', (_channel: string, text: string) => this.received(text));
    await sub.subscribe(this.keys.pipe(this.nodeId));
    this.sub = sub;
    this.media.attachCluster(this);
    // A node that left the registry (killed) serves nothing more, and is served for nothing more.
    this.watch = setInterval(() => void this.dropGoneNodes(), Math.max(200, this.ttlMs));
    this.watch.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.watch);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('the media pipe stopped'));
      this.pending.delete(id);
    }
    await this.sub?.quit().catch(() => this.sub?.disconnect());
  }

  async pickNode(avoid: string[]): Promise<string | undefined> {
    const nodes = await this.registry.list();
    return nodes
      .filter((n) => n.id !== this.nodeId && !n.draining && n.load.workers > 0 && !avoid.includes(n.id))
      .sort(byLoad)[0]?.id;
  }

  async request<T = unknown>(nodeId: string, message: PipeMessage): Promise<T> {
    const id = randomUUID();
    const answer = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`node ${nodeId} did not answer ${message.op} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
    });
    const envelope: Envelope = { id, from: this.nodeId, message };
    try {
      const heard = await this.redis.publish(this.keys.pipe(nodeId), JSON.stringify(envelope));
      if (heard === 0) this.settle({ reply: id, ok: false, error: `node ${nodeId} is not listening` });
    } catch (e) {
      this.settle({ reply: id, ok: false, error: `to node ${nodeId}: ${String(e)}` });
    }
    return answer;
  }

  private received(text: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      this.log.warn('a media pipe message that is not JSON');
      return;
    }
    if (typeof envelope !== 'object' || envelope === null) return;
    if ('reply' in envelope) {
      this.settle(envelope);
      return;
    }
    const { id, from, message } = envelope;
    if (typeof id !== 'string' || typeof from !== 'string' || typeof message?.op !== 'string') {
      this.log.warn('a media pipe request without id, sender or op');
      return;
    }
    void this.media.serve(from, message).then(
      (data) => this.answer(from, { reply: id, ok: true, data: data ?? null }),
      (e: unknown) =>
        this.answer(from, {
          reply: id,
          ok: false,
          code: e instanceof MediaError ? e.code : undefined,
          error: e instanceof Error ? e.message : String(e),
        }),
    );
  }

  private answer(to: string, envelope: Envelope): void {
    this.redis
      .publish(this.keys.pipe(to), JSON.stringify(envelope))
      .catch((e: unknown) => this.log.warn(`answering node ${to}: ${String(e)}`));
  }

  private settle(envelope: Extract<Envelope, { reply: string }>): void {
    const p = this.pending.get(envelope.reply);
    if (!p) return;
    this.pending.delete(envelope.reply);
    clearTimeout(p.timer);
    if (envelope.ok) p.resolve(envelope.data);
    else
      p.reject(
        envelope.code
          ? new MediaError(envelope.code as MediaErrorCode, envelope.error)
          : new Error(envelope.error),
      );
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
