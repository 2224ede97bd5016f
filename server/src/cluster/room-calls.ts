import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCodes, type MessageKey, type RecordingState } from '@branchmeet/shared';
import type { Revocation } from '../auth/sessions.service';
import { DomainError } from '../common/domain-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MEETING_LEASES, NODE_REGISTRY, type MeetingLeases, type NodeRegistry } from './cluster.types';
import { ClusterRuntime } from './cluster.runtime';
import { NodeRequestError } from './node-channel';

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

/** A call as it crosses the node channel, and its answer (`moved`: the node no longer holds the meeting). */
interface CallRequest {
  meetingId: string;
  name: string;
  args: unknown;
}
type CallReply = { data: unknown } | { moved: true };
/** The node channel's topic of the room calls. */
const TOPIC = 'room.call';

/** How often a call follows a meeting that moved while it was on its way. */
const MAX_HOPS = 3;

const ownerUnavailable = () => new DomainError(ErrorCodes.unavailable, 503, 'rtc.ownerUnavailable');

/**
 * The one way REST handlers and socket requests reach a live room that another node may hold: `call` runs the
 * named handler on the node whose lease holds the meeting — here, when that is this node or nobody holds it (no
 * live room anywhere: this node's handler answers for a room that is not live), else on the owner through
 * the node channel (node-channel.ts). The caller's node has authorised the request before calling; the owner checks
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
    runtime.channel?.serve(TOPIC, (req) => this.serve(req as CallRequest));
  }

  /**
   * Tells every node, this one first (directly), the others over Redis (a node not listening at that moment
   * misses it). Without REDIS_URL only this node.
   */
  tellEveryNode<N extends NodeNoticeName>(name: N, payload: NodeNoticeMap[N]): void {
    this.deliver(name, payload);
    void this.runtime.channel
      ?.tellEveryNode(name, payload)
      .catch((e: unknown) => this.log.warn(`telling the other nodes ${name}: ${String(e)}`));
  }

  onNotice<N extends NodeNoticeName>(name: N, listener: (payload: NodeNoticeMap[N]) => void): () => void {
    let set = this.noticeListeners.get(name);
    if (!set) {
      this.noticeListeners.set(name, (set = new Set()));
      this.runtime.channel?.onNotice(name, (payload) => this.deliver(name, payload as NodeNoticeMap[N]));
    }
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
    const channel = this.runtime.channel;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const lease = channel ? await this.leases.whereIs(meetingId) : null;
      if (!channel || !lease || lease.nodeId === this.nodes.nodeId) return this.local(meetingId, name, args);
      const request: CallRequest = { meetingId, name, args };
      const reply = (await channel
        .request(lease.nodeId, TOPIC, request, this.config.CLUSTER_CALL_TIMEOUT_SECONDS * 1000)
        .catch((e: unknown) => {
          throw e instanceof NodeRequestError ? fromWire(e) : e;
        })) as CallReply;
      if ('moved' in reply) continue;
      return reply.data as RoomCallMap[N]['result'];
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
    if (!(name in this.handlers)) throw new Error(`unknown call ${req.name}`);
    try {
      return { data: await this.local(req.meetingId, name, req.args as never) };
    } catch (e) {
      if (!(e instanceof DomainError)) {
        this.log.error(`the room call ${name} for meeting ${req.meetingId} failed here: ${String(e)}`);
        // Only a DomainError's parts cross: anything else is a 500 on the caller's node, its message for the log.
        throw new Error(e instanceof Error ? e.message : String(e));
      }
      throw e;
    }
  }
}

/** An owner gone, silent, or not serving calls yet is a 503; its DomainError comes back as it was thrown. */
function fromWire({ reason, wire }: NodeRequestError): Error {
  if (reason !== 'failed' || wire.code === 'unserved') return ownerUnavailable();
  if (wire.messageKey)
    return new DomainError(
      wire.code,
      wire.status ?? 500,
      wire.messageKey as MessageKey,
      wire.params ?? {},
      wire.details,
    );
  return new Error(`the node holding the meeting failed: ${wire.message}`);
}
