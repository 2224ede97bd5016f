import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * Server processes of a test cluster, started the way production starts them. Nothing here imports the server's
 * own modules, so a browser test (another jest project, without the server's decorators) starts nodes with it too.
 */

/** One server process of a test cluster. */
export interface ClusterNode {
  id: string;
  /** `http://127.0.0.1:<port>`: its HTTP API and `/rtc` directly (its NODE_URL unless a proxy gives it another). */
  url: string;
  child: ChildProcess;
  /** What it printed (stdout and stderr), for a failing test's message. */
  log: string[];
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

export interface NodeProcessOptions {
  id: string;
  port: number;
  /** Where browsers reach this node (NODE_URL, the URL a redirect names); default `http://127.0.0.1:<port>`. */
  nodeUrl?: string;
  databaseUrl: string;
  redisUrl: string;
  /** CLUSTER_KEY_PREFIX: the test's own keys in Redis. */
  prefix: string;
  /** The same for every node of a cluster: a token from one node is good on all. */
  jwtSecret: string;
  auditKey: string;
  /** Its one mediasoup worker's WebRtcServer port (UDP and TCP); distinct per node. */
  mediaPort: number;
  /** A directory of the test's own for audit checkpoints and recordings. */
  dir: string;
  /** `dist/main.js` (built, as production and the browser tests run it); default: `src/main.ts` through ts-node. */
  built?: boolean;
  /** Added to (and overriding) the environment below. */
  env?: Record<string, string>;
}

const SERVER_DIR = join(__dirname, '../../..');

/** A TCP port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * A base for the nodes' media ports (node i's worker on base + i): random in 61000–64999, above Linux's usual
 * ephemeral range and away from the default 40000, so parallel test runs rarely meet.
 */
export function randomMediaPortBase(): number {
  return 61000 + Math.floor(Math.random() * 400) * 10;
}

/** Starts one node: `NODE_ENV=test`, one media worker on 127.0.0.1, Redis under `prefix`, no TURN. */
export function spawnNode(o: NodeProcessOptions): ClusterNode {
  const url = `http://127.0.0.1:${o.port}`;
  const args = o.built ? ['dist/main.js'] : ['-r', 'ts-node/register/transpile-only', 'src/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: SERVER_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      TS_NODE_PROJECT: join(SERVER_DIR, 'tsconfig.json'),
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(o.port),
      DATABASE_URL: o.databaseUrl,
      SEED_DEMO: 'false',
      JWT_SECRET: o.jwtSecret,
      AUDIT_KEY: o.auditKey,
      AUDIT_CHECKPOINT_SECONDS: '0',
      AUDIT_CHECKPOINT_FILE: join(o.dir, `${o.id}-audit-checkpoints.jsonl`),
      RECORDINGS_DIR: join(o.dir, `${o.id}-recordings`),
      CLIENT_DIST: '/nonexistent',
      LOGIN_RATE_LIMIT: '1000',
      REDIS_URL: o.redisUrl,
      CLUSTER_KEY_PREFIX: o.prefix,
      NODE_ID: o.id,
      NODE_URL: o.nodeUrl ?? url,
      MEDIA_WORKERS: '1',
      MEDIA_RTC_PORT_BASE: String(o.mediaPort),
      MEDIA_LISTEN_IP: '127.0.0.1',
      MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
      MEDIA_LOG_LEVEL: 'error',
      TURN_URLS: '',
      ...o.env,
    },
  });
  const log: string[] = [];
  child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { id: o.id, url, child, log, exited };
}

/** Waits until the node answers `/api/health`; throws with the end of its log when it exits or `ms` pass. */
export async function waitHealthy(node: ClusterNode, ms: number): Promise<void> {
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

/** Sends `signal` to the node unless it has exited, and waits for its exit. */
export async function stopNode(node: ClusterNode, signal: NodeJS.Signals): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  node.child.kill(signal);
  await node.exited;
}
