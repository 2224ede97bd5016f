import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { MessageParams } from '@branchmeet/shared';
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './cluster-keys';

/** A call for one meeting's room, sent to the node that holds the meeting. */
export interface CallRequest {
  meetingId: string;
  name: string;
  args: unknown;
}

/** An error as it crosses the wire: a DomainError's parts, or `internal` with the message (for the log). */
export interface WireError {
  code: string;
  status: number;
  messageKey?: string;
  params?: MessageParams;
  details?: Record<string, unknown>;
  message: string;
}

/** The owner's answer; `moved`: the node no longer holds the meeting (the caller asks the lease again). */
export type CallReply = { ok: true; data: unknown } | { ok: false; error: WireError } | { moved: true };

interface Envelope extends CallRequest {
  id: string;
  from: string;
}

/**
 * Request and reply between nodes over Redis pub/sub, addressed by node id: each node listens on its own call
 * channel and its own reply channel (a subscriber connection of its own). A PUBLISH that no node receives (the
 * owner is gone, or no longer listening) answers `unreachable` at once; one that nobody answers within the
 * timeout too. Messages are not kept: a node that is not listening at that moment never sees the call.
 */
export class RedisCallTransport {
  private readonly log = new Logger(RedisCallTransport.name);
  private readonly pending = new Map<string, { done: (r: CallReply | 'unreachable') => void }>();
  private noticed: (name: string, payload: unknown) => void = () => undefined;
  private serve: (req: CallRequest) => Promise<CallReply> = async () => ({
    ok: false,
    error: { code: 'unavailable', status: 503, message: 'this node is starting' },
  });

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly keys: ClusterKeys,
    private readonly nodeId: string,
  ) {
    sub.on('message', (channel: string, message: string) => this.received(channel, message));
  }

  /** What answers the calls this node receives. */
  serveWith(serve: (req: CallRequest) => Promise<CallReply>): void {
    this.serve = serve;
  }

  /** What receives the notices other nodes send to every node. */
  onNotice(listener: (name: string, payload: unknown) => void): void {
    this.noticed = listener;
  }

  async start(): Promise<void> {
    await this.sub.connect();
    await this.sub.subscribe(this.keys.calls(this.nodeId), this.keys.replies(this.nodeId), this.keys.notices);
  }

  /** Tells every other node (no answer; a node not listening at this moment misses it). */
  async notify(name: string, payload: unknown): Promise<void> {
    await this.pub.publish(this.keys.notices, JSON.stringify({ from: this.nodeId, name, payload }));
  }

  /** Stops listening: calls to this node from now on find nobody; calls of its own still waiting fail. */
  async stop(): Promise<void> {
    for (const p of [...this.pending.values()]) p.done('unreachable');
    await this.sub.quit().catch(() => this.sub.disconnect());
  }

  request(nodeId: string, req: CallRequest, timeoutMs: number): Promise<CallReply | 'unreachable'> {
    const id = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => done('unreachable'), timeoutMs);
      const done = (r: CallReply | 'unreachable') => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(r);
      };
      this.pending.set(id, { done });
      const envelope: Envelope = { ...req, id, from: this.nodeId };
      this.pub.publish(this.keys.calls(nodeId), JSON.stringify(envelope)).then(
        (receivers) => receivers === 0 && done('unreachable'),
        (e: unknown) => {
          this.log.warn(`calling node ${nodeId}: ${String(e)}`);
          done('unreachable');
        },
      );
    });
  }

  private received(channel: string, message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    if (channel === this.keys.notices) {
      const n = parsed as { from: string; name: string; payload: unknown };
      if (n.from !== this.nodeId) this.noticed(n.name, n.payload);
    } else if (channel === this.keys.replies(this.nodeId)) {
      const { id, reply } = parsed as { id: string; reply: CallReply };
      this.pending.get(id)?.done(reply);
    } else if (channel === this.keys.calls(this.nodeId)) {
      const env = parsed as Envelope;
      void this.serve({ meetingId: env.meetingId, name: env.name, args: env.args })
        .catch((e: unknown): CallReply => ({
          ok: false,
          error: { code: 'internal', status: 500, message: String(e) },
        }))
        .then((reply) => this.pub.publish(this.keys.replies(env.from), JSON.stringify({ id: env.id, reply })))
        .catch((e: unknown) => this.log.warn(`answering node ${env.from}: ${String(e)}`));
    }
  }
}
