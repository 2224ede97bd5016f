import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { NODE_REGISTRY, type NodeRegistry } from '../cluster/cluster.types';
import { RoomEvents } from '../common/room-events';
import { APP_CONFIG, AppConfig } from '../config/config';
import type { MediaEvents } from '../media/media-events';
import { MediaService } from '../media/media.service';
import type { CloseReason } from './presence-segment.entity';
import { PresenceRepository } from './presence.repository';

/** A segment whose heartbeat has not moved for this many intervals belongs to a node that died. */
export const STALE_HEARTBEATS = 3;

/**
 * Writes presence segments from the media layer's events:
 * - opens one when the person is seated (peerJoined: the room gave them a seat over their live signalling
 *   connection), whether or not anyone publishes or their own media ever flows: a host alone, a lecturer before
 *   any listener, a member with camera and mic off in a silent room, a listener before anyone shares are there.
 *   (An earlier rule opened it only when the receive transport connected, which made a host alone absent.)
 * - media health beside it, as information only: `media_at` is stamped when a transport of the seat first
 *   connects (DTLS); a segment without it had no media at all ("no media for N minutes"), never absence;
 * - closes it when the peer leaves the room (leave, grace period over, removed, meeting ended, shutdown). A
 *   reconnect within the grace period keeps the same peer (seat), so the segment goes on; a dropped client that
 *   never returns is closed at the moment it dropped, not at the end of the grace period;
 * - a heartbeat: one UPDATE per PRESENCE_HEARTBEAT_SECONDS stamps last_heartbeat_at (app clock) on every open
 *   segment of this process;
 * - each segment names its node (NODE_ID). Several nodes share the database, so a node that dies leaves its
 *   segments open: at start-up a node closes only its own (a previous run with the same NODE_ID), and the reaper
 *   (`closeStale`, run by one node at a time) closes other nodes' segments whose heartbeat stopped more than
 *   STALE_HEARTBEATS intervals ago. Either way a segment closes at its last heartbeat with reason 'crash';
 * - a room that moves to another node (its node stops and hands it over) closes its segments as 'moved', and the
 *   node where each seat is taken back opens the same segment again: the member never left. The room asks,
 *   before it tells its people where to go, that these closes are stored (`segmentsStored` on the room bus).
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(PresenceService.name);
  /** Open segments by `meetingId/peerId`: the id once the INSERT is done (null if it failed). */
  private readonly open = new Map<string, Promise<string | null>>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly unsubscribe: (() => void)[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repo: PresenceRepository,
    private readonly media: MediaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(NODE_REGISTRY) private readonly nodes: NodeRegistry,
    private readonly bus: RoomEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    const closed = await this.repo.closeLeftoversOf(this.nodes.nodeId);
    if (closed > 0)
      this.log.warn(
        `closed ${closed} presence segment(s) this node (${this.nodes.nodeId}) left open by a crash`,
      );
    const ev = this.media.events;
    this.unsubscribe.push(
      ev.on('peerJoined', (e) => this.opened(e)),
      ev.on('transportConnected', (e) => this.mediaFlowed(e)),
      ev.on('peerLeft', (e) => this.left(e)),
      this.bus.answer('segmentsStored', () => this.settled()),
    );
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.heartbeat(), this.config.PRESENCE_HEARTBEAT_SECONDS * 1000);
    this.timer.unref();
  }

  /** Closes what is still open with reason 'shutdown' before the database connection goes. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.settled();
    const now = new Date();
    for (const [key, id] of this.open) {
      this.open.delete(key);
      this.track(id.then((segmentId) => (segmentId ? this.close(segmentId, now, 'shutdown') : undefined)));
    }
    await this.settled();
    for (const off of this.unsubscribe) off();
  }

  /** One UPDATE for every open segment of this process; returns how many it stamped. */
  async heartbeat(): Promise<number> {
    const ids = (await Promise.all(this.open.values())).filter((id): id is string => id !== null);
    if (ids.length === 0) return 0;
    try {
      return await this.repo.heartbeat(ids, new Date());
    } catch (e) {
      this.log.error(`presence heartbeat failed: ${String(e)}`);
      return 0;
    }
  }

  /**
   * Closes, at their last heartbeat, other nodes' open segments whose heartbeat stopped (STALE_HEARTBEATS
   * intervals ago): their node died. This node's own are alive as long as it runs. Returns how many.
   */
  async closeStale(now = new Date()): Promise<number> {
    const staleMs = STALE_HEARTBEATS * this.config.PRESENCE_HEARTBEAT_SECONDS * 1000;
    return this.repo.closeStale(this.nodes.nodeId, new Date(now.getTime() - staleMs));
  }

  /** Whether this node holds an open segment of the meeting (someone is seated in its room here). */
  holds(meetingId: string): boolean {
    for (const key of this.open.keys()) if (key.startsWith(`${meetingId}/`)) return true;
    return false;
  }

  /** Waits for every segment write started so far (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private opened(e: MediaEvents['peerJoined']): void {
    const key = `${e.meetingId}/${e.peerId}`;
    if (this.open.has(key)) return; // a reconnect (new transport) of a seat that never left
    const now = new Date();
    // The peer's person is a member (user_id) or a guest of this meeting (guest_id).
    const insert = this.repo
      .openSegment(e.meetingId, e.userId, e.peerId, now, this.nodes.nodeId)
      .catch((err: unknown) => {
        this.log.error(`presence segment of peer ${e.peerId} not opened: ${String(err)}`);
        return null;
      });
    this.open.set(key, insert);
    this.track(insert);
  }

  /** The seat's first transport connected: media can flow (stamped once per segment, information only). */
  private mediaFlowed(e: MediaEvents['transportConnected']): void {
    const id = this.open.get(`${e.meetingId}/${e.peerId}`);
    if (!id) return;
    const now = new Date();
    this.track(
      id.then(async (segmentId) => {
        if (!segmentId) return;
        try {
          await this.repo.stampMedia(segmentId, now);
        } catch (err) {
          this.log.error(`presence segment ${segmentId}: media not stamped: ${String(err)}`);
        }
      }),
    );
  }

  private left(e: MediaEvents['peerLeft']): void {
    const key = `${e.meetingId}/${e.peerId}`;
    const id = this.open.get(key);
    if (!id) return;
    this.open.delete(key);
    this.track(id.then((segmentId) => (segmentId ? this.close(segmentId, e.at, e.reason) : undefined)));
  }

  private async close(id: string, at: Date, reason: CloseReason): Promise<void> {
    try {
      await this.repo.closeSegment(id, at, reason, this.nodes.nodeId);
    } catch (e) {
      this.log.error(`presence segment ${id} not closed: ${String(e)}`);
    }
  }

  private track<T>(p: Promise<T>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}
