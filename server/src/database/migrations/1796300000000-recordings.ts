import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recordings of lectures (issue 6): one row per recorded file (in the local directory or an S3 bucket), and what
 * each person has watched of it (the spans of its timeline credited from progress reports).
 */
export class Recordings1796300000000 implements MigrationInterface {
  name = 'Recordings1796300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "recording" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "meeting_id" uuid NOT NULL REFERENCES "meeting"("id") ON DELETE CASCADE,
      "unit_id" uuid NOT NULL REFERENCES "org_unit"("id") ON DELETE RESTRICT,
      "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "ended_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "duration_ms" integer NOT NULL,
      "size_bytes" bigint NOT NULL,
      "mime_type" character varying(60) NOT NULL,
      "storage" character varying(10) NOT NULL,
      "storage_key" character varying(300) NOT NULL,
      "created_by" uuid REFERENCES "app_user"("id") ON DELETE SET NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_recording" PRIMARY KEY ("id"),
      CONSTRAINT "ck_recording_storage" CHECK ("storage" IN ('local', 's3')),
      CONSTRAINT "ck_recording_sizes" CHECK ("duration_ms" >= 0 AND "size_bytes" >= 0))`);
    await q.query(`CREATE INDEX "ix_recording_meeting" ON "recording" ("meeting_id")`);
    await q.query(`CREATE TABLE "recording_watch" (
      "recording_id" uuid NOT NULL REFERENCES "recording"("id") ON DELETE CASCADE,
      "user_id" uuid NOT NULL REFERENCES "app_user"("id") ON DELETE CASCADE,
      "spans" jsonb NOT NULL DEFAULT '[]',
      "last_position" double precision NOT NULL,
      "last_playing" boolean NOT NULL,
      "last_report_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_recording_watch" PRIMARY KEY ("recording_id", "user_id"))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "recording_watch"`);
    await q.query(`DROP TABLE "recording"`);
  }
}
