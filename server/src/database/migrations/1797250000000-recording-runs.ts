import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A row per recorder run, written when it starts and closed with a reason when it ends: a node that dies while
 * recording leaves an open run that another node closes (`crash`), and a room that moves while recorded goes on
 * as the next part on its new node.
 */
export class RecordingRuns1797250000000 implements MigrationInterface {
  name = 'RecordingRuns1797250000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "recording_run" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "meeting_id" uuid NOT NULL REFERENCES "meeting"("id") ON DELETE CASCADE,
      "unit_id" uuid NOT NULL REFERENCES "org_unit"("id") ON DELETE RESTRICT,
      "node_id" character varying(64) NOT NULL,
      "part" integer NOT NULL,
      "started_by" uuid REFERENCES "app_user"("id") ON DELETE SET NULL,
      "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "ended_at" TIMESTAMP WITH TIME ZONE,
      "end_reason" character varying(20),
      "recording_id" uuid REFERENCES "recording"("id") ON DELETE SET NULL,
      CONSTRAINT "PK_recording_run" PRIMARY KEY ("id"),
      CONSTRAINT "ck_recording_run_end" CHECK (
        ("ended_at" IS NULL AND "end_reason" IS NULL) OR
        ("ended_at" IS NOT NULL AND "end_reason" IN ('stopped', 'ended', 'moved', 'shutdown', 'crash'))))`);
    await q.query(`CREATE INDEX "IDX_recording_run_meeting" ON "recording_run" ("meeting_id")`);
    await q.query(
      `CREATE INDEX "ix_recording_run_open" ON "recording_run" ("node_id") WHERE "ended_at" IS NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "recording_run"`);
  }
}
