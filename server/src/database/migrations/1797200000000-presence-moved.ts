import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A presence segment may close as 'moved': its room moved to another node (the node stopped and handed the
 * meeting over, or lost it), and the node where the person takes their seat back opens the same segment again.
 */
export class PresenceMoved1797200000000 implements MigrationInterface {
  name = 'PresenceMoved1797200000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "presence_segment" DROP CONSTRAINT "ck_presence_segment_close_reason"`);
    await q.query(
      `ALTER TABLE "presence_segment" ADD CONSTRAINT "ck_presence_segment_close_reason" CHECK (
        "close_reason" IN ('left', 'disconnected', 'removed', 'ended', 'shutdown', 'crash', 'moved'))`,
    );
    // The latest segment of a seat (meeting, peer), which the node taking the seat back looks up.
    await q.query(
      `CREATE INDEX "ix_presence_segment_seat" ON "presence_segment" ("meeting_id", "peer_id", "opened_at")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_presence_segment_seat"`);
    await q.query(`UPDATE "presence_segment" SET "close_reason" = 'shutdown' WHERE "close_reason" = 'moved'`);
    await q.query(`ALTER TABLE "presence_segment" DROP CONSTRAINT "ck_presence_segment_close_reason"`);
    await q.query(
      `ALTER TABLE "presence_segment" ADD CONSTRAINT "ck_presence_segment_close_reason" CHECK (
        "close_reason" IN ('left', 'disconnected', 'removed', 'ended', 'shutdown', 'crash'))`,
    );
  }
}
