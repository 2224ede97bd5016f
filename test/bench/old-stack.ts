/**
 * The old stack for the side-by-side benchmarks (join-vs-old, lecture-vs-old): an install of the commit before the
 * runtime moved to Node 24 and mediasoup 3.32 (Node 20, mediasoup 3.19.3, mediasoup-client 3.18), prepared apart
 * from this repository as the README's "Benchmarks against the old stack" says, and run with its own Node binary.
 *
 * Env: BENCH_OLD_STACK (its directory; default: old-stack beside this repository), BENCH_OLD_NODE (its Node;
 * default /usr/bin/node, the machine's Node 20).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

export interface Install {
  label: string;
  root: string;
  node: string;
  /** `node --version` of `node` */
  nodeVersion: string;
  mediasoup: string;
  mediasoupClient: string;
}

function packageVersion(root: string, name: string): string {
  const file = join(root, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : '?';
}

function describe(label: string, root: string, node: string): Install {
  return {
    label,
    root,
    node,
    nodeVersion: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(),
    mediasoup: packageVersion(root, 'mediasoup'),
    mediasoupClient: packageVersion(root, 'mediasoup-client'),
  };
}

export const describeInstall = (i: Install) =>
  `${i.label}: ${i.root} — Node ${i.nodeVersion}, mediasoup ${i.mediasoup}, mediasoup-client ${i.mediasoupClient}`;

/** This repository, run with the Node that runs the benchmark. */
export const newInstall = (): Install => describe('new', ROOT, process.execPath);

/**
 * The old install, or the reasons it cannot be used (what is missing), for the caller to print and skip. `needs`
 * lists the files (relative to its root) the caller runs besides its Node and its mediasoup worker.
 */
export function oldInstall(needs: string[]): { install: Install } | { missing: string[]; root: string } {
  const root = resolve(process.env.BENCH_OLD_STACK ?? join(ROOT, '../old-stack'));
  const node = process.env.BENCH_OLD_NODE ?? '/usr/bin/node';
  const missing: string[] = [];
  if (!existsSync(node)) missing.push(`its Node binary ${node} (BENCH_OLD_NODE)`);
  if (!existsSync(join(root, 'package.json'))) missing.push(`the install itself (no ${root}/package.json)`);
  else {
    for (const file of needs) if (!existsSync(join(root, file))) missing.push(file);
    // The old postinstall records the worker it found or built here (scripts/mediasoup-worker/postinstall.sh).
    const record = join(root, 'node_modules/.cache/branchmeet/mediasoup-worker-path');
    if (!existsSync(record))
      missing.push('node_modules/.cache/branchmeet/mediasoup-worker-path (npm ci not run)');
    else if (!existsSync(readFileSync(record, 'utf8').trim()))
      missing.push(`its mediasoup worker ${readFileSync(record, 'utf8').trim()}`);
  }
  if (missing.length) return { missing, root };
  return { install: describe('old', root, node) };
}

export function skipMessage(bench: string, root: string, missing: string[]): string {
  return (
    `${bench}: SKIPPED — no usable old install at ${root}; missing: ${missing.join('; ')}.\n` +
    `  Prepare it as the README says ("Benchmarks against the old stack"), or point BENCH_OLD_STACK at it.`
  );
}
