/**
 * The builds the benchmarks run: shared/, the app (server/dist serving client/dist) and the bench children
 * (server/dist-bench), each rebuilt when one of its sources is newer.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/** The server code imports `@branchmeet/shared` from its build: rebuild it when a source is newer. */
export function ensureSharedBuilt() {
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
export function ensureAppBuilt() {
  const outputs = [join(ROOT, 'server/dist/main.js'), join(ROOT, 'client/dist/index.html')];
  const newest = Math.max(
    ...['shared/src', 'server/src', 'client/src'].map((d) => newestMtime(join(ROOT, d))),
  );
  if (outputs.every((o) => existsSync(o) && statSync(o).mtimeMs >= newest)) return;
  console.log('building the app (npm run build) ...');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/** The bench children are compiled apart (server/dist-bench), never into the production build. */
export function ensureBenchChildrenBuilt() {
  const output = join(ROOT, 'server/dist-bench/attendance/ledger-bench.child.js');
  const newest = Math.max(...['shared/src', 'server/src'].map((d) => newestMtime(join(ROOT, d))));
  if (existsSync(output) && statSync(output).mtimeMs >= newest) return;
  console.log('building the bench children (npm run build:bench -w server) ...');
  execFileSync('npm', ['run', 'build:bench', '-w', 'server'], { cwd: ROOT, stdio: 'inherit' });
}
