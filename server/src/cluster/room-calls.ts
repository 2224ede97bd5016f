import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCodes, type MessageKey, type RecordingState } from '@branchmeet/shared';
import type { Revocation } from '../auth/sessions.service';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MEETING_LEASES, NODE_REGISTRY, type MeetingLeases, type NodeRegistry } from './cluster.types';
import { ClusterRuntime } from './cluster.runtime';
import type { CallReply, CallRequest, WireError } from './redis-calls';

/**
 * What may be asked of, or done to, a meeting's live room from any node: per call its arguments and its
 * answer (JSON both ways). The room and the features beside it answer them where the room is live.
 */
export interface RoomCallMap {
  /** How many seats the live room has now (its grace-period seats too). */
  'room.count': { args: Record<string, never>; result: number };
  /** The users seated in the live room now (the votes' "in the room"). */
  'room.users': { args: Record<string, never>; result: string[] };
  /** The recording indicator of the meeting. */
  'recording.state': { args: Record<string, never>; result: RecordingState };
  /** Starts or stops the recording (the caller's node has checked the actor may). */
  'recording.control': { args: { action: 'start' | 'stop'; actorId: string }; result: RecordingState };
}
export type RoomCallName = keyof RoomCallMap;
type Handler<N extends RoomCallName> = (
  meetingId: string,
  args: RoomCallMap[N]['args'],
) => Promise<RoomCallMap[N]['result']> | RoomCallMap[N]['result'];

/** What every node is told, not one meeting's owner (RoomCalls.tellEveryNode): the payload per notice. */
export interface NodeNoticeMap {
  /** Someone's access ended or changed: their sockets close wherever they are (SessionsService). */
  'session.revoked': Revocation;
}
export type NodeNoticeName = keyof NodeNoticeMap;

/** How often a call follows a meeting that moved while it was on its way. */
const MAX_HOPS = 3;

const ownerUnavailable = () => new DomainError(ErrorCodes.unavailable, 503, 'rtc.ownerUnavailable');

/**
 * The one way REST handlers and socket requests reach a live room that another node may hold: `call` runs the
 * named handler on the node whose lease holds the meeting — here, when that is this node or nobody holds it (no
 * live room anywhere: this node's handler answers for a room that is not live), else on the owner through
 * Redis (RedisCallTransport). The caller's node has authorised the request before calling; the owner checks
 * that it still holds the meeting (else the caller follows the lease again) and re-validates the room's state.
 * An owner that cannot be reached (gone, not listening, or silent for CLUSTER_CALL_TIMEOUT_SECONDS) is a 503
 * `unavailable` ("the meeting is moving to another server"); the owner's DomainError comes back as it was
 * thrown. Without REDIS_URL every call is a direct call of the local handler.
 */
@Injectable()
export class RoomCalls {
  private readonly log = new Logger(RoomCalls.name);
  private readonly handlers: { [N in RoomCallName]?: Handler<N> } = {};
  private readonly noticeListeners = new Map<NodeNoticeName, Set<(payload: never) => void>>();

  constructor(
    private readonly runtime: ClusterRuntime,
    @Inject(MEETING_LEASES) private readonly leases: MeetingLeases,
    @Inject(NODE_REGISTRY) private readonly nodes: NodeRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    runtime.calls?.serveWith((req) => this.serve(req));
    runtime.calls?.onNotice((name, payload) => this.deliver(name as NodeNoticeName, payload as never));
  }

  /**
   * Tells every node, this one first (directly), the others over Redis (a node not listening at that moment
   * misses it). Without REDIS_URL only this node.
   */
  tellEveryNode<N extends NodeNoticeName>(name: N, payload: NodeNoticeMap[N]): void {
    this.deliver(name, payload);
    void this.runtime.calls
      ?.notify(name, payload)
      .catch((e: unknown) => this.log.warn(`telling the other nodes ${name}: ${String(e)}`));
  }

  onNotice<N extends NodeNoticeName>(name: N, listener: (payload: NodeNoticeMap[N]) => void): () => void {
    let set = this.noticeListeners.get(name);
    if (!set) this.noticeListeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  private deliver<N extends NodeNoticeName>(name: N, payload: NodeNoticeMap[N]): void {
    const set = this.noticeListeners.get(name) as Set<(payload: NodeNoticeMap[N]) => void> | undefined;
    for (const listener of [...(set ?? [])]) {
      try {
        listener(payload);
      } catch (e) {
        this.log.error(`a listener of ${name} failed: ${String(e)}`);
      }
    }
  }

  /** Registers the one handler of a call on this node; the returned function withdraws it. */
  handle<N extends RoomCallName>(name: N, handler: Handler<N>): () => void {
    if (this.handlers[name]) throw new Error(`${name} is handled twice`);
    Object.assign(this.handlers, { [name]: handler });
    return () => {
      if (this.handlers[name] === handler) delete this.handlers[name];
    };
  }

  /** Runs the call where the meeting's room is live (see the class). */
  async call<N extends RoomCallName>(
    meetingId: string,
    name: N,
    args: RoomCallMap[N]['args'],
  ): Promise<RoomCallMap[N]['result']> {
    const transport = this.runtime.calls;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const lease = transport ? await this.leases.whereIs(meetingId) : null;
      if (!transport || !lease || lease.nodeId === this.nodes.nodeId)
        return this.local(meetingId, name, args);
      const reply = await transport.request(
        lease.nodeId,
        { meetingId, name, args },
        this.config.CLUSTER_CALL_TIMEOUT_SECONDS * 1000,
      );
      if (reply === 'unreachable') throw ownerUnavailable();
      if ('moved' in reply) continue;
      if (reply.ok) return reply.data as RoomCallMap[N]['result'];
      throw fromWire(reply.error);
    }
    throw ownerUnavailable();
  }

  private async local<N extends RoomCallName>(
    meetingId: string,
    name: N,
    args: RoomCallMap[N]['args'],
  ): Promise<RoomCallMap[N]['result']> {
    const handler = this.handlers[name] as Handler<N> | undefined;
    if (!handler) throw new Error(`no handler for the room call ${name}`);
    return handler(meetingId, args);
  }

  /** A call from another node: answered here while this node holds the meeting (or nobody does). */
  private async serve(req: CallRequest): Promise<CallReply> {
    const lease = await this.leases.whereIs(req.meetingId);
    if (lease && lease.nodeId !== this.nodes.nodeId) return { moved: true };
    const name = req.name as RoomCallName;
    if (!(name in this.handlers))
      return { ok: false, error: { code: 'internal', status: 500, message: `unknown call ${req.name}` } };
    try {
      return { ok: true, data: await this.local(req.meetingId, name, req.args as never) };
    } catch (e) {
      if (!(e instanceof DomainError))
        this.log.error(`the room call ${name} for meeting ${req.meetingId} failed here: ${String(e)}`);
      return { ok: false, error: toWire(e) };
    }
  }
}

function toWire(e: unknown): WireError {
  if (e instanceof DomainError)
    return {
      code: e.code,
      status: e.status,
      messageKey: e.messageKey,
      params: e.params,
      details: e.details,
      message: e.message,
    };
  return { code: 'internal', status: 500, message: e instanceof Error ? e.message : String(e) };
}

function fromWire(e: WireError): Error {
  if (e.messageKey)
    return new DomainError(e.code, e.status, e.messageKey as MessageKey, e.params ?? {}, e.details);
  return new Error(`the node holding the meeting failed: ${e.message}`);
}
