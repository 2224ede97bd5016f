/**
 * The lecture benchmark on the old stack and on this one in the same run. Each install runs its own measurement
 * (server/src/test-support/lecture-bench.ts: bare mediasoup and BranchMeet's media layer on one worker, the largest N
 * receivers under 85% CPU and 1% loss) with its own Node and mediasoup, one after the other (they saturate a core
 * each), in the order old, new, new, old, … (BENCH_LECTURE_ROUNDS runs each, default 1), and this prints each
 * install's BranchMeet/bare ratio (the issue's target ≥ 0.95) and what the new versions forward against the old.
 *
 *   npm run bench:lecture-vs-old -w test  (needs the old install, else it says what is missing and skips;
 *                                          about 3–6 minutes per run)
 * Env: BENCH_LECTURE_ROUNDS, lecture-bench.ts's BENCH_LECTURE_* (passed on), old-stack.ts's BENCH_OLD_STACK and
 * BENCH_OLD_NODE. Not part of `npm test` nor of `npm run bench`.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { describeInstall, newInstall, oldInstall, skipMessage, type Install } from './old-stack';

const ROUNDS = Number(process.env.BENCH_LECTURE_ROUNDS ?? 1);
const BENCH_FILE = 'server/src/test-support/lecture-bench.ts';

interface Result {
  branchMeet: number;
  bare: number;
  /**
   * Steps that failed on loss while the worker used under LOW_CPU % of a core: not a lack of forwarding capacity.
   * Either other processes had the cores (packets dropped in the socket's queue while the worker waited) or the
   * forwarding stopped (100% loss at ~1% CPU); the steps printed above tell which.
   */
  lossAtLowCpu: number;
}

const LOW_CPU = 60;

/** One run of the install's own lecture benchmark, its output passed through with the install's label. */
function runLecture(install: Install): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(
      install.node,
      ['-r', 'ts-node/register/transpile-only', join(install.root, BENCH_FILE)],
      {
        cwd: join(install.root, 'server'),
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, TS_NODE_PROJECT: join(install.root, 'server/tsconfig.json') },
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of d.toString().split('\n'))
        if (line.trim()) console.log(`  [${install.label}] ${line}`);
    });
    child.on('error', fail);
    child.on('exit', (code) => {
      const m = /largest N — BranchMeet (\d+), bare mediasoup (\d+)/.exec(out);
      const lossAtLowCpu = [...out.matchAll(/worker CPU\s+([\d.]+)%\s+loss\s+[\d.]+%\s+over/g)].filter(
        (s) => Number(s[1]) < LOW_CPU,
      ).length;
      if (code !== 0 || !m) fail(new Error(`${install.label}'s lecture benchmark ended with ${code}`));
      else done({ branchMeet: Number(m[1]), bare: Number(m[2]), lossAtLowCpu });
    });
  });
}

export async function lectureVsOld(): Promise<{ pass: boolean } | null> {
  const found = oldInstall([BENCH_FILE, 'node_modules/ts-node/package.json']);
  if ('missing' in found) {
    console.log(skipMessage('lecture-vs-old', found.root, found.missing));
    return null;
  }
  const [oldI, newI] = [found.install, newInstall()];
  console.log(`\nlecture forwarding, old stack vs new, one run (load average ${loadavg()[0].toFixed(1)}):`);
  for (const i of [oldI, newI]) console.log(`  ${describeInstall(i)}`);
  const results = new Map<Install, Result[]>([
    [oldI, []],
    [newI, []],
  ]);
  for (let round = 0; round < ROUNDS; round++)
    for (const install of round % 2 === 0 ? [oldI, newI] : [newI, oldI])
      results.get(install)!.push(await runLecture(install));

  const best = (i: Install, k: keyof Result) => Math.max(...results.get(i)!.map((r) => r[k]));
  console.log(`\nlecture, old vs new (${ROUNDS} run(s) each; the best run of each counts):`);
  for (const i of [oldI, newI]) {
    const runs = results
      .get(i)!
      .map(
        (r) =>
          `${r.bare}/${r.branchMeet} (${(r.branchMeet / r.bare).toFixed(2)}` +
          `${r.lossAtLowCpu ? `; ${r.lossAtLowCpu} step(s) lost packets at low worker CPU` : ''})`,
      );
    console.log(`  ${i.label}  bare/BranchMeet per run: ${runs.join(', ')}`);
  }
  const newRatios = results.get(newI)!.map((r) => r.branchMeet / r.bare);
  console.log(
    `  new / old: bare mediasoup ${(best(newI, 'bare') / best(oldI, 'bare')).toFixed(2)}x, ` +
      `BranchMeet ${(best(newI, 'branchMeet') / best(oldI, 'branchMeet')).toFixed(2)}x`,
  );
  const invalid = [...results.values()].flat().some((r) => r.lossAtLowCpu > 0);
  if (invalid)
    console.log(
      `  NOT VALID: steps lost packets while the worker used under ${LOW_CPU}% of a core (load average now ` +
        `${loadavg()[0].toFixed(1)}): other processes had the cores, or forwarding stopped (see the steps above); ` +
        `N did not measure forwarding capacity`,
    );
  const pass = !invalid && newRatios.every((r) => r >= 0.95);
  console.log(
    `  target: new BranchMeet / bare ≥ 0.95 in every run → ${pass ? 'PASS' : 'WARN'} ` +
      `(${newRatios.map((r) => r.toFixed(2)).join(', ')})`,
  );
  return { pass };
}

if (require.main === module)
  lectureVsOld().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
