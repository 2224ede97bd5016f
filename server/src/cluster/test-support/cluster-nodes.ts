import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../database/typeorm-options';
import { seedDemo } from '../../seed/demo-seed';
import { testServerUrl } from '../../test-support/int-app';
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
  /** Stops every node still running and drops the database; always call it (afterAll). */
  close(): Promise<void>;
}

const SHARED_DIST = join(__dirname, '../../../../shared/dist/index.js');

/**
 * Starts `count` real server processes (`src/main.ts` through ts-node, as `npm run dev` does, without type
 * checking) on one fresh database and one Redis key prefix: distinct HTTP ports, media port bases and node ids,
 * one mediasoup worker each, the same JWT secret and audit key (a token from one node is good on all). `env`
 * adds to every node's environment.
 */
export async function startCluster(count: number, env: Record<string, string> = {}): Promise<TestCluster> {
  if (!existsSync(SHARED_DIST))
    throw new Error(`the nodes load @branchmeet/shared from ${SHARED_DIST}: run \`npm run build -w shared\``);
  const server = new URL(testServerUrl());
  const name = `bm_cluster_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const dbUrl = new URL(server.toString());
  dbUrl.pathname = `/${name}`;
  const ds = new DataSource(dataSourceOptions(dbUrl.toString()));
  await ds.initialize();
  await ds.runMigrations();
  await seedDemo(ds, () => undefined);

  const prefix = testPrefix();
  const secret = randomBytes(32).toString('hex');
  const auditKey = process.env.AUDIT_KEY ?? randomBytes(32).toString('hex');
  const mediaBase = randomMediaPortBase();
  const nodes: ClusterNode[] = [];
  const tmp = join(tmpdir(), name);
  for (let i = 0; i < count; i++) {
    nodes.push(
      spawnNode({
        id: `node-${i + 1}`,
        port: await freePort(),
        databaseUrl: dbUrl.toString(),
        redisUrl: TEST_REDIS_URL,
        prefix,
        jwtSecret: secret,
        auditKey,
        mediaPort: mediaBase + i,
        dir: tmp,
        env,
      }),
    );
  }

  const stop = stopNode;
  const close = async () => {
    // SIGKILL: a test cluster has nothing to shut down gracefully, and a hung node must not hang the run.
    await Promise.all(nodes.map((n) => stop(n, 'SIGKILL')));
    await ds.destroy().catch(() => undefined);
    const c = new Client({ connectionString: server.toString() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
    await rm(tmp, { recursive: true, force: true });
    const redis = await connectTestRedis();
    await dropPrefix(redis, prefix).finally(() => redis.quit());
  };
  try {
    await Promise.all(nodes.map((n) => waitHealthy(n, 90_000)));
  } catch (e) {
    await close();
    throw e;
  }
  return { nodes, ds, prefix, kill: (node) => stop(node, 'SIGKILL'), close };
}
