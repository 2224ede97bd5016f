import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Presence segments: who was really in a meeting's media session and when (attendance is computed from them).
 * Generated, then reduced to the new table: the generator also drops the hand-written foreign keys and checks
 * it cannot see on the entities, and re-sets the meeting settings default (same JSON, other key order).
 */
export class PresenceSegments1795959730808 implements MigrationInterface {
  name = 'PresenceSegments1795959730808';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "presence_segment" (
      "id" BIGSERIAL NOT NULL,
      "meeting_id" uuid NOT NULL REFERENCES "meeting"("id") ON DELETE CASCADE,
      "user_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "peer_id" uuid NOT NULL,
      "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "closed_at" TIMESTAMP WITH TIME ZONE,
      "last_heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "close_reason" character varying(20),
      CONSTRAINT "PK_2874eeeb2e40d858e5da51cc59b" PRIMARY KEY ("id"),
      CONSTRAINT "ck_presence_segment_close_reason" CHECK (
        "close_reason" IN ('left', 'disconnected', 'removed', 'ended', 'shutdown', 'crash')),
      CONSTRAINT "ck_presence_segment_closed" CHECK (("closed_at" IS NULL) = ("close_reason" IS NULL)),
      CONSTRAINT "ck_presence_segment_order" CHECK ("closed_at" IS NULL OR "closed_at" >= "opened_at"))`);
    await q.query(
      `CREATE INDEX "IDX_dcc9bdb514a4da6a45f20a3fe2" ON "presence_segment" ("meeting_id", "user_id")`,
    );
    // Start-up closes whatever is still open: find those rows without a scan.
    await q.query(
      `CREATE INDEX "ix_presence_segment_open" ON "presence_segment" ("id") WHERE "closed_at" IS NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "presence_segment"`);
  }
}
