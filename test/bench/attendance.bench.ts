/**
 * Attendance benchmarks:
 *
 * (a) computeAttendance for one meeting of 500 expected members with 5,000 presence segments (several devices,
 *     overlaps, gaps, a few still open), in this process: the median of repeated runs, against a baseline measured
 *     in the same run, sorting the same 5,000 segments by join time (the least any computation must do).
 * (b) A year's ledger (台账) of a 300-member branch with 60 meetings: a fresh database filled by PostgreSQL, then
 *     StatisticsService.load + writeLedger into a file, in a child process of its own (its RSS high-water mark is
 *     the ledger's), against a child that writes as many rows of plain strings with the same streaming writer.
 *
 * The children run the compiled server code (server/dist-bench, which run.ts rebuilds when a source is newer), as production
 * does: ts-node would add its own compiler's memory to the peak.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { computeAttendance, type PresenceInterval } from '../../server/src/attendance/compute-attendance';

const ROOT = resolve(__dirname, '../..');
const SERVER = join(ROOT, 'server');
const CHILD = join(SERVER, 'dist-bench/attendance/ledger-bench.child.js');
const COMPUTE_TARGET_MS = 100;
const LEDGER_TARGET_MS = 2000;
const LEDGER_TARGET_MB = 200;

/** A deterministic pseudo-random sequence (mulberry32), so every run measures the same meeting. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function meetingOf(members: number, segments: number) {
  const rnd = random(4);
  const start = new Date('2026-03-02T01:00:00Z');
  const durationMs = 2 * 3600_000;
  const expected = Array.from(
    { length: members },
    (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  );
  const list: PresenceInterval[] = [];
  for (let i = 0; i < segments; i++) {
    const from = start.getTime() + rnd() * durationMs;
    const open = rnd() < 0.02;
    list.push({
      // a few people are not expected (observers): ignored by the computation
      userId: rnd() < 0.02 ? `ffffffff-0000-4000-8000-${String(i).padStart(12, '0')}` : expected[i % members],
      joinedAt: new Date(from),
      leftAt: open ? null : new Date(from + rnd() * 30 * 60_000),
    });
  }
  // Segments as the database returns them: in no particular order.
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return {
    start,
    end: new Date(start.getTime() + durationMs),
    expected,
    segments: list,
    rules: { lateAfterMinutes: 5, presentMinPercent: 50 },
    excused: expected.filter((_, i) => i % 37 === 0),
  };
}

function median(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function computeBench(): boolean {
  const input = meetingOf(500, 5000);
  let sink = 0;
  const compute = () => {
    sink += computeAttendance(input).length;
  };
  const baseline = () => {
    sink += [...input.segments].sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime()).length;
  };
  for (let i = 0; i < 10; i++) {
    compute();
    baseline();
  }
  const ms = median(41, compute);
  const baseMs = median(41, baseline);
  const statuses = new Map<string, number>();
  for (const r of computeAttendance(input)) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  if (sink <= 0 || [...statuses.values()].reduce((a, b) => a + b, 0) !== 500)
    throw new Error('computeAttendance did not return 500 records');

  console.log('\nattendance computation: 500 expected members, 5,000 segments (median of 41 runs)');
  console.log(`  computeAttendance                      ${ms.toFixed(2).padStart(8)} ms`);
  console.log(`  baseline (sort the 5,000 segments)     ${baseMs.toFixed(2).padStart(8)} ms`);
  console.log(`  ratio compute / baseline               ${(ms / baseMs).toFixed(2).padStart(8)}x`);
  console.log(`  statuses: ${[...statuses].map(([s, n]) => `${s} ${n}`).join(', ')}`);
  const pass = ms < COMPUTE_TARGET_MS;
  console.log(`  target: under ${COMPUTE_TARGET_MS} ms → ${pass ? 'PASS' : 'WARN'} (${ms.toFixed(2)} ms)`);
  return pass;
}

interface ChildResult {
  ms: number;
  loadMs?: number;
  /** Storing the final records of every meeting, as their ends would have (not part of the ledger's time). */
  finalizeMs?: number;
  rows: number;
  segments?: number;
  bytes: number;
  rssStartMB: number;
  rssBeforeMB: number;
  maxRssMB: number;
}

function child(args: string[]): Promise<ChildResult> {
  return new Promise((ok, fail) => {
    execFile(
      process.execPath,
      [CHILD, ...args],
      {
        cwd: SERVER,
        env: {
          ...process.env,
          DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
        },
        timeout: 120_000,
      },
      (err, stdout, stderr) => {
        if (err) return fail(new Error(`ledger child ${args[0]} failed: ${stderr || err.message}`));
        ok(JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult);
      },
    );
  });
}

async function ledgerBench(members: number, meetings: number): Promise<boolean> {
  if (!existsSync(CHILD)) throw new Error(`${CHILD} is missing: build the server (npm run build -w server)`);
  const led = await child(['ledger', String(members), String(meetings)]);
  if (led.rows !== members * meetings)
    throw new Error(`the ledger wrote ${led.rows} rows, expected ${members * meetings}`);
  const base = await child(['baseline', String(led.rows)]);

  const mb = (x: number) => `${x.toFixed(0).padStart(5)} MB`;
  const msf = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
  const ledAdded = led.maxRssMB - led.rssBeforeMB;
  const baseAdded = base.maxRssMB - base.rssBeforeMB;
  console.log(
    `\nledger (台账): ${members} members × ${meetings} meetings = ${led.rows.toLocaleString('en')} rows, ` +
      `${led.segments?.toLocaleString('en')} segments, XLSX ${(led.bytes / 1024).toFixed(0)} KB, fresh database`,
  );
  console.log('                                            time     peak RSS   RSS added');
  console.log(
    `  ledger (load + write XLSX)              ${msf(led.ms)}   ${mb(led.maxRssMB)}   ${mb(ledAdded)}   (load ${led.loadMs?.toFixed(0)} ms; RSS ${led.rssStartMB.toFixed(0)} MB at start)`,
  );
  console.log(
    `  (before it: the ${meetings} meetings' final records stored as at their ends, ${led.finalizeMs?.toFixed(0)} ms)`,
  );
  console.log(
    `  baseline (same writer, plain strings)   ${msf(base.ms)}   ${mb(base.maxRssMB)}   ${mb(baseAdded)}   (RSS ${base.rssStartMB.toFixed(0)} MB at start)`,
  );
  console.log(
    `  ratio ledger / baseline                 ${(led.ms / base.ms).toFixed(2).padStart(7)}x             ${(ledAdded / baseAdded).toFixed(2).padStart(7)}x`,
  );
  const pass = led.ms < LEDGER_TARGET_MS && led.maxRssMB < LEDGER_TARGET_MB;
  console.log(
    `  targets: under ${LEDGER_TARGET_MS} ms and ${LEDGER_TARGET_MB} MB peak → ${pass ? 'PASS' : 'WARN'} ` +
      `(${led.ms.toFixed(0)} ms, ${led.maxRssMB.toFixed(0)} MB)`,
  );
  return pass;
}

export async function attendanceBench(): Promise<{ pass: boolean }[]> {
  return [{ pass: computeBench() }, { pass: await ledgerBench(300, 60) }];
}
