import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications beyond the tab (issue 15): the channels a branch switched on, each person's address, robot and
 * choice of events, and the outbox of deliveries (one per notification and channel), sent and retried by a job.
 */
export class NotificationChannels1796700000001 implements MigrationInterface {
  name = 'NotificationChannels1796700000001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "branch_channels" (
      "unit_id" uuid NOT NULL REFERENCES "org_unit"("id") ON DELETE CASCADE,
      "email" boolean NOT NULL DEFAULT false,
      "webhook" boolean NOT NULL DEFAULT false,
      "updated_by" uuid REFERENCES "app_user"("id") ON DELETE SET NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_branch_channels" PRIMARY KEY ("unit_id"))`);
    await q.query(`CREATE TABLE "notification_pref" (
      "user_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE CASCADE,
      "email" character varying(200),
      "webhook_kind" character varying(10),
      "webhook_url" character varying(500),
      "events" jsonb NOT NULL DEFAULT '{}',
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_notification_pref" PRIMARY KEY ("user_id"),
      CONSTRAINT "ck_notification_pref_webhook" CHECK (("webhook_kind" IS NULL) = ("webhook_url" IS NULL)
        AND ("webhook_kind" IS NULL OR "webhook_kind" IN ('wecom', 'dingtalk'))))`);
    await q.query(`CREATE TABLE "notification_delivery" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "notification_id" uuid NOT NULL REFERENCES "notification"("id") ON DELETE CASCADE,
      "channel" character varying(10) NOT NULL,
      "target" character varying(500) NOT NULL,
      "webhook_kind" character varying(10),
      "status" character varying(10) NOT NULL DEFAULT 'pending',
      "attempts" integer NOT NULL DEFAULT 0,
      "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "last_error" character varying(500),
      "sent_at" TIMESTAMP WITH TIME ZONE,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_notification_delivery" PRIMARY KEY ("id"),
      CONSTRAINT "ck_notification_delivery_channel" CHECK ("channel" IN ('email', 'webhook')),
      CONSTRAINT "ck_notification_delivery_status" CHECK ("status" IN ('pending', 'sent', 'failed')))`);
    await q.query(`CREATE INDEX "ix_notification_delivery_due" ON "notification_delivery" ("next_attempt_at")
      WHERE "status" = 'pending'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "notification_delivery"`);
    await q.query(`DROP TABLE "notification_pref"`);
    await q.query(`DROP TABLE "branch_channels"`);
  }
}
