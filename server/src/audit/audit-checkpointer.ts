import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AuditService } from './audit.service';

/**
 * Writes a signed checkpoint of the chain's head every AUDIT_CHECKPOINT_SECONDS while it moves, and one at
 * shutdown. Events appended since the newest checkpoint are the only ones whose deletion goes unnoticed.
 */
@Injectable()
export class AuditCheckpointer implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private readonly log = new Logger('AuditCheckpointer');

  constructor(private readonly audit: AuditService) {}

  onApplicationBootstrap() {
    const seconds = this.audit.checkpointSeconds;
    if (!(seconds > 0)) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), seconds * 1000);
    this.timer.unref();
  }

  async beforeApplicationShutdown() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.audit.checkpoint().catch((e: unknown) => this.log.warn(`final checkpoint: ${String(e)}`));
  }

  onApplicationShutdown() {
    if (this.timer) clearInterval(this.timer);
  }

  private tick() {
    this.running = this.running
      .then(() => this.audit.checkpoint())
      .catch((e: unknown) => this.log.warn(`checkpoint: ${String(e)}`));
  }
}
