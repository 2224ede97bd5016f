import { MigrationInterface, QueryRunner } from 'typeorm';

/** Live meetings opened ad hoc from a branch page, and the chat of their rooms. */
export class LiveMeetings1795956832149 implements MigrationInterface {
  name = 'LiveMeetings1795956832149';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "meeting" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "unit_id" uuid NOT NULL REFERENCES "org_unit"("id") ON DELETE RESTRICT,
      "type" character varying(30) NOT NULL DEFAULT 'other',
      "title" character varying(100) NOT NULL,
      "host_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "status" character varying(10) NOT NULL,
      "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "ended_at" TIMESTAMP WITH TIME ZONE,
      "settings" jsonb NOT NULL DEFAULT '{"waitingRoom": false, "locked": false}',
      "created_by" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_dccaf9e4c0e39067d82ccc7bb83" PRIMARY KEY ("id"),
      CONSTRAINT "ck_meeting_status" CHECK ("status" IN ('live', 'ended')),
      CONSTRAINT "ck_meeting_ended_at" CHECK (("status" = 'ended') = ("ended_at" IS NOT NULL)),
      CONSTRAINT "ck_meeting_settings" CHECK (jsonb_typeof("settings") = 'object'))`);
    await q.query(`CREATE INDEX "IDX_82e866304f198c3f620e562631" ON "meeting" ("unit_id", "status")`);

    await q.query(`CREATE TABLE "chat_message" (
      "id" BIGSERIAL NOT NULL,
      "meeting_id" uuid NOT NULL REFERENCES "meeting"("id") ON DELETE CASCADE,
      "user_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT,
      "text" character varying(2000) NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_3cc0d85193aade457d3077dd06b" PRIMARY KEY ("id"),
      CONSTRAINT "ck_chat_message_text" CHECK (length("text") > 0))`);
    await q.query(`CREATE INDEX "IDX_2fe3ad33d0074ca3abb8e3aded" ON "chat_message" ("meeting_id", "id")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "chat_message"`);
    await q.query(`DROP TABLE "meeting"`);
  }
}
