import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rest of the meetings issue: per-branch attendance rules, final attendance records of ended meetings,
 * in-app notifications, invite links and guests (their presence and chat beside the members'), and the series
 * of a repeating meeting. Generated, then reduced to the new tables and columns (the generator also drops the
 * hand-written foreign keys and checks it cannot see on the entities); foreign keys and checks added by hand.
 */
export class AttendanceNotificationsGuests1796151500375 implements MigrationInterface {
  name = 'AttendanceNotificationsGuests1796151500375';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "attendance_rule" (
      "unit_id" uuid NOT NULL REFERENCES "org_unit"("id") ON DELETE CASCADE,
      "late_after_minutes" double precision NOT NULL,
      "present_min_percent" double precision NOT NULL,
      "updated_by" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_d481be2c2b111780f9dd8a25823" PRIMARY KEY ("unit_id"),
      CONSTRAINT "ck_attendance_rule_values" CHECK ("late_after_minutes" BETWEEN 0 AND 1440
        AND "present_min_percent" BETWEEN 0 AND 100))`);

    await q.query(`CREATE TABLE "meeting_attendance" (
      "meeting_id" uuid NOT NULL REFERENCES "meeting"("id") ON DELETE CASCADE,
      "late_after_minutes" double precision NOT NULL,
      "present_min_percent" double precision NOT NULL,
      "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "cause" character varying(10) NOT NULL,
      CONSTRAINT "PK_2bf53a2dc49796d33484ed1fe5c" PRIMARY KEY ("meeting_id"),
      CONSTRAINT "ck_meeting_attendance_cause" CHECK ("cause" IN ('end', 'rules', 'leave', 'make_up')))`);
    await q.query(`CREATE TABLE "attendance_record" (
      "meeting_id" uuid NOT NULL REFERENCES "meeting_attendance"("meeting_id") ON DELETE CASCADE,
      "user_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "kind" character varying(10) NOT NULL,
      "position" integer NOT NULL,
      "first_join" TIMESTAMP WITH TIME ZONE,
      "last_leave" TIMESTAMP WITH TIME ZONE,
      "join_count" integer NOT NULL,
      "total_ms" bigint NOT NULL,
      "status" character varying(12) NOT NULL,
      "make_up_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_ad2c21270eaff8ac6ba0bb1551b" PRIMARY KEY ("meeting_id", "user_id"),
      CONSTRAINT "ck_attendance_record_kind" CHECK ("kind" IN ('expected', 'observer')),
      CONSTRAINT "ck_attendance_record_status" CHECK (
        "status" IN ('present', 'late', 'left_early', 'absent', 'excused', 'make_up')),
      CONSTRAINT "ck_attendance_record_counts" CHECK ("join_count" >= 0 AND "total_ms" >= 0
        AND ("join_count" = 0) = ("first_join" IS NULL) AND ("first_join" IS NULL) = ("last_leave" IS NULL)))`);
    await q.query(`CREATE INDEX "IDX_90b58ef3a89f5b43131d926591" ON "attendance_record" ("user_id")`);

    await q.query(`CREATE TABLE "notification" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "user_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE CASCADE,
      "kind" character varying(30) NOT NULL,
      "meeting_id" uuid REFERENCES "meeting"("id") ON DELETE CASCADE,
      "params" jsonb NOT NULL DEFAULT '{}',
      "dedupe_key" character varying(200),
      "read_at" TIMESTAMP WITH TIME ZONE,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_705b6c7cdf9b2c2ff7ac7872cb7" PRIMARY KEY ("id"),
      CONSTRAINT "ck_notification_params" CHECK (jsonb_typeof("params") = 'object'))`);
    await q.query(
      `CREATE INDEX "IDX_73bfce92922b5fdb3c378fc8b9" ON "notification" ("user_id", "created_at")`,
    );
    // One reminder per person, meeting and start: a second tick, a restart or a second process inserts nothing.
    await q.query(`CREATE UNIQUE INDEX "uq_notification_dedupe" ON "notification" ("user_id", "dedupe_key")
      WHERE "dedupe_key" IS NOT NULL`);
    // The unread count.
    await q.query(
      `CREATE INDEX "ix_notification_unread" ON "notification" ("user_id") WHERE "read_at" IS NULL`,
    );

    await q.query(`CREATE TABLE "meeting_invite" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "meeting_id" uuid NOT NULL REFERENCES "meeting"("id") ON DELETE CASCADE,
      "token_hash" character varying(64) NOT NULL,
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "revoked_at" TIMESTAMP WITH TIME ZONE,
      "revoked_by" uuid REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "created_by" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "UQ_dfcd2b92d7aa49025a9adaea2ea" UNIQUE ("token_hash"),
      CONSTRAINT "PK_caa5c6745cf420f53ae16d238b8" PRIMARY KEY ("id"),
      CONSTRAINT "ck_meeting_invite_revoked" CHECK (("revoked_at" IS NULL) = ("revoked_by" IS NULL)))`);
    await q.query(`CREATE INDEX "IDX_e4f54403a2673f220829cd3a8b" ON "meeting_invite" ("meeting_id")`);
    await q.query(`CREATE TABLE "meeting_guest" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "meeting_id" uuid NOT NULL REFERENCES "meeting"("id") ON DELETE CASCADE,
      "invite_id" uuid NOT NULL REFERENCES "meeting_invite"("id") ON DELETE CASCADE,
      "name" character varying(50) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_03c2a8db2f8e25f5f03ceb26d1b" PRIMARY KEY ("id"),
      CONSTRAINT "ck_meeting_guest_name" CHECK (length("name") > 0))`);
    await q.query(`CREATE INDEX "IDX_47d5bbc84937854bea19f78ddc" ON "meeting_guest" ("meeting_id")`);

    // A guest's presence and chat: exactly one of user_id and guest_id.
    for (const table of ['presence_segment', 'chat_message']) {
      await q.query(`ALTER TABLE "${table}"
        ADD "guest_id" uuid REFERENCES "meeting_guest"("id") ON DELETE CASCADE,
        ALTER COLUMN "user_id" DROP NOT NULL,
        ADD CONSTRAINT "ck_${table}_who" CHECK (("user_id" IS NULL) <> ("guest_id" IS NULL))`);
    }

    await q.query(`ALTER TABLE "meeting" ADD "series_id" uuid`);
    await q.query(`CREATE INDEX "ix_meeting_series" ON "meeting" ("series_id")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_meeting_series"`);
    await q.query(`ALTER TABLE "meeting" DROP COLUMN "series_id"`);
    for (const table of ['chat_message', 'presence_segment']) {
      await q.query(`DELETE FROM "${table}" WHERE "user_id" IS NULL`);
      await q.query(`ALTER TABLE "${table}" DROP CONSTRAINT "ck_${table}_who", DROP COLUMN "guest_id",
        ALTER COLUMN "user_id" SET NOT NULL`);
    }
    await q.query(`DROP TABLE "meeting_guest"`);
    await q.query(`DROP TABLE "meeting_invite"`);
    await q.query(`DROP TABLE "notification"`);
    await q.query(`DROP TABLE "attendance_record"`);
    await q.query(`DROP TABLE "meeting_attendance"`);
    await q.query(`DROP TABLE "attendance_rule"`);
  }
}
