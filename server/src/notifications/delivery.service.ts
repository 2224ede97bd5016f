import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { NotificationKind, NotificationParams, WebhookKind } from '@branchmeet/shared';
import { createTransport, type Transporter } from 'nodemailer';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { channelMessage, dingtalkBody, emailText, wecomBody } from './channel-message';

/** How many queued sends one pass claims. */
const BATCH = 20;

interface Claimed {
  id: string;
  channel: 'email' | 'webhook';
  target: string;
  webhook_kind: WebhookKind | null;
  attempts: number;
  kind: NotificationKind;
  meeting_id: string | null;
  params: NotificationParams;
}

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
    private readonly dataSource: DataSource,
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
    const rows: unknown[] = await em.query(
      `INSERT INTO notification_delivery (notification_id, channel, target, webhook_kind)
       SELECT n.id, c.channel, c.target, c.webhook_kind
       FROM notification n
         JOIN meeting m ON m.id = n.meeting_id
         JOIN org_unit u ON u.id = m.unit_id
         JOIN branch_channels b ON b.unit_id = CASE WHEN u.type = 'group' THEN u.parent_id ELSE u.id END
         JOIN notification_pref p ON p.user_id = n.user_id
         CROSS JOIN LATERAL (VALUES ('email', p.email, NULL::varchar, b.email),
                                    ('webhook', p.webhook_url, p.webhook_kind, b.webhook))
           AS c(channel, target, webhook_kind, enabled)
       WHERE n.id = ANY($1::uuid[]) AND c.enabled AND c.target IS NOT NULL
         AND (NOT (p.events ? n.kind) OR (p.events -> n.kind) ? c.channel)
       RETURNING id`,
      [notificationIds],
    );
    return rows.length;
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
          while ((await this.pass()) === BATCH);
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
    // An UPDATE … RETURNING answers [rows, count] through TypeORM.
    const [claimed]: [Claimed[], number] = await this.dataSource.query(
      `WITH due AS (
         SELECT id FROM notification_delivery WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
       UPDATE notification_delivery d
       SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $1)
       FROM due, notification n
       WHERE d.id = due.id AND n.id = d.notification_id
       RETURNING d.id, d.channel, d.target, d.webhook_kind, d.attempts, n.kind, n.meeting_id, n.params`,
      [lease],
    );
    await Promise.all(claimed.map((c) => this.deliver(c)));
    return claimed.length;
  }

  private async deliver(c: Claimed): Promise<void> {
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
      await this.dataSource.query(
        `UPDATE notification_delivery SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = $1`,
        [c.id],
      );
    } catch (e) {
      const error = String(e instanceof Error ? e.message : e).slice(0, 500);
      const last = c.attempts >= this.config.NOTIFY_MAX_ATTEMPTS;
      const wait = this.config.NOTIFY_RETRY_BASE_SECONDS * 2 ** (c.attempts - 1);
      await this.dataSource.query(
        `UPDATE notification_delivery SET status = $2, last_error = $3,
           next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1`,
        [c.id, last ? 'failed' : 'pending', error, wait],
      );
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
