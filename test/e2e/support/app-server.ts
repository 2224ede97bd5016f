import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { ensureTestClient } from './client-build';

const root = join(__dirname, '../../..');

export interface AppServer {
  baseUrl: string;
  /** Worker i's WebRtcServer listens on mediaPortBase + i, UDP and TCP. */
  mediaPortBase: number;
  databaseUrl: string;
  log: () => string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

async function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => resolve(false));
    sock.bind(port, '0.0.0.0', () => sock.close(() => resolve(true)));
  });
}

/**
 * A base port for the media workers (worker i listens on base + i, UDP and TCP): random, outside the kernel's
 * ephemeral range (an outgoing connection, e.g. to PostgreSQL, may take any port in it between our check and the
 * worker's listen) and away from the default 40000, each port checked free on both protocols.
 */
async function freeMediaPortBase(workers: number): Promise<number> {
  let [low, high] = [32768, 60999];
  try {
    [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
  } catch {
    // not Linux: the usual range
  }
  const [from, to] =
    65535 - high > 1000 ? [high + 1, 65535 - workers] : [Math.max(1024, low - 10000), low - workers];
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = from + Math.floor(Math.random() * (to - from));
    let ok = true;
    for (let i = 0; i < workers && ok; i++) ok = (await tcpFree(base + i)) && (await udpFree(base + i));
    if (ok) return base;
  }
  throw new Error('no free port range for the media workers');
}

export interface AppServerOptions {
  /** mediasoup workers in the server process (default 1: the machine's cores belong to the browsers). */
  mediaWorkers?: number;
  /** Extra environment for the server process (e.g. RECORDINGS_DIR). */
  env?: Record<string, string>;
  /**
   * Another install of the app to start instead of this repository's (e.g. an older release for a benchmark):
   * its root directory, the Node binary to run its server/dist/main.js with, and the client build it serves.
   */
  install?: { root: string; node: string; clientDist: string };
}

/**
 * Starts the built server (server/dist, serving the test build of the client, see client-build.ts) as its own process, on a fresh database created on
 * DATABASE_URL's server and seeded with the demo organisation, exactly as production runs it.
 */
export async function startAppServer(options: AppServerOptions = {}): Promise<AppServer> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('e2e tests need DATABASE_URL (a PostgreSQL server)');
  const name = `bm_e2e_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${name}`;
  const clientDist = options.install?.clientDist ?? ensureTestClient();
  const port = await freePort();
  const mediaWorkers = options.mediaWorkers ?? 1;
  const mediaPortBase = await freeMediaPortBase(mediaWorkers);
  let output = '';
  const child: ChildProcess = spawn(options.install?.node ?? process.execPath, ['dist/main.js'], {
    cwd: join(options.install?.root ?? root, 'server'),
    env: {
      ...process.env,
      DATABASE_URL: dbUrl.toString(),
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: 'true',
      JWT_SECRET: randomBytes(32).toString('hex'),
      NODE_ENV: 'test',
      MEDIA_WORKERS: String(mediaWorkers),
      MEDIA_RTC_PORT_BASE: String(mediaPortBase),
      MEDIA_LISTEN_IP: '127.0.0.1',
      MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
      CLIENT_DIST: clientDist,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited early:\n${output}`);
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not become healthy:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    baseUrl,
    mediaPortBase,
    databaseUrl: dbUrl.toString(),
    log: () => output,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
