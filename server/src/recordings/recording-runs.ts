import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { ClusterOnce } from '../cluster/cluster-once';
import { NODE_REGISTRY, type NodeRegistry } from '../cluster/cluster.types';
import { RoomEvents } from '../common/room-events';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MediaService } from '../media/media.service';
import { LiveRecordings } from './live-recordings';
import type { RecordingRunEnd } from './recording.entity';
import { RecordingsRepository } from './recordings.repository';

/** A run that ended so goes on as the next part where the room opens next (the meeting was not over). */
const RESUMED_AFTER: ReadonlySet<RecordingRunEnd> = new Set(['moved', 'shutdown', 'crash']);
/**
 * How long after the lecturer's last new producer the next part starts: a client coming back publishes its
 * microphone and its camera one after the other, and a recording takes the kinds present at its start.
 */
export const RESUME_SETTLE_MS = 1500;

/**
 * A recording does not stop silently when its room moves to another node. The node that loses the room stops
 * its part and stores it (LiveRecordings, `room.closed` with `moved`); the node the room opens on next finds the
 * meeting's last run ended by `moved`, `shutdown` or `crash` (or still open on a node that is gone: closed now
 * as `crash`) and starts the next part as soon as the lecturer's media is there again — what a secretary who
 * started the recording expects, rather than finding the rest of the lecture missing. Until then the room shows
 * "not recording", so the host sees the gap; a stop by the host, or the meeting's end, ends the wish.
 *
 * Runs left open by a node that died: this node's own leftovers (a previous life under the same NODE_ID) are
 * closed at start-up, other nodes' by a periodic pass (every PRESENCE_HEARTBEAT_SECONDS, one node at a time) once
 * their node has left the registry; both as `crash`, at the time they are found. The part such a run recorded is
 * then recovered from the file its ffmpeg left (LiveRecordings.recover) by a node that can read it: the node
 * itself when it comes back, or any node when the recordings directory is shared (docker-compose's volume).
 */
@Injectable()
export class RecordingRuns implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(RecordingRuns.name);
  /** Meetings whose recording is to go on here as this part, started by whom. */
  private readonly wanted = new Map<string, { part: number; startedBy: string | null }>();
  private readonly settleTimers = new Map<string, NodeJS.Timeout>();
  private readonly off: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  private reaping?: Promise<void>;

  constructor(
    private readonly repo: RecordingsRepository,
    private readonly live: LiveRecordings,
    private readonly bus: RoomEvents,
    private readonly media: MediaService,
    private readonly once: ClusterOnce,
    @Inject(NODE_REGISTRY) private readonly nodes: NodeRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const closed = await this.repo.closeRunsOfDeadNodes({ nodeId: this.nodes.nodeId });
    if (closed.length > 0)
      this.log.warn(`closed ${closed.length} recording run(s) this node (${this.nodes.nodeId}) left open`);
    this.off.push(
      this.bus.on('room.opened', (e) => void this.opened(e.meetingId)),
      this.bus.on('room.closed', (e) => this.forget(e.meetingId)),
      this.media.events.on('producerAdded', (e) => this.settleThenTry(e.meetingId)),
    );
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.reap(), this.config.PRESENCE_HEARTBEAT_SECONDS * 1000);
    this.timer.unref();
    void this.reap(); // what this node left in a previous life is recovered now, not a heartbeat later
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    for (const off of this.off.splice(0)) off();
    for (const id of [...this.wanted.keys()]) this.forget(id);
    await this.reaping;
  }

  /** Whether the next part of the meeting's recording waits for the lecturer's media here (tests). */
  waiting(meetingId: string): boolean {
    return this.wanted.has(meetingId);
  }

  /**
   * One pass over the runs of nodes that are gone (skipped while another node runs one), then over the runs
   * closed as `crash` whose part can be recovered from the file they left (any node that can read the file; one
   * takes each on).
   */
  reap(): Promise<void> {
    this.reaping ??= this.once
      .runOnce('recording-runs', async () => {
        const live = (await this.nodes.list()).map((n) => n.id);
        const closed = await this.repo.closeRunsOfDeadNodes({ liveNodeIds: live });
        if (closed.length > 0)
          this.log.warn(`closed ${closed.length} recording run(s) of nodes that stopped`);
      })
      .then(() => this.recoverCrashed())
      .catch((e: unknown) => this.log.error(`recording runs: ${String(e)}`))
      .finally(() => (this.reaping = undefined));
    return this.reaping;
  }

  private async recoverCrashed(): Promise<void> {
    for (const run of await this.repo.crashedRuns()) await this.live.recover(run);
  }

  /** The room opened here: a recording its previous node was making goes on as the next part. */
  private async opened(meetingId: string): Promise<void> {
    try {
      const last = await this.repo.lastRun(meetingId);
      if (!last) return;
      if (last.endedAt === null) {
        if (last.nodeId === this.nodes.nodeId) return; // running here already
        // Still open: its node is finishing it (it lost the room a moment ago), or it died with it.
        const alive = (await this.nodes.list()).some((n) => n.id === last.nodeId);
        if (
          !alive &&
          (await this.repo.closeRun(this.repo.manager, last.id, { at: new Date(), reason: 'crash' }))
        )
          this.log.warn(`meeting ${meetingId}: closed the recording run node ${last.nodeId} left open`);
      } else if (!last.endReason || !RESUMED_AFTER.has(last.endReason)) return;
      this.wanted.set(meetingId, { part: last.part + 1, startedBy: last.startedBy });
      this.log.log(
        `meeting ${meetingId}: its recording goes on here (part ${last.part + 1}) once there is media`,
      );
      this.settleThenTry(meetingId);
    } catch (e) {
      this.log.error(`meeting ${meetingId}: resuming its recording: ${String(e)}`);
    }
  }

  private settleThenTry(meetingId: string): void {
    if (!this.wanted.has(meetingId)) return;
    clearTimeout(this.settleTimers.get(meetingId));
    const timer = setTimeout(() => {
      if (this.settleTimers.get(meetingId) === timer) this.settleTimers.delete(meetingId);
      void this.attempt(meetingId);
    }, RESUME_SETTLE_MS);
    this.settleTimers.set(meetingId, timer);
  }

  private async attempt(meetingId: string): Promise<void> {
    const want = this.wanted.get(meetingId);
    if (!want) return;
    try {
      const result = await this.live.resume(meetingId, want.part, want.startedBy);
      if (result === 'waiting' || this.wanted.get(meetingId) !== want) return;
      this.wanted.delete(meetingId);
      if (result === 'started') this.log.log(`meeting ${meetingId}: recording part ${want.part} started`);
    } catch (e) {
      if (this.wanted.get(meetingId) === want) this.wanted.delete(meetingId);
      this.log.error(`meeting ${meetingId}: recording part ${want.part} did not start: ${String(e)}`);
    }
  }

  private forget(meetingId: string): void {
    this.wanted.delete(meetingId);
    clearTimeout(this.settleTimers.get(meetingId));
    this.settleTimers.delete(meetingId);
  }
}
