import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A network namespace joined to this host by a veth pair (host side `hostIp`, namespace side `nsIp`, a /30 in
 * 10.77.0.0/16) whose UDP is dropped both ways by iptables inside the namespace: a member behind a firewall
 * that lets only TCP through. `chromium` is a launcher that runs Debian's Chromium inside it; `forward` makes
 * `127.0.0.1:port` inside the namespace reach `hostIp:port` (the page stays on a secure origin, like a member's
 * https site). Needs root (CAP_NET_ADMIN); `remove()` undoes everything, and runs at exit too.
 */
export interface UdpBlockedNetns {
  name: string;
  hostIp: string;
  nsIp: string;
  /** An executable that runs Chromium inside the namespace (for playwright's executablePath). */
  chromium: string;
  /** Inside the namespace, 127.0.0.1:port forwards to hostIp:port (TCP). */
  forward(port: number): Promise<void>;
  /** UDP packets the namespace's firewall dropped so far (both directions). */
  droppedUdp(): number;
  remove(): void;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });

export function createUdpBlockedNetns(): UdpBlockedNetns {
  const id = randomBytes(3).toString('hex');
  const name = `bmice${id}`;
  const [hostIf, nsIf] = [`bmh${id}`, `bmn${id}`];
  const third = 1 + (parseInt(id.slice(0, 2), 16) % 250);
  const fourth = 4 * (parseInt(id.slice(2, 4), 16) % 60);
  const hostIp = `10.77.${third}.${fourth + 1}`;
  const nsIp = `10.77.${third}.${fourth + 2}`;
  const dir = mkdtempSync(join(tmpdir(), 'bm-netns-'));
  const forwarders: ChildProcess[] = [];
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    for (const f of forwarders) f.kill('SIGKILL');
    for (const args of [
      ['link', 'del', hostIf],
      ['netns', 'del', name],
    ])
      try {
        run('ip', args);
      } catch {
        // already gone
      }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', remove);
  const inNs = (cmd: string, args: string[]) => run('ip', ['netns', 'exec', name, cmd, ...args]);
  try {
    run('ip', ['netns', 'add', name]);
    run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    run('ip', ['link', 'set', nsIf, 'netns', name]);
    run('ip', ['addr', 'add', `${hostIp}/30`, 'dev', hostIf]);
    run('ip', ['link', 'set', hostIf, 'up']);
    inNs('ip', ['addr', 'add', `${nsIp}/30`, 'dev', nsIf]);
    inNs('ip', ['link', 'set', nsIf, 'up']);
    inNs('ip', ['link', 'set', 'lo', 'up']);
    inNs('ip', ['route', 'add', 'default', 'via', hostIp]);
    // The firewall: no UDP in or out of the veth (loopback inside stays open, like any machine's).
    inNs('iptables', ['-A', 'OUTPUT', '-o', nsIf, '-p', 'udp', '-j', 'DROP']);
    inNs('iptables', ['-A', 'INPUT', '-i', nsIf, '-p', 'udp', '-j', 'DROP']);
  } catch (e) {
    remove();
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(
      `could not build the UDP-blocked network namespace (needs root, iproute2 and iptables): ` +
        `${err.stderr?.toString().trim() || err.message}`,
    );
  }
  const chromium = join(dir, 'chromium-in-netns.sh');
  writeFileSync(
    chromium,
    `#!/bin/sh\nexec ip netns exec ${name} ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} "$@"\n`,
  );
  chmodSync(chromium, 0o755);
  return {
    name,
    hostIp,
    nsIp,
    chromium,
    async forward(port: number) {
      const script = `const net=require('net');net.createServer(c=>{const u=net.connect(${port},'${hostIp}');c.pipe(u).pipe(c);c.on('error',()=>u.destroy());u.on('error',()=>c.destroy());}).listen(${port},'127.0.0.1',()=>console.log('ready'));`;
      const f = spawn('ip', ['netns', 'exec', name, process.execPath, '-e', script], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      forwarders.push(f);
      await new Promise<void>((resolve, reject) => {
        f.stdout!.once('data', () => resolve());
        f.once('exit', (code) => reject(new Error(`the forwarder in ${name} exited with ${code}`)));
      });
    },
    droppedUdp() {
      const out = inNs('iptables', ['-L', '-v', '-x', '-n']).toString();
      return out
        .split('\n')
        .filter((l) => /\bDROP\b/.test(l) && /\b(udp|17)\b/.test(l))
        .reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[0]), 0);
    },
    remove,
  };
}
