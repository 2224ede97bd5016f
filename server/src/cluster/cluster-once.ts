import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { lockKey } from '../database/advisory-lock';

export type OnceResult<T> = { ran: true; value: T } | { ran: false };

/**
 * Jobs that must not run on two nodes at once (a tick of the reminder job, ending an emptied meeting): the
 * caller that gets the PostgreSQL advisory lock of the job's name runs it, every other caller at that moment
 * skips it (no waiting). The lock is transaction-scoped on a connection of its own, so it goes away with the
 * transaction however `fn` ends, and with the connection if the node dies. `fn` may write in that transaction
 * (its `em`) to make its effect commit together with the lock's release.
 *
 * This excludes concurrent runs across nodes; a job run again a moment later by another node must still be
 * idempotent (the reminders' dedupe key, the meeting's status check before ending it).
 */
@Injectable()
export class ClusterOnce {
  constructor(private readonly dataSource: DataSource) {}

  async runOnce<T>(lockName: string, fn: (em: EntityManager) => Promise<T>): Promise<OnceResult<T>> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      try {
        const [{ locked }] = (await runner.query('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [
          lockKey(lockName),
        ])) as { locked: boolean }[];
        if (!locked) {
          await runner.rollbackTransaction();
          return { ran: false };
        }
        const value = await fn(runner.manager);
        await runner.commitTransaction();
        return { ran: true, value };
      } catch (e) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw e;
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * A periodic job's tick that runs once per interval across the cluster, however many nodes tick: under the
   * job's lock, its `cluster_job` row says when it last ran anywhere, and a tick sooner than 80% of `intervalMs`
   * after that is skipped (the database's clock, so the nodes' clocks do not matter). The row is written in the
   * lock's transaction: a run that throws leaves it as it was, and the next tick, on any node, runs the job.
   */
  async runPerInterval<T>(
    lockName: string,
    intervalMs: number,
    fn: (em: EntityManager) => Promise<T>,
  ): Promise<OnceResult<T>> {
    const result = await this.runOnce(lockName, async (em): Promise<OnceResult<T>> => {
      const due: unknown[] = await em.query(
        `INSERT INTO cluster_job (name, last_run_at) VALUES ($1, now())
         ON CONFLICT (name) DO UPDATE SET last_run_at = now()
           WHERE cluster_job.last_run_at <= now() - make_interval(secs => $2)
         RETURNING name`,
        [lockName, (0.8 * intervalMs) / 1000],
      );
      return due.length > 0 ? { ran: true, value: await fn(em) } : { ran: false };
    });
    return result.ran ? result.value : result;
  }
}
