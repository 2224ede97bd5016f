/**
 * ClusterOnce on a real PostgreSQL: callers on different connection pools (as different nodes) racing for one
 * job: exactly one runs it, the others skip at once; the lock goes with the transaction however the job ends.
 */
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../test-support/test-database';
import { lockKey } from '../database/advisory-lock';
import { ClusterOnce } from './cluster-once';

let db: TestDatabase;
const sources: DataSource[] = [];

/** A node: a pool of its own on the test database. */
async function node(): Promise<ClusterOnce> {
  const ds = new DataSource({ type: 'postgres', url: db.url, poolSize: 3 });
  await ds.initialize();
  sources.push(ds);
  return new ClusterOnce(ds);
}

beforeAll(async () => {
  db = await createTestDatabase();
  const c = new Client({ connectionString: db.url });
  await c.connect();
  await c.query('CREATE TABLE job_run (id serial PRIMARY KEY, node int NOT NULL, round int NOT NULL)');
  await c.end();
});

afterAll(async () => {
  for (const ds of sources) await ds.destroy();
  await db.drop();
});

describe('ClusterOnce.runOnce', () => {
  it('three nodes racing for a job, 20 rounds: exactly one runs it each round, the others skip', async () => {
    const nodes = await Promise.all([node(), node(), node()]);
    const wins = [0, 0, 0];
    for (let round = 0; round < 20; round++) {
      // The winner holds the lock until every other caller has had its answer: the runs truly overlap.
      let skipped = 0;
      const allAnswered = () =>
        new Promise<void>((resolve, reject) => {
          const t0 = Date.now();
          const check = () =>
            skipped === nodes.length - 1
              ? resolve()
              : Date.now() - t0 > 10000
                ? reject(new Error('the other callers never answered'))
                : setTimeout(check, 5);
          check();
        });
      const results = await Promise.all(
        nodes.map(async (once, i) => {
          const r = await once.runOnce('reminders', async (em) => {
            await allAnswered();
            await em.query('INSERT INTO job_run (node, round) VALUES ($1, $2)', [i, round]);
            return i;
          });
          if (!r.ran) skipped += 1;
          return r;
        }),
      );
      const ran = results.filter((r) => r.ran);
      expect(ran).toHaveLength(1);
      wins[(ran[0] as { value: number }).value] += 1;
    }
    const rows = await sources[0].query(
      'SELECT round, count(*)::int AS n FROM job_run GROUP BY round ORDER BY round',
    );
    expect(rows).toEqual(Array.from({ length: 20 }, (_, round) => ({ round, n: 1 })));
    console.log(`runOnce: wins per node ${wins.join(' / ')} over 20 rounds`);
  });

  it('the lock is free again once the job ends, also when it throws (its writes rolled back); names are separate', async () => {
    const [a, b] = await Promise.all([node(), node()]);
    await sources[0].query('DELETE FROM job_run');
    expect(await a.runOnce('x', async () => 1)).toEqual({ ran: true, value: 1 });
    expect(await b.runOnce('x', async () => 2)).toEqual({ ran: true, value: 2 });
    await expect(
      a.runOnce('x', async (em) => {
        await em.query('INSERT INTO job_run (node, round) VALUES (0, 99)');
        throw new Error('job failed');
      }),
    ).rejects.toThrow('job failed');
    expect(await sources[0].query('SELECT * FROM job_run WHERE round = 99')).toEqual([]);
    expect(await b.runOnce('x', async () => 3)).toEqual({ ran: true, value: 3 });
    // Two different jobs run at the same time on two nodes.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const running = a.runOnce('job-1', () => held);
    await waitForLock('job-1');
    expect(await b.runOnce('job-2', async () => 'other')).toEqual({ ran: true, value: 'other' });
    expect(await b.runOnce('job-1', async () => 'twice')).toEqual({ ran: false });
    release();
    expect(await running).toEqual({ ran: true, value: undefined });
  });

  it('a node that dies holding the lock (its connection gone) frees it', async () => {
    const [a, b] = await Promise.all([node(), node()]);
    let finish!: () => void;
    const stuck = new Promise<void>((r) => (finish = r));
    const running = a.runOnce('empty-room-end', () => stuck);
    const pid = await waitForLock('empty-room-end');
    expect(await b.runOnce('empty-room-end', async () => 'b')).toEqual({ ran: false });
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      // It only signals the backend: the lock is free once the backend has gone.
      await waitUntil(
        async () =>
          (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0,
      );
    } finally {
      await admin.end();
    }
    expect(await b.runOnce('empty-room-end', async () => 'b')).toEqual({ ran: true, value: 'b' });
    // The dead node's job cannot commit anything afterwards.
    finish();
    await expect(running).rejects.toThrow();
  });
});

/** Waits until some connection holds the job's advisory lock; its backend pid. */
async function waitForLock(lockName: string): Promise<number> {
  const key = BigInt(lockKey(lockName));
  // pg_locks shows a bigint key as two 32-bit halves: classid (high), objid (low), objsubid 1.
  const hi = Number(BigInt.asUintN(32, key >> 32n));
  const lo = Number(BigInt.asUintN(32, key));
  for (let i = 0; i < 400; i++) {
    const rows: { pid: number }[] = await sources[0].query(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 1
         AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [hi, lo],
    );
    if (rows.length > 0) return rows[0].pid;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nobody took the lock ${lockName}`);
}

async function waitUntil(done: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
