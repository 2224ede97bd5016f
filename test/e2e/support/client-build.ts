import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(__dirname, '../../..');
const clientDir = join(root, 'client');
/** The browser tests' client: built with test hooks (`vite build --mode e2e`, client/.env.e2e). */
export const TEST_CLIENT_DIST = join(clientDir, 'dist-e2e');
const stamp = join(TEST_CLIENT_DIST, '.built');
const sources = [
  'client/src',
  'client/public',
  'client/build',
  'client/index.html',
  'client/vite.config.ts',
  'client/package.json',
  'client/.env.e2e',
  'shared/src',
  'test/e2e/support/client-build.ts',
].map((p) => join(root, p));

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let latest = st.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/**
 * The test hooks (`window.__bmRoom`, the TURN tests' relay-only switch) are compiled into a client built for the
 * tests only, never into client/dist: builds it unless it is newer than every client and shared source. Returns
 * its directory, for the server's CLIENT_DIST.
 */
export function ensureTestClient(): string {
  const latest = Math.max(...sources.map(newest));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= latest) return TEST_CLIENT_DIST;
  const vite = join(dirname(require.resolve('vite/package.json', { paths: [clientDir] })), 'bin/vite.js');
  execFileSync(process.execPath, [vite, 'build', '--mode', 'e2e', '--outDir', 'dist-e2e', '--emptyOutDir'], {
    cwd: clientDir,
    // A production build (jest runs with NODE_ENV=test, which would give React's development build).
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  writeFileSync(stamp, new Date().toISOString());
  return TEST_CLIENT_DIST;
}
