/**
 * Child process of `test/bench/statistics.bench.ts`: the whole app on a fresh, migrated database with the demo
 * organisation and a generated one (50 branches × 30 members × a year of 三会一课, see statistics-org.ts),
 * listening on 127.0.0.1. The parent times requests over HTTP, so the server has this process to itself.
 *
 * Message out on start: { port, demo: { committee, branchA }, large: { committee, branch, meetings, records },
 * generateMs }. Message in: 'stop' → closes the app, drops the database, exits.
 */
import { AddressInfo } from 'node:net';
import { demoUnits } from './fixtures';
import { startTestApp } from './int-app';
import { generateStatisticsOrg } from './statistics-org';

process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

async function main() {
  if (!process.send)
    throw new Error('statistics-bench-server runs as a child of test/bench/statistics.bench.ts');
  const t = await startTestApp();
  const server = await t.app.listen(0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  const demo = await demoUnits(t.ds);
  const [{ password_hash: passwordHash }]: { password_hash: string }[] = await t.ds.query(
    `SELECT password_hash FROM app_user WHERE username = 'committee'`,
  );
  const started = performance.now();
  const large = await generateStatisticsOrg(t.ds, {
    branches: Number(process.env.BENCH_BRANCHES ?? 50),
    members: Number(process.env.BENCH_MEMBERS ?? 30),
    tag: 'B',
    passwordHash,
  });
  const generateMs = performance.now() - started;
  process.on('message', (msg) => {
    if (msg === 'stop')
      t.close().then(
        () => process.exit(0),
        (e: unknown) => {
          console.error(e);
          process.exit(1);
        },
      );
  });
  process.send({
    port,
    demo: { committee: demo.committee, branchA: demo.branchA },
    large: {
      committee: large.committeeId,
      branch: large.branchIds[0],
      branches: large.branchIds.length,
      meetings: large.meetings,
      records: large.records,
    },
    generateMs,
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
