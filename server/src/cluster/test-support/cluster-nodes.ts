import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openMigrated } from '../../test-support/migrated-database';
import { createTestDatabase } from '../../test-support/test-database';
import { connectTestRedis, dropPrefix, TEST_REDIS_URL, testPrefix } from '../redis-test-support';

/** One server process of a test cluster. */
export interface ClusterNode {
  id: string;
  /** `http://127.0.0.1:<port>`: its HTTP API and `/rtc`, and its NODE_URL in the registry. */
  url: string;
  child: ChildProcess;
  /** What it printed (stdout and stderr), for a failing test's message. */
  log: string[];
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

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

const SERVER_DIR = join(__dirname, '../../..');
/** How long a node may take to start (ts-node without type checking; minutes on a machine loaded to 20+). */
const STARTUP_MS = 150_000;
const SHARED_DIST = join(SERVER_DIR, '../shared/dist/index.js');

/** A TCP port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(node: ClusterNode, ms: number): Promise<void> {
  const until = Date.now() + ms;
  let exited = false;
  void node.exited.then(() => (exited = true));
  while (Date.now() < until) {
    if (exited) break;
    try {
      const res = await fetch(`${node.url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `node ${node.id} did not start (${exited ? 'it exited' : 'timed out'}):\n${node.log.join('').slice(-4000)}`,
  );
}

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
  const mediaBase = 61000 + Math.floor(Math.random() * 400) * 10;
  const nodes: ClusterNode[] = [];
  const tmp = join(tmpdir(), db.name);
  const spawnNode = (i: number, port: number): ClusterNode => {
    const id = `node-${i + 1}`;
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: SERVER_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        TS_NODE_PROJECT: join(SERVER_DIR, 'tsconfig.json'),
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: db.url,
        SEED_DEMO: 'false',
        JWT_SECRET: secret,
        AUDIT_KEY: auditKey,
        AUDIT_CHECKPOINT_SECONDS: '0',
        AUDIT_CHECKPOINT_FILE: join(tmp, `${id}-audit-checkpoints.jsonl`),
        RECORDINGS_DIR: join(tmp, `${id}-recordings`),
        CLIENT_DIST: '/nonexistent',
        LOGIN_RATE_LIMIT: '1000',
        REDIS_URL: TEST_REDIS_URL,
        CLUSTER_KEY_PREFIX: prefix,
        NODE_ID: id,
        NODE_URL: url,
        MEDIA_WORKERS: '1',
        MEDIA_RTC_PORT_BASE: String(mediaBase + i),
        MEDIA_LISTEN_IP: '127.0.0.1',
        MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
        MEDIA_LOG_LEVEL: 'error',
        TURN_URLS: '',
        ...env,
      },
    });
    const log: string[] = [];
    child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return { id, url, child, log, exited };
  };
  for (let i = 0; i < count; i++) nodes.push(spawnNode(i, await freePort()));

  const stop = async (node: ClusterNode, signal: NodeJS.Signals) => {
    if (node.child.exitCode !== null || node.child.signalCode !== null) return;
    node.child.kill(signal);
    await node.exited;
  };
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
    const again = spawnNode(i, Number(new URL(node.url).port));
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
