import { Injectable } from '@nestjs/common';
import type { NotificationKind, NotificationParams, WebhookKind } from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';

/** How many queued sends one claim takes. */
export const DELIVERY_BATCH = 20;

/** A delivery claimed for sending, with the notification it carries. */
export interface ClaimedDelivery {
  id: string;
  channel: 'email' | 'webhook';
  target: string;
  webhook_kind: WebhookKind | null;
  attempts: number;
  kind: NotificationKind;
  meeting_id: string | null;
  params: NotificationParams;
}

/** The SQL of the notifications outbox (notification_delivery): queue, claim, and settle each send. */
@Injectable()
export class DeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Queues one delivery per notification and channel that the meeting's branch switched on and the person chose
   * and set up (in the transaction that stores the notifications). Returns how many.
   */
  async enqueue(em: EntityManager, notificationIds: string[]): Promise<number> {
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

  /**
   * Claims up to DELIVERY_BATCH due deliveries for `leaseSeconds`: counts the attempt and pushes the next one past
   * the lease. FOR UPDATE SKIP LOCKED gives processes that claim together disjoint batches.
   */
  async claimDue(leaseSeconds: number): Promise<ClaimedDelivery[]> {
    // An UPDATE … RETURNING answers [rows, count] through TypeORM.
    const [claimed]: [ClaimedDelivery[], number] = await this.dataSource.query(
      `WITH due AS (
         SELECT id FROM notification_delivery WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT ${DELIVERY_BATCH} FOR UPDATE SKIP LOCKED)
       UPDATE notification_delivery d
       SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $1)
       FROM due, notification n
       WHERE d.id = due.id AND n.id = d.notification_id
       RETURNING d.id, d.channel, d.target, d.webhook_kind, d.attempts, n.kind, n.meeting_id, n.params`,
      [leaseSeconds],
    );
    return claimed;
  }

  async markSent(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification_delivery SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = $1`,
      [id],
    );
  }

  /** Records a failed send: retried after `retryInSeconds` while `pending`, given up when `failed`. */
  async markFailed(
    id: string,
    status: 'pending' | 'failed',
    error: string,
    retryInSeconds: number,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification_delivery SET status = $2, last_error = $3,
           next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1`,
      [id, status, error, retryInSeconds],
    );
  }
}
