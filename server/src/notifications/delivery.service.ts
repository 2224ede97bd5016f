import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { channelMessage, dingtalkBody, emailText, wecomBody } from './channel-message';
import { DELIVERY_BATCH, DeliveryRepository, type ClaimedDelivery } from './delivery.repository';

/**
 * The outbox of notifications beyond the tab. `enqueue` (in the transaction that stores the notifications) adds
 * one delivery per notification and channel that the meeting's branch switched on and the person chose and set
 * up; a job sends them after the commit — at once when kicked, else every NOTIFY_TICK_SECONDS — claiming each
 * with a lease (two processes never send one twice at a time), and retries a failure after
 * NOTIFY_RETRY_BASE_SECONDS × 2^(attempt−1), up to NOTIFY_MAX_ATTEMPTS. Nothing here runs in a request.
 * Every node runs the job: the claim (FOR UPDATE SKIP LOCKED, then the lease) gives nodes that tick together
 * disjoint batches, so each delivery is sent by one node, and the sending is shared rather than serialised.
 */
@Injectable()
export class DeliveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(DeliveryService.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private again = false;
  private busy = false;
  private mailer?: Transporter;

  constructor(
    private readonly deliveries: DeliveryRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.config.NOTIFY_TICK_SECONDS * 1000);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    this.mailer?.close();
  }

  /** Queues the external sends of just-stored notifications (in their transaction). Returns how many. */
  async enqueue(em: EntityManager, notificationIds: string[]): Promise<number> {
    if (notificationIds.length === 0) return 0;
    return this.deliveries.enqueue(em, notificationIds);
  }

  /** Sends what is due, soon, off the caller's path; a pass already running makes one more pass after it. */
  kick(): void {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while ((await this.pass()) === DELIVERY_BATCH);
        } while (this.again);
      } catch (e) {
        this.log.error(`notification sending failed: ${String(e)}`);
      } finally {
        this.busy = false;
      }
    })();
  }

  /** Resolves once the pass in progress has finished (tests). */
  async settled(): Promise<void> {
    await this.running;
  }

  /** Claims and sends one batch of due deliveries; returns how many it claimed. */
  private async pass(): Promise<number> {
    const lease = this.config.NOTIFY_SEND_TIMEOUT_SECONDS * 2;
    const claimed = await this.deliveries.claimDue(lease);
    await Promise.all(claimed.map((c) => this.deliver(c)));
    return claimed.length;
  }

  private async deliver(c: ClaimedDelivery): Promise<void> {
    try {
      const message = channelMessage(c.kind, c.meeting_id, c.params, this.config.PUBLIC_URL);
      if (c.channel === 'email') {
        const mailer = this.transport();
        if (!mailer) throw new Error('SMTP_URL is not set');
        await mailer.sendMail({
          from: this.config.MAIL_FROM,
          to: c.target,
          subject: message.subject,
          text: emailText(message),
          textEncoding: 'base64',
        });
      } else {
        // Checked again at send time: the allowed hosts may have changed since the person saved the URL.
        if (!this.config.NOTIFY_WEBHOOK_HOSTS.includes(new URL(c.target).hostname.toLowerCase()))
          throw new Error(`robot host not allowed (NOTIFY_WEBHOOK_HOSTS): ${new URL(c.target).hostname}`);
        const body = c.webhook_kind === 'dingtalk' ? dingtalkBody(message) : wecomBody(message);
        const res = await fetch(c.target, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.config.NOTIFY_SEND_TIMEOUT_SECONDS * 1000),
        });
        const answer = (await res.json().catch(() => null)) as { errcode?: number; errmsg?: string } | null;
        // Both robots answer 200 with `errcode` 0 when the message was taken.
        if (!res.ok || (answer?.errcode !== undefined && answer.errcode !== 0))
          throw new Error(`HTTP ${res.status} ${answer?.errmsg ?? ''}`.trim());
      }
      await this.deliveries.markSent(c.id);
    } catch (e) {
      const error = String(e instanceof Error ? e.message : e).slice(0, 500);
      const last = c.attempts >= this.config.NOTIFY_MAX_ATTEMPTS;
      const wait = this.config.NOTIFY_RETRY_BASE_SECONDS * 2 ** (c.attempts - 1);
      await this.deliveries.markFailed(c.id, last ? 'failed' : 'pending', error, wait);
      this.log.warn(`${c.channel} notification ${c.id} failed (attempt ${c.attempts}): ${error}`);
      // A retry sooner than the next tick gets a timer of its own.
      if (!last && wait < this.config.NOTIFY_TICK_SECONDS)
        setTimeout(() => this.timer && this.kick(), wait * 1000 + 20).unref();
    }
  }

  private transport(): Transporter | undefined {
    if (!this.config.SMTP_URL) return undefined;
    this.mailer ??= createTransport(this.config.SMTP_URL, {
      connectionTimeout: this.config.NOTIFY_SEND_TIMEOUT_SECONDS * 1000,
      socketTimeout: this.config.NOTIFY_SEND_TIMEOUT_SECONDS * 1000,
    } as never);
    return this.mailer;
  }
}
