/**
 * Lecture benchmark: one lecturer (audio + simulcast video) to N receive-only
 * consumers on one mediasoup worker; the largest N with worker CPU < 85% of one core and packet loss < 1%, for
 * BranchMeet's media layer and for a bare mediasoup script in the same run, and their ratio (target ≥ 0.95).
 *
 * The measurement lives in server/src/test-support/lecture-bench.ts (it drives the server's MediaService, whose
 * decorators need the server's TypeScript settings); this starts it with those and passes its output through.
 *   npm run bench:lecture -w test        (from the repository root; about 2–4 minutes)
 * Not part of `npm test` nor of `npm run bench` (it saturates a core on purpose).
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export function lectureBench(): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(ROOT, 'server/src/test-support/lecture-bench.ts')],
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

if (require.main === module) void lectureBench().then((code) => process.exit(code));
