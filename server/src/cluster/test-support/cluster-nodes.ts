import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openMigrated } from '../../test-support/migrated-database';
import { createTestDatabase } from '../../test-support/test-database';
import { connectTestRedis, dropPrefix, TEST_REDIS_URL, testPrefix } from '../redis-test-support';
import {
  freePort,
  randomMediaPortBase,
  spawnNode,
  stopNode,
  waitHealthy,
  type ClusterNode,
} from './node-processes';

export type { ClusterNode } from './node-processes';

export interface TestCluster {
  nodes: ClusterNode[];
  /** The shared database (migrated, with the demo organisation): the test reads and writes through it. */
  ds: DataSource;
  /** The Redis key prefix of this cluster (nothing else uses it). */
  prefix: string;
  /** Kills one node at once (SIGKILL: no shutdown, its leases lapse). */
  kill(node: ClusterNode): Promise<void>;
  /** Stops one node as a deploy does (SIGTERM: it hands its rooms over first) and waits until it has exited. */
  stop(node: ClusterNode): Promise<void>;
  /** Starts a stopped node again: the same id, URL and media ports (its entry in `nodes` is replaced). */
  restart(node: ClusterNode): Promise<ClusterNode>;
  /** Stops every node still running and drops the database; always call it (afterAll). */
  close(): Promise<void>;
}

const SHARED_DIST = join(__dirname, '../../../../shared/dist/index.js');
/** How long a node may take to start (ts-node without type checking; minutes on a machine loaded to 20+). */
const STARTUP_MS = 150_000;

/**
 * Starts `count` real server processes (`src/main.ts` through ts-node, as `npm run dev` does, without type
 * checking) on one fresh database and one Redis key prefix: distinct HTTP ports, media port bases and node ids,
 * one mediasoup worker each, the same JWT secret and audit key (a token from one node is good on all). `env`
 * adds to every node's environment.
 */
export async function startCluster(count: number, env: Record<string, string> = {}): Promise<TestCluster> {
  if (!existsSync(SHARED_DIST))
    throw new Error(`the nodes load @branchmeet/shared from ${SHARED_DIST}: run \`npm run build -w shared\``);
  const db = await createTestDatabase('bm_cluster');
  const ds = await openMigrated(db.url);

  const prefix = testPrefix();
  const secret = randomBytes(32).toString('hex');
  const auditKey = process.env.AUDIT_KEY ?? randomBytes(32).toString('hex');
  const mediaBase = randomMediaPortBase();
  const nodes: ClusterNode[] = [];
  const tmp = join(tmpdir(), db.name);
  const start = (i: number, port: number): ClusterNode =>
    spawnNode({
      id: `node-${i + 1}`,
      port,
      databaseUrl: db.url,
      redisUrl: TEST_REDIS_URL,
      prefix,
      jwtSecret: secret,
      auditKey,
      mediaPort: mediaBase + i,
      dir: tmp,
      env,
    });
  for (let i = 0; i < count; i++) nodes.push(start(i, await freePort()));

  const stop = stopNode;
  const close = async () => {
    // SIGKILL: a test cluster has nothing to shut down gracefully, and a hung node must not hang the run.
    await Promise.all(nodes.map((n) => stop(n, 'SIGKILL')));
    await ds.destroy().catch(() => undefined);
    await db.drop();
    await rm(tmp, { recursive: true, force: true });
    const redis = await connectTestRedis();
    await dropPrefix(redis, prefix).finally(() => redis.quit());
  };
  try {
    await Promise.all(nodes.map((n) => waitHealthy(n, STARTUP_MS)));
  } catch (e) {
    await close();
    throw e;
  }
  const restart = async (node: ClusterNode) => {
    const i = nodes.indexOf(node);
    const running = node.child.exitCode === null && node.child.signalCode === null;
    if (i < 0 || running) throw new Error(`node ${node.id} is not a stopped node of this cluster`);
    const again = start(i, Number(new URL(node.url).port));
    nodes[i] = again;
    await waitHealthy(again, STARTUP_MS);
    return again;
  };
  return {
    nodes,
    ds,
    prefix,
    kill: (node) => stop(node, 'SIGKILL'),
    stop: (node) => stop(node, 'SIGTERM'),
    restart,
    close,
  };
}
