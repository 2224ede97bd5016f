import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { MessageParams } from '@branchmeet/shared';
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './cluster-keys';

/**
 * An error as it crosses the wire: the thrown error's `code`, `status`, `messageKey`, `params` and `details`
 * when it has them (a DomainError, a MediaError), `internal` otherwise; `message` is for the log. Each side maps
 * it back to its own error type.
 */
export interface WireError {
  code: string;
  status?: number;
  messageKey?: string;
  params?: MessageParams;
  details?: Record<string, unknown>;
  message: string;
}

/**
 * Why a request failed: `unreachable` — nobody heard the publish (the node is gone or not listening) or this
 * channel stopped; `timeout` — nobody answered in time; `failed` — the node answered with an error (its handler
 * threw, or nothing serves the topic there: code `unserved`).
 */
export type NodeRequestFailure = 'unreachable' | 'timeout' | 'failed';

export class NodeRequestError extends Error {
  constructor(
    readonly reason: NodeRequestFailure,
    readonly wire: WireError,
  ) {
    super(wire.message);
    this.name = 'NodeRequestError';
  }
}

type Handler = (payload: unknown, from: string) => unknown;
type Listener = (payload: unknown, from: string) => void;

type Envelope =
  | { kind: 'request'; id: string; from: string; topic: string; payload: unknown }
  | { kind: 'reply'; id: string; ok: true; data: unknown }
  | { kind: 'reply'; id: string; ok: false; error: WireError }
  | { kind: 'notice'; from: string; topic: string; payload: unknown };
type Reply = Extract<Envelope, { kind: 'reply' }>;

/**
 * Request and reply between nodes over the Redis they share, addressed by node id, and notices to every node.
 * Each node listens with one subscriber connection of its own on its channel (`<prefix>channel:<nodeId>`:
 * requests for it and the answers to its own) and on `<prefix>broadcast` (notices). Everything this node sends
 * goes out on one publishing connection, so a node's messages to another arrive in the order they were sent, and
 * the handlers of a node's requests start in that order. A PUBLISH that nobody receives fails the request as
 * `unreachable` at once; one nobody answers within its timeout as `timeout`. Messages are not kept: a node not
 * listening at that moment never sees them. Redis rather than HTTP between nodes: the nodes already trust it
 * (leases, mirror), and it needs no second address per node, no port and no shared secret.
 */
export class NodeChannel {
  private readonly log = new Logger(NodeChannel.name);
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly pending = new Map<string, { settle: (r: Reply | NodeRequestError) => void }>();
  private sub?: Redis;

  constructor(
    /** The publishing connection (the node's main client). */
    private readonly pub: Redis,
    private readonly keys: ClusterKeys,
    readonly nodeId: string,
  ) {}

  /** Starts listening on this node's channel and the notices (one subscriber connection). */
  async start(): Promise<void> {
    const sub = this.pub.duplicate({ connectionName: `branchmeet:${this.nodeId}:channel` });
    sub.on('error', (e: Error) => this.log.warn(`redis (node channel): ${e.message}`));
    sub.on('message', (_channel: string, text: string) => this.received(text));
    this.sub = sub;
    await sub.subscribe(this.keys.channel(this.nodeId), this.keys.broadcast);
  }

  /** Stops listening: requests to this node from now on find nobody; its own still waiting fail `unreachable`. */
  async stop(): Promise<void> {
    for (const p of [...this.pending.values()])
      p.settle(
        new NodeRequestError('unreachable', { code: 'unreachable', message: 'the node channel stopped' }),
      );
    const sub = this.sub;
    this.sub = undefined;
    await sub?.quit().catch(() => sub.disconnect());
  }

  /**
   * The one handler of a topic's requests on this node; what it returns (or resolves to) is the answer, what it
   * throws comes back as a WireError. The returned function withdraws it.
   */
  serve(topic: string, handler: Handler): () => void {
    if (this.handlers.has(topic)) throw new Error(`the node channel topic ${topic} is served twice`);
    this.handlers.set(topic, handler);
    return () => {
      if (this.handlers.get(topic) === handler) this.handlers.delete(topic);
    };
  }

  /** Listens to a topic's notices from the other nodes; the returned function stops. */
  onNotice(topic: string, listener: Listener): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Tells every other node listening now (no answer; a node not listening at this moment misses it). */
  async tellEveryNode(topic: string, payload: unknown): Promise<void> {
    await this.send(this.keys.broadcast, { kind: 'notice', from: this.nodeId, topic, payload });
  }

  /** Asks a node; resolves with its answer, rejects with a NodeRequestError. */
  request(nodeId: string, topic: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          settle(
            new NodeRequestError('timeout', {
              code: 'timeout',
              message: `node ${nodeId} did not answer ${topic} within ${timeoutMs} ms`,
            }),
          ),
        timeoutMs,
      );
      const settle = (r: Reply | NodeRequestError) => {
        clearTimeout(timer);
        this.pending.delete(id);
        if (r instanceof NodeRequestError) reject(r);
        else if (r.ok) resolve(r.data);
        else reject(new NodeRequestError('failed', r.error));
      };
      this.pending.set(id, { settle });
      const unreachable = (why: string) =>
        settle(
          new NodeRequestError('unreachable', { code: 'unreachable', message: `node ${nodeId} ${why}` }),
        );
      this.send(this.keys.channel(nodeId), { kind: 'request', id, from: this.nodeId, topic, payload }).then(
        (heard) => heard === 0 && unreachable('is not listening'),
        (e: unknown) => unreachable(`could not be asked: ${String(e)}`),
      );
    });
  }

  private send(channel: string, envelope: Envelope): Promise<number> {
    return this.pub.publish(channel, JSON.stringify(envelope));
  }

  private received(text: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      this.log.warn('a node channel message that is not JSON');
      return;
    }
    if (typeof envelope !== 'object' || envelope === null) return;
    if (envelope.kind === 'reply') this.pending.get(envelope.id)?.settle(envelope);
    else if (envelope.kind === 'request') this.answer(envelope);
    else if (envelope.kind === 'notice' && envelope.from !== this.nodeId) this.notice(envelope);
  }

  /** Runs the handler at once (requests from one node start in the order they were sent) and answers. */
  private answer({ id, from, topic, payload }: Extract<Envelope, { kind: 'request' }>): void {
    if (typeof id !== 'string' || typeof from !== 'string' || typeof topic !== 'string') {
      this.log.warn('a node channel request without id, sender or topic');
      return;
    }
    const handler = this.handlers.get(topic);
    const result = new Promise<unknown>((resolve) => {
      if (!handler)
        throw Object.assign(new Error(`nothing serves ${topic} on node ${this.nodeId}`), {
          code: 'unserved',
        });
      resolve(handler(payload, from));
    });
    void result
      .then(
        (data): Reply => ({ kind: 'reply', id, ok: true, data: data ?? null }),
        (e: unknown): Reply => ({ kind: 'reply', id, ok: false, error: toWire(e) }),
      )
      .then((reply) => this.send(this.keys.channel(from), reply))
      .catch((e: unknown) => this.log.warn(`answering node ${from}: ${String(e)}`));
  }

  private notice({ from, topic, payload }: Extract<Envelope, { kind: 'notice' }>): void {
    for (const listener of [...(this.listeners.get(topic) ?? [])]) {
      try {
        listener(payload, from);
      } catch (e) {
        this.log.error(`a listener of the notice ${topic} failed: ${String(e)}`);
      }
    }
  }
}

/** The parts of a thrown error that cross the wire (see WireError). */
export function toWire(e: unknown): WireError {
  if (!(e instanceof Error)) return { code: 'internal', message: String(e) };
  const parts = e as Error & Partial<Record<keyof WireError, unknown>>;
  const object = (v: unknown) => (typeof v === 'object' && v !== null ? (v as never) : undefined);
  return {
    code: typeof parts.code === 'string' ? parts.code : 'internal',
    status: typeof parts.status === 'number' ? parts.status : undefined,
    messageKey: typeof parts.messageKey === 'string' ? parts.messageKey : undefined,
    params: object(parts.params),
    details: object(parts.details),
    message: e.message,
  };
}
