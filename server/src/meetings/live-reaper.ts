import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PresenceService, STALE_HEARTBEATS } from '../attendance/presence.service';
import { ClusterOnce } from '../cluster/cluster-once';
import { MEETING_LEASES, ROOM_MIRROR, type MeetingLeases, type RoomMirror } from '../cluster/cluster.types';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MeetingsService } from './meetings.service';
import { shortestWait, unattendedEndsAt } from './unattended-end';

/**
 * Cleans up after nodes that died, on a timer (every PRESENCE_HEARTBEAT_SECONDS), one node at a time across the
 * cluster (ClusterOnce). Nothing is done at start-up: a node starting ends no meeting and closes no other node's
 * segment, so a second node on the same database, or a restart after a crash, leaves the live meetings live.
 * 1. The open presence segments whose heartbeat stopped are closed at their last heartbeat
 *    (PresenceService.closeStale): a live node stamps its own every interval.
 * 2. A live meeting that nobody is seated in (no open segment) and that no node owns (no lease; no seat on this
 *    node) is ended at its last activity (its start, or its segments' last heartbeat or close), when
 *    `unattendedEndsAt` says: people were in it — MEETING_EMPTY_END_SECONDS after that, plus the few heartbeat
 *    intervals a dead node's segments take to be noticed, reason 'crash' (its room went with a node); nobody ever
 *    entered it — MEETING_UNENTERED_END_SECONDS after it went live and not before its planned end, reason
 *    'empty'. A room that empties on a live node ends earlier by its own timer; so a member who reconnects
 *    within that time after a crash finds the meeting live, and their join opens its room again on the node
 *    they reach. Its room's mirror (Redis) is dropped with it.
 */
@Injectable()
export class LiveReaper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(LiveReaper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly presence: PresenceService,
    private readonly meetings: MeetingsService,
    private readonly once: ClusterOnce,
    @Inject(MEETING_LEASES) private readonly leases: MeetingLeases,
    @Inject(ROOM_MIRROR) private readonly mirror: RoomMirror,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.PRESENCE_HEARTBEAT_SECONDS * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass (skipped while the previous one runs here, or while another node runs one). */
  tick(): Promise<void> {
    this.running ??= this.reap()
      .catch((e: unknown) => this.log.error(`reaper: ${String(e)}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async reap(): Promise<void> {
    await this.once.runOnce('live-reaper', async () => {
      const closed = await this.presence.closeStale();
      if (closed > 0) this.log.warn(`closed ${closed} presence segment(s) of a node that stopped`);
      const ended = await this.endUnowned();
      if (ended > 0) this.log.warn(`ended ${ended} meeting(s) that no node held any more`);
    });
  }

  private async endUnowned(now = new Date()): Promise<number> {
    const waits = {
      emptyMs:
        (this.config.MEETING_EMPTY_END_SECONDS + STALE_HEARTBEATS * this.config.PRESENCE_HEARTBEAT_SECONDS) *
        1000,
      unenteredMs: this.config.MEETING_UNENTERED_END_SECONDS * 1000,
    };
    let ended = 0;
    for (const m of await this.meetings.unattended(new Date(now.getTime() - shortestWait(waits)))) {
      if (unattendedEndsAt(m, waits) > now) continue;
      if (this.presence.holds(m.id) || (await this.leases.whereIs(m.id))) continue;
      if (await this.meetings.end(m.id, null, m.everSeated ? 'crash' : 'empty', m.lastActivity)) ended++;
      // Its room, if one was live on a node that died, is not coming back: nothing restores it any more.
      await this.mirror
        .dropUnowned(m.id)
        .catch((e: unknown) => this.log.warn(`dropping the mirror of ${m.id}: ${String(e)}`));
    }
    return ended;
  }
}
