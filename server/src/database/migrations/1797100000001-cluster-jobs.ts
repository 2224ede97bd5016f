import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each periodic job last ran anywhere in the cluster (ClusterOnce.runPerInterval): a node whose tick comes
 * sooner than the interval after that skips it, so with several nodes a job still runs once per interval.
 */
export class ClusterJobs1797100000001 implements MigrationInterface {
  name = 'ClusterJobs1797100000001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "cluster_job" ("name" character varying(100) NOT NULL,
         "last_run_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_cluster_job" PRIMARY KEY ("name"))`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "cluster_job"`);
  }
}
