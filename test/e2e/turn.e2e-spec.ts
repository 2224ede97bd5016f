import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { AppServer, startAppServer } from './support/app-server';
import { launchBrowser } from './support/browser';
import { firstFrameAfterJoin, hostNewMeeting, Member, openAs } from './support/room';

/**
 * The network paths for members behind firewalls, proven with Debian's coturn (started here on
 * loopback with a temporary config and the server's TURN_SECRET) and Chromium. A viewer whose transports may
 * use TURN relays only (iceTransportPolicy 'relay') decodes the host's camera through coturn over UDP, over TCP
 * and over TLS (turns:, a certificate made here), and coturn's log shows the relay allocations. Each prints the
 * time from 加入 to the first decoded frame. (ICE-TCP with UDP blocked and no TURN: ice-tcp.e2e-spec.ts.)
 */
jest.setTimeout(240_000);

const TURNSERVER = '/usr/bin/turnserver';
const SECRET = randomBytes(24).toString('hex');

async function freeTcpUdpPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    const tcp = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    const udp = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (tcp && udp) return port;
  }
  throw new Error('no free port');
}

async function waitTcp(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('TURN (coturn) and ICE-TCP paths in Chromium', () => {
  let dir: string;
  let coturn: ChildProcess | undefined;
  let coturnLog = '';
  let port = 0; // TURN over UDP and TCP
  let tlsPort = 0; // TURN over TLS

  beforeAll(async () => {
    if (!existsSync(TURNSERVER))
      throw new Error(`${TURNSERVER} not found: install Debian's coturn (apt-get install -y coturn)`);
    dir = mkdtempSync(join(tmpdir(), 'bm-turn-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' }); // prettier-ignore
    port = await freeTcpUdpPort();
    tlsPort = await freeTcpUdpPort();
    const relayMin = 50000 + Math.floor(Math.random() * 100) * 100;
    writeFileSync(
      join(dir, 'turnserver.conf'),
      [
        'listening-ip=127.0.0.1',
        'relay-ip=127.0.0.1',
        `listening-port=${port}`,
        `tls-listening-port=${tlsPort}`,
        `min-port=${relayMin}`,
        `max-port=${relayMin + 99}`,
        'use-auth-secret',
        `static-auth-secret=${SECRET}`,
        'realm=branchmeet',
        `cert=${join(dir, 'cert.pem')}`,
        `pkey=${join(dir, 'key.pem')}`,
        'fingerprint',
        'no-cli',
        'no-dtls',
        'no-multicast-peers',
        // The SFU listens on loopback in this test; coturn refuses loopback peers unless told.
        'allow-loopback-peers',
        `log-file=${join(dir, 'turn.log')}`,
        'simple-log',
        'verbose',
        `pidfile=${join(dir, 'turnserver.pid')}`,
        '',
      ].join('\n'),
    );
    coturn = spawn(TURNSERVER, ['-c', join(dir, 'turnserver.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    coturn.stdout?.on('data', (d: Buffer) => (coturnLog += d.toString()));
    coturn.stderr?.on('data', (d: Buffer) => (coturnLog += d.toString()));
    await waitTcp(port);
    await waitTcp(tlsPort);
  });

  /** Relay allocations coturn granted so far (its log file). */
  const allocations = () =>
    (readFileSync(join(dir, 'turn.log'), 'utf8').match(/ALLOCATE processed, success/g) ?? []).length;
  const coturnFileLog = () => readFileSync(join(dir, 'turn.log'), 'utf8');

  afterAll(async () => {
    if (process.env.E2E_DEBUG) process.stderr.write(coturnLog);
    if (coturn && coturn.exitCode === null) {
      coturn.kill('SIGTERM');
      await new Promise((r) => (coturn!.exitCode !== null ? r(null) : coturn!.once('exit', r)));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A fresh server handing out `turnUrls`; the host joins with camera and mic from `hostBrowser`, the viewer
   * from `viewerBrowser` (relay-only when `relay`). Resolves with the viewer's time from 加入 to the first decoded
   * frame of the host's camera, after at least 20 frames were decoded.
   */
  async function viewerSeesHost(opts: {
    turnUrls: string;
    relay: boolean;
    viewerBrowser: Browser;
    hostBrowser: Browser;
    /** Runs while both pages are still in the room (checks of the live connections). */
    whileConnected?: (server: AppServer) => Promise<void>;
  }): Promise<{ firstFrameMs: number; server: AppServer }> {
    const server = await startAppServer({
      mediaWorkers: 1,
      env: { TURN_URLS: opts.turnUrls, TURN_SECRET: SECRET },
    });
    const members: Member[] = [];
    try {
      const { host, meetingId, hostPeer } = await hostNewMeeting(opts.hostBrowser, server.baseUrl);
      members.push(host);

      const viewer = await openAs(opts.viewerBrowser, server.baseUrl, '13800000012');
      members.push(viewer);
      await viewer.page.goto(`${server.baseUrl}/meetings/${meetingId}`, { waitUntil: 'domcontentloaded' });
      // Read when the room creates its transports (on 加入): relay candidates only.
      if (opts.relay)
        await viewer.page.evaluate(() => localStorage.setItem('branchmeet.iceTransportPolicy', 'relay'));
      const firstFrameMs = await firstFrameAfterJoin(
        viewer.page,
        hostPeer,
        "the host's first video frame on the viewer's page",
      );
      await opts.whileConnected?.(server);
      return { firstFrameMs, server };
    } catch (e) {
      process.stderr.write(
        `--- server log ---\n${server.log().slice(-4000)}\n--- coturn ---\n${coturnLog.slice(-4000)}\n`,
      );
      await server.stop();
      throw e;
    } finally {
      for (const m of members) await m.context.close().catch(() => undefined);
    }
  }

  for (const mode of [
    { name: 'UDP', url: () => `turn:127.0.0.1:${port}?transport=udp`, flags: [] as string[] },
    { name: 'TCP', url: () => `turn:127.0.0.1:${port}?transport=tcp`, flags: [] as string[] },
    // A test certificate: Chromium is told to accept it (a real deployment has a CA-signed one).
    {
      name: 'TLS',
      url: () => `turns:localhost:${tlsPort}?transport=tcp`,
      flags: ['--ignore-certificate-errors'],
    },
  ] as const) {
    it(`relay-only viewer decodes the host's camera through coturn over ${mode.name}`, async () => {
      const hostBrowser = await launchBrowser();
      const viewerBrowser = await launchBrowser(mode.flags);
      const before = allocations();
      let during = 0;
      try {
        const { firstFrameMs, server } = await viewerSeesHost({
          turnUrls: mode.url(),
          relay: true,
          hostBrowser,
          viewerBrowser,
          whileConnected: () => {
            during = allocations();
            return Promise.resolve();
          },
        });
        await server.stop();
        // coturn allocated relays (the viewer could use nothing else: relay-only, one TURN URL of this kind).
        if (during <= before) process.stderr.write(`coturn log:\n${coturnFileLog().slice(-3000)}\n`);
        expect(during).toBeGreaterThan(before);
        process.stdout.write(`TURN over ${mode.name}: first frame ${firstFrameMs} ms after 加入\n`);
      } finally {
        await viewerBrowser.close();
        await hostBrowser.close();
      }
    });
  }
});
