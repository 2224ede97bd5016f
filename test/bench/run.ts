/**
 * Benchmarks: `node -r ts-node/register/transpile-only test/bench/run.ts` from the repository root (needs
 * PostgreSQL at DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres). Prints measurements and
 * ratios against baselines measured in the same run; a missed target is a WARN, never a failure.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { attendanceBench } from './attendance.bench';
import { firstLoadBench } from './first-load.bench';
import { joinBench } from './join.bench';
import { minutesSearchBench } from './minutes-search.bench';
import { rosterImportBench } from './roster-import.bench';
import { statisticsBench } from './statistics.bench';
import { weakNetworkBench } from './weak-network.bench';

const ROOT = resolve(__dirname, '../..');
// One default for every benchmark (the join benchmark's app server reads it too).
process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

/** The server code imports `@branchmeet/shared` from its build: rebuild it when a source is newer. */
function ensureSharedBuilt() {
  const dist = join(ROOT, 'shared/dist/index.js');
  const src = join(ROOT, 'shared/src');
  const newest = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs));
  if (existsSync(dist) && statSync(dist).mtimeMs >= newest) return;
  console.log('building shared/ ...');
  execFileSync('npm', ['run', 'build', '-w', 'shared'], { cwd: ROOT, stdio: 'inherit' });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The join benchmark runs the built app (server/dist serving client/dist): build it when a source is newer. */
function ensureAppBuilt() {
  const outputs = [join(ROOT, 'server/dist/main.js'), join(ROOT, 'client/dist/index.html')];
  const newest = Math.max(
    ...['shared/src', 'server/src', 'client/src'].map((d) => newestMtime(join(ROOT, d))),
  );
  if (outputs.every((o) => existsSync(o) && statSync(o).mtimeMs >= newest)) return;
  console.log('building the app (npm run build) ...');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/** The bench children are compiled apart (server/dist-bench), never into the production build. */
function ensureBenchChildrenBuilt() {
  const output = join(ROOT, 'server/dist-bench/attendance/ledger-bench.child.js');
  const newest = Math.max(...['shared/src', 'server/src'].map((d) => newestMtime(join(ROOT, d))));
  if (existsSync(output) && statSync(output).mtimeMs >= newest) return;
  console.log('building the bench children (npm run build:bench -w server) ...');
  execFileSync('npm', ['run', 'build:bench', '-w', 'server'], { cwd: ROOT, stdio: 'inherit' });
}

async function main() {
  const started = Date.now();
  ensureSharedBuilt();
  ensureAppBuilt();
  ensureBenchChildrenBuilt();
  const results = [
    await rosterImportBench(Number(process.env.BENCH_ROWS ?? 10_000)),
    await joinBench(),
    ...(await attendanceBench()),
    await minutesSearchBench(Number(process.env.BENCH_MINUTES ?? 10_000)),
    await statisticsBench(),
    await firstLoadBench(),
    await weakNetworkBench(),
  ];
  const warned = results.filter((r) => !r.pass).length;
  console.log(
    `\nbenchmarks done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${results.length - warned} PASS, ${warned} WARN`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
