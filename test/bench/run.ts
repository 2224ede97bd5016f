/**
 * Benchmarks: `node -r ts-node/register/transpile-only test/bench/run.ts` from the repository root (needs
 * PostgreSQL at DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres). Prints measurements and
 * ratios against baselines measured in the same run; a missed target is a WARN, never a failure.
 */
import { ensureAppBuilt, ensureBenchChildrenBuilt, ensureSharedBuilt } from './app-build';
import { attendanceBench } from './attendance.bench';
import { firstLoadBench } from './first-load.bench';
import { joinBench } from './join.bench';
import { minutesSearchBench } from './minutes-search.bench';
import { rosterImportBench } from './roster-import.bench';
import { statisticsBench } from './statistics.bench';
import { weakNetworkBench } from './weak-network.bench';

// One default for every benchmark (the join benchmark's app server reads it too).
process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

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
