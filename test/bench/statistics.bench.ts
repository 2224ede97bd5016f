/**
 * Statistics benchmark: the statistics endpoint (what the statistics page asks for, one request per view) over
 * HTTP, for the demo organisation and for a generated one of 50 branches × 30 members × a year of 三会一课 with
 * their attendance records (server/src/test-support/statistics-org.ts), against a baseline measured in the same
 * run on the same server: a trivial authenticated GET (`/api/auth/me`). Median of repeated requests after a
 * warm-up; the app runs in a child process of its own (from source, as the roster benchmark's does).
 * Target: every statistics request under 1 s. Run alone:
 * `node -r ts-node/register/transpile-only test/bench/statistics.bench.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SERVER = join(ROOT, 'server');
const TARGET_MS = 1000;
const RUNS = Number(process.env.BENCH_STATS_RUNS ?? 15);
const YEAR = { from: '2026-01-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' };

interface Ready {
  port: number;
  demo: { committee: string; branchA: string };
  large: { committee: string; branch: string; branches: number; meetings: number; records: number };
  generateMs: number;
}

function firstMessage<T>(child: ChildProcess, timeoutMs = 300_000): Promise<T> {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('the statistics server did not start in time')), timeoutMs);
    child.once('exit', (code) => fail(new Error(`the statistics server exited (${code}) before answering`)));
    child.once('message', (m) => {
      clearTimeout(timer);
      ok(m as T);
    });
  });
}

async function login(base: string, name: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: name, password: 'Demo@2026' }),
  });
  if (res.status !== 200) throw new Error(`login ${name}: ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** The median time of a GET (body read to the end) and the body's size. */
async function timed(url: string, token: string): Promise<{ ms: number; bytes: number }> {
  const get = async () => {
    const started = performance.now();
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    const body = await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${Buffer.from(body).toString()}`);
    return { ms: performance.now() - started, bytes: body.byteLength };
  };
  for (let i = 0; i < 3; i++) await get();
  const runs: { ms: number; bytes: number }[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await get());
  runs.sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(runs.length / 2)];
}

export async function statisticsBench(): Promise<{ pass: boolean }> {
  const child = fork(join(SERVER, 'src/test-support/statistics-bench-server.ts'), [], {
    cwd: SERVER,
    env: {
      ...process.env,
      DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      TS_NODE_PROJECT: join(SERVER, 'tsconfig.json'),
      TS_NODE_TRANSPILE_ONLY: 'true',
      LOG_LEVEL: 'error',
    },
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await firstMessage<Ready>(child);
    const base = `http://127.0.0.1:${ready.port}`;
    const stats = (unitId: string) =>
      `${base}/api/org-units/${unitId}/statistics?from=${encodeURIComponent(YEAR.from)}&to=${encodeURIComponent(YEAR.to)}`;
    const tokens = {
      committee: await login(base, 'committee'),
      secretary1: await login(base, 'secretary1'),
      large: await login(base, 'b-committee'),
      largeBranch: await login(base, 'b-sec-001'),
    };
    const baseline = await timed(`${base}/api/auth/me`, tokens.committee);
    const rows: [string, { ms: number; bytes: number }][] = [
      ['demo committee (2 branches)', await timed(stats(ready.demo.committee), tokens.committee)],
      ['demo branch (branch A)', await timed(stats(ready.demo.branchA), tokens.secretary1)],
      [
        `generated committee (${ready.large.branches} branches)`,
        await timed(stats(ready.large.committee), tokens.large),
      ],
      ['generated branch (30 members)', await timed(stats(ready.large.branch), tokens.largeBranch)],
    ];
    console.log(
      `\nstatistics over HTTP, a year (median of ${RUNS}); generated: ${ready.large.meetings.toLocaleString('en')} ` +
        `meetings, ${ready.large.records.toLocaleString('en')} records, written in ${(ready.generateMs / 1000).toFixed(1)} s`,
    );
    const line = (name: string, m: { ms: number; bytes: number }) =>
      `  ${name.padEnd(38)} ${m.ms.toFixed(1).padStart(8)} ms ${(m.bytes / 1024).toFixed(0).padStart(6)} KB` +
      `${(m.ms / baseline.ms).toFixed(1).padStart(8)}x`;
    console.log(`  ${''.padEnd(38)} ${'time'.padStart(11)} ${'body'.padStart(9)} ${'ratio'.padStart(8)}`);
    console.log(line('baseline: GET /api/auth/me', baseline));
    for (const [name, m] of rows) console.log(line(name, m));
    const worst = Math.max(...rows.map(([, m]) => m.ms));
    const pass = worst < TARGET_MS;
    console.log(
      `  target: each under ${TARGET_MS} ms → ${pass ? 'PASS' : 'WARN'} (slowest ${worst.toFixed(0)} ms)`,
    );
    return { pass };
  } finally {
    if (child.exitCode === null) {
      child.send('stop');
      await new Promise((done) => child.once('exit', done));
    }
  }
}

if (require.main === module)
  statisticsBench().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
