import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several nodes on one database: a presence segment names the node that holds its seat (`node_id`; null for
 * segments written before this), so a starting node closes only its own leftovers, and a reaper closes the open
 * segments whose heartbeat stopped (found by the index on the open ones' heartbeats).
 */
export class PresenceSegmentNode1797100000000 implements MigrationInterface {
  name = 'PresenceSegmentNode1797100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "presence_segment" ADD "node_id" character varying(64)`);
    await q.query(
      `CREATE INDEX "ix_presence_segment_open_heartbeat" ON "presence_segment" ("last_heartbeat_at")
       WHERE "closed_at" IS NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_presence_segment_open_heartbeat"`);
    await q.query(`ALTER TABLE "presence_segment" DROP COLUMN "node_id"`);
  }
}
