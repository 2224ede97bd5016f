import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PresenceService } from '../attendance/presence.service';
import { ClusterOnce } from '../cluster/cluster-once';
import { APP_CONFIG, AppConfig } from '../config/config';

/**
 * Cleans up after nodes that died, on a timer (every PRESENCE_HEARTBEAT_SECONDS), one node at a time across the
 * cluster (ClusterOnce): the open presence segments whose heartbeat stopped are closed at their last heartbeat
 * (PresenceService.closeStale). A node starting up closes nothing of other nodes, and no live node's segment is
 * touched: a live node stamps its segments every interval.
 */
@Injectable()
export class LiveReaper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(LiveReaper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly presence: PresenceService,
    private readonly once: ClusterOnce,
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
    });
  }
}
