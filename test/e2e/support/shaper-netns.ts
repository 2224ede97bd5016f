import { ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LinkProfile } from './shaper';

/**
 * A network namespace for one member's browser, linked to the host only through the user-space shaper:
 *
 *   browser (netns, 10.99.x.2) ⇄ tun B ⇄ socat ⇄ UDP ⇄ shaper.ts ⇄ UDP ⇄ socat ⇄ tun A (host, 10.99.x.1) ⇄ app
 *
 * Both tun devices are made by socat in the host namespace (the shaper talks UDP on loopback with both); tun B
 * is then moved into the namespace (socat keeps its file descriptor). Needs root, `ip`, `socat`, /dev/net/tun.
 * `chromium` is a wrapper that runs Debian's Chromium inside the namespace (Playwright's pipe survives the exec).
 */
export interface ShapedNamespace {
  name: string;
  /** The host's address on the link: the app must listen here (or on 0.0.0.0) and announce it for media. */
  hostAddress: string;
  memberAddress: string;
  chromium: string;
  setProfile(profile: LinkProfile): void;
  counters(): Promise<unknown>;
  close(): Promise<void>;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' });

export function shapingAvailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  for (const tool of ['ip', 'socat'])
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' });
    } catch {
      return `${tool} not found`;
    }
  return null;
}

async function waitForLink(name: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      run('ip', ['link', 'show', name]);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`tun device ${name} did not appear`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function createShapedNamespace(profile: LinkProfile = {}): Promise<ShapedNamespace> {
  const why = shapingAvailable();
  if (why) throw new Error(`cannot shape a link: ${why}`);
  const id = randomBytes(2).toString('hex');
  const octet = 10 + (parseInt(id, 16) % 200);
  const name = `bmw${id}`;
  const [tunA, tunB] = [`bmwa${id}`, `bmwb${id}`];
  const hostAddress = `10.99.${octet}.1`;
  const memberAddress = `10.99.${octet}.2`;
  const base = 41000 + Math.floor(Math.random() * 8000) * 2;
  const ports = { socatA: base, shaperA: base + 1, socatB: base + 2, shaperB: base + 3 } as const;
  const children: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bm-weak-'));
  const cleanup = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    try {
      run('ip', ['netns', 'del', name]);
    } catch {
      // not created
    }
    try {
      run('ip', ['link', 'del', tunA]);
    } catch {
      // gone with its socat
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('ip', ['netns', 'add', name]);
    run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    const shaper = fork(
      join(__dirname, 'shaper.ts'),
      [ports.shaperA, ports.socatA, ports.shaperB, ports.socatB].map(String),
      {
        execArgv: ['-r', 'ts-node/register/transpile-only'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    children.push(shaper);
    await new Promise<void>((resolve, reject) => {
      shaper.once('message', () => resolve());
      shaper.once('exit', (code) => reject(new Error(`shaper exited (${code})`)));
    });
    for (const [tun, addr, peer, own, to] of [
      [tunA, hostAddress, memberAddress, ports.socatA, ports.shaperA],
      [tunB, memberAddress, hostAddress, ports.socatB, ports.shaperB],
    ] as const) {
      const socat = spawn(
        'socat',
        [
          `TUN:${addr}/32,tun-name=${tun},iff-no-pi,iff-up`,
          `UDP-DATAGRAM:127.0.0.1:${to},bind=127.0.0.1:${own}`,
        ],
        { stdio: 'ignore' },
      );
      children.push(socat);
      await waitForLink(tun);
      if (tun === tunA) run('ip', ['route', 'replace', `${peer}/32`, 'dev', tunA]);
    }
    run('ip', ['link', 'set', tunB, 'netns', name]);
    run('ip', ['-n', name, 'addr', 'add', `${memberAddress}/32`, 'dev', tunB]);
    run('ip', ['-n', name, 'link', 'set', tunB, 'up']);
    run('ip', ['-n', name, 'route', 'add', `${hostAddress}/32`, 'dev', tunB]);
    run('ip', ['-n', name, 'route', 'add', 'default', 'via', hostAddress, 'dev', tunB, 'onlink']);
    // Replies to the member must leave through tun A, whatever reverse-path filtering says.
    try {
      writeFileSync(`/proc/sys/net/ipv4/conf/${tunA}/rp_filter`, '0');
    } catch {
      // not present: nothing to turn off
    }
    const chromium = join(dir, 'chromium');
    writeFileSync(
      chromium,
      `#!/bin/sh\nexec ip netns exec ${name} ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} "$@"\n`,
    );
    chmodSync(chromium, 0o755);
    const setProfile = (p: LinkProfile) => shaper.send({ profile: p });
    setProfile(profile);
    return {
      name,
      hostAddress,
      memberAddress,
      chromium,
      setProfile,
      counters: () =>
        new Promise((resolve) => {
          shaper.once('message', resolve);
          shaper.send({ stats: true });
        }),
      async close() {
        if (shaper.connected) shaper.disconnect();
        cleanup();
        await new Promise((r) => setTimeout(r, 100));
      },
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}
