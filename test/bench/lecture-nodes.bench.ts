/**
 * A lecture across nodes: one lecturer to N receivers over 1, 2 and 3 nodes (one worker each, routers joined by
 * PipeTransports with SRTP and RTX), each worker's CPU and the loss, and the ratios to one node. The measurement
 * lives in server/src/test-support/lecture-nodes-bench.ts (it drives the server's MediaService under the server's
 * TypeScript settings); this starts it and passes its output through.
 *   npm run bench:lecture-nodes -w test        (from the repository root; about a minute)
 * Not part of `npm test` nor of `npm run bench` (it saturates cores on purpose).
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export function lectureNodesBench(): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(ROOT, 'server/src/test-support/lecture-nodes-bench.ts')],
      {
        cwd: join(ROOT, 'server'),
        stdio: 'inherit',
        env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'server/tsconfig.json') },
      },
    );
    child.on('error', fail);
    child.on('exit', (code) => done(code ?? 1));
  });
}

if (require.main === module) void lectureNodesBench().then((code) => process.exit(code));
