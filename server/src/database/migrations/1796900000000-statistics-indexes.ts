import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Statistics read a unit's meetings by start (its own, and a party group's by group_id) over a period. Without
 * an index on group_id the `unit_id = ANY(…) OR group_id = ANY(…)` filter scanned the whole meeting table on
 * every statistics request; with these two the plan is a BitmapOr of index scans bounded by the period.
 */
export class StatisticsIndexes1796900000000 implements MigrationInterface {
  name = 'StatisticsIndexes1796900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_meeting_unit_started" ON "meeting" ("unit_id", "started_at")`);
    await q.query(
      `CREATE INDEX "ix_meeting_group_started" ON "meeting" ("group_id", "started_at") WHERE "group_id" IS NOT NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_meeting_group_started"`);
    await q.query(`DROP INDEX "ix_meeting_unit_started"`);
  }
}
