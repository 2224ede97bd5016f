/**
 * Runs a benchmark that lives in the server's tree (server/src/test-support/*-bench.ts: it drives the server's own
 * classes, whose decorators need the server's TypeScript settings) in a child process with those settings, and
 * passes its output through. Resolves with its exit code.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export function runServerBench(file: string): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(ROOT, 'server/src/test-support', file)],
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
