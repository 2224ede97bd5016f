import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduled meetings of 三会一课: the schedule on `meeting`, expected attendees and observers, leave requests.
 * Generated, then reduced to the new tables and columns (the generator also drops the hand-written foreign keys
 * and checks it cannot see on the entities, and re-sets the meeting settings default); foreign keys and checks
 * added by hand, the status check widened to scheduled/cancelled.
 */
export class MeetingScheduling1795960580506 implements MigrationInterface {
  name = 'MeetingScheduling1795960580506';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "meeting" DROP CONSTRAINT "ck_meeting_status"`);
    await q.query(`ALTER TABLE "meeting" ADD CONSTRAINT "ck_meeting_status"
      CHECK ("status" IN ('scheduled', 'live', 'ended', 'cancelled'))`);
    await q.query(`ALTER TABLE "meeting"
      ADD "group_id" uuid REFERENCES "org_unit"("id") ON DELETE RESTRICT,
      ADD "scheduled_start" TIMESTAMP WITH TIME ZONE,
      ADD "scheduled_end" TIMESTAMP WITH TIME ZONE,
      ADD "recorder_id" uuid REFERENCES "app_user"("id") ON DELETE RESTRICT,
      ADD "lecturer_id" uuid REFERENCES "app_user"("id") ON DELETE RESTRICT,
      ADD "agenda" jsonb NOT NULL DEFAULT '[]',
      ADD CONSTRAINT "ck_meeting_type" CHECK ("type" IN ('branch_assembly', 'committee_meeting', 'group_meeting',
        'lecture', 'theme_day', 'life_meeting', 'other')),
      ADD CONSTRAINT "ck_meeting_schedule" CHECK (("scheduled_start" IS NULL) = ("scheduled_end" IS NULL)
        AND ("scheduled_end" IS NULL OR "scheduled_end" > "scheduled_start")),
      ADD CONSTRAINT "ck_meeting_scheduled_has_start" CHECK ("status" <> 'scheduled' OR "scheduled_start" IS NOT NULL),
      ADD CONSTRAINT "ck_meeting_agenda" CHECK (jsonb_typeof("agenda") = 'array')`);
    // The calendar: a branch's meetings by planned start.
    await q.query(
      `CREATE INDEX "ix_meeting_unit_scheduled_start" ON "meeting" ("unit_id", "scheduled_start")`,
    );

    await q.query(`CREATE TABLE "meeting_attendee" (
      "meeting_id" uuid NOT NULL REFERENCES "meeting"("id") ON DELETE CASCADE,
      "user_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "kind" character varying(10) NOT NULL,
      CONSTRAINT "PK_a7e75fbdbab9c0a26480d6bdeca" PRIMARY KEY ("meeting_id", "user_id"),
      CONSTRAINT "ck_meeting_attendee_kind" CHECK ("kind" IN ('expected', 'observer')))`);
    await q.query(`CREATE INDEX "IDX_957ef8618ca00125e7ef3d0005" ON "meeting_attendee" ("user_id")`);

    await q.query(`CREATE TABLE "leave_request" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "meeting_id" uuid NOT NULL REFERENCES "meeting"("id") ON DELETE CASCADE,
      "user_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "reason" character varying(500) NOT NULL,
      "status" character varying(10) NOT NULL DEFAULT 'pending',
      "decided_by" uuid REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "decided_at" TIMESTAMP WITH TIME ZONE,
      "decision_note" character varying(500),
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_6f6ed3822203a4e10a5753368db" PRIMARY KEY ("id"),
      CONSTRAINT "ck_leave_request_status" CHECK ("status" IN ('pending', 'approved', 'rejected')),
      CONSTRAINT "ck_leave_request_decided" CHECK (("status" = 'pending') = ("decided_at" IS NULL)
        AND ("decided_at" IS NULL) = ("decided_by" IS NULL)),
      CONSTRAINT "ck_leave_request_reason" CHECK (length("reason") > 0))`);
    await q.query(
      `CREATE INDEX "IDX_0dfca3c1013c43b62445218142" ON "leave_request" ("meeting_id", "user_id")`,
    );
    // At most one open (pending or approved) request per member and meeting.
    await q.query(`CREATE UNIQUE INDEX "uq_leave_request_open" ON "leave_request" ("meeting_id", "user_id")
      WHERE "status" IN ('pending', 'approved')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "leave_request"`);
    await q.query(`DROP TABLE "meeting_attendee"`);
    await q.query(`DROP INDEX "ix_meeting_unit_scheduled_start"`);
    await q.query(`ALTER TABLE "meeting"
      DROP CONSTRAINT "ck_meeting_agenda", DROP CONSTRAINT "ck_meeting_scheduled_has_start",
      DROP CONSTRAINT "ck_meeting_schedule", DROP CONSTRAINT "ck_meeting_type",
      DROP COLUMN "agenda", DROP COLUMN "lecturer_id", DROP COLUMN "recorder_id",
      DROP COLUMN "scheduled_end", DROP COLUMN "scheduled_start", DROP COLUMN "group_id"`);
    await q.query(`DELETE FROM "meeting" WHERE "status" IN ('scheduled', 'cancelled')`);
    await q.query(`ALTER TABLE "meeting" DROP CONSTRAINT "ck_meeting_status"`);
    await q.query(
      `ALTER TABLE "meeting" ADD CONSTRAINT "ck_meeting_status" CHECK ("status" IN ('live', 'ended'))`,
    );
  }
}
