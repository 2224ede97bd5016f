/**
 * Child process of `test/bench/run.ts`: the whole app on a fresh, migrated and seeded database, listening on
 * 127.0.0.1. It answers the parent over IPC, so the parent can read this process's RSS high-water mark with
 * nothing but the server in it (the file is generated and sent by the parent).
 *
 * Messages in: 'report' → { rssMB, maxRssMB }; 'stop' → closes the app, drops the database, exits.
 * Message out on start: { port, rssMB, maxRssMB, branchA }.
 */
import { AddressInfo } from 'node:net';
import { demoUnits } from './fixtures';
import { startTestApp } from './int-app';

process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

const memory = () => ({
  rssMB: process.memoryUsage().rss / 2 ** 20,
  maxRssMB: process.resourceUsage().maxRSS / 1024,
});

async function main() {
  if (!process.send) throw new Error('bench-server runs as a child process of test/bench/run.ts');
  const t = await startTestApp();
  const server = await t.app.listen(0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  const { branchA } = await demoUnits(t.ds);
  process.on('message', (msg) => {
    if (msg === 'report') process.send!({ ...memory() });
    if (msg === 'stop') {
      t.close().then(
        () => process.exit(0),
        (e: unknown) => {
          console.error(e);
          process.exit(1);
        },
      );
    }
  });
  process.send({ port, branchA, ...memory() });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
