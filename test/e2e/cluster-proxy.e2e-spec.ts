import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Browser } from 'playwright-core';
import {
  connectTestRedis,
  dropPrefix,
  TEST_REDIS_URL,
  testPrefix,
} from '../../server/src/cluster/redis-test-support';
import {
  freePort,
  randomMediaPortBase,
  spawnNode,
  stopNode,
  waitHealthy,
  type ClusterNode,
} from '../../server/src/cluster/test-support/node-processes';
import { artifactsDir, launchBrowser } from './support/browser';
import { ensureTestClient } from './support/client-build';
import { parseProxyLog, startProxy, type Proxy } from './support/haproxy';
import {
  apiCall,
  apiLogin,
  branchId,
  firstFrameAfterJoin,
  Member,
  openAs,
  peerIdOf,
  until,
  waitFlowing,
} from './support/room';

/**
 * The production path of several nodes: two built server processes on one fresh database and one Redis (a key
 * prefix of their own), behind Debian's HAProxy running deploy/haproxy/haproxy.cfg (the file docker-compose
 * mounts) with HTTPS. Each node's NODE_URL is the proxy's /node/<id>. Chromium talks to the proxy only. The host
 * enters through node-1 and a member through node-2 (the proxy's stickiness cookie); whichever of them reached
 * a node that does not own the meeting is redirected to the owner's /node/<id> route, and they see and hear each
 * other. The proxy's log shows which node each socket went to.
 */
jest.setTimeout(240_000);

describe('two nodes behind the reverse proxy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bm-proxy-'));
  const serverUrl = process.env.DATABASE_URL;
  const dbName = `bm_e2e_proxy_${randomBytes(6).toString('hex')}`;
  const prefix = testPrefix();
  const nodes: ClusterNode[] = [];
  let proxy: Proxy | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!serverUrl) throw new Error('e2e tests need DATABASE_URL (a PostgreSQL server)');
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const databaseUrl = new URL(serverUrl);
    databaseUrl.pathname = `/${dbName}`;
    const ports = { http: await freePort(), tls: await freePort() };
    const publicUrl = `https://127.0.0.1:${ports.tls}`;
    const common = {
      databaseUrl: databaseUrl.toString(),
      redisUrl: TEST_REDIS_URL,
      prefix,
      jwtSecret: randomBytes(32).toString('hex'),
      auditKey: randomBytes(32).toString('hex'),
      dir,
      built: true,
    };
    const mediaBase = randomMediaPortBase();
    // One after the other: the first migrates the new database and seeds the demo organisation.
    for (const [i, id] of ['node-1', 'node-2'].entries()) {
      const node = spawnNode({
        ...common,
        id,
        port: await freePort(),
        nodeUrl: `${publicUrl}/node/${id}`,
        mediaPort: mediaBase + i,
        env: { CLIENT_DIST: ensureTestClient(), SEED_DEMO: i === 0 ? 'true' : 'false', TRUST_PROXY: 'true' },
      });
      nodes.push(node);
      await waitHealthy(node, 90_000);
    }
    proxy = await startProxy(dir, ports, [new URL(nodes[0].url).host, new URL(nodes[1].url).host]);
    browser = await launchBrowser([`--ignore-certificate-errors-spki-list=${proxy.spki}`]);
  });

  afterAll(async () => {
    if (process.env.E2E_DEBUG) {
      for (const n of nodes) process.stderr.write(`--- ${n.id}\n${n.log.join('')}`);
      process.stderr.write(`--- haproxy\n${proxy?.log() ?? ''}`);
    }
    await browser?.close();
    await proxy?.stop();
    await Promise.all(nodes.map((n) => stopNode(n, 'SIGKILL')));
    if (serverUrl) {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    }
    const redis = await connectTestRedis();
    await dropPrefix(redis, prefix).finally(() => redis.quit());
    rmSync(dir, { recursive: true, force: true });
  });

  it('plain HTTP is sent to HTTPS, and a node id the proxy does not know is a 404', async () => {
    const res = await fetch(`${proxy!.httpUrl}/api/health`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toMatch(/^https:\/\/127\.0\.0\.1(:\d+)?\/api\/health$/);
    expect((await proxy!.get('/node/node-9/api/health')).status).toBe(404);
    expect(JSON.parse((await proxy!.get('/api/health')).body)).toMatchObject({ db: 'up' });
  });

  /** A page's entry into the app: its member, the websockets it opened, the requests it sent elsewhere. */
  interface Entry {
    m: Member;
    sockets: string[];
    elsewhere: string[];
  }

  /**
   * The secretary schedules a meeting (through a node directly: the same JWT secret on both) and joins it in a
   * browser that entered through node-1; a member joins through node-2. Both pages only see the proxy. Waits until
   * each decodes the other's camera and receives their microphone.
   */
  async function meet(members: Member[]) {
    const { httpsUrl } = proxy!;
    const api = nodes[0].url;
    const t = await apiLogin(api, 'secretary1');
    const unit = await branchId(api, t.accessToken, '第一党支部');
    const meeting = await apiCall<{ id: string }>(api, t.accessToken, `/org-units/${unit}/meetings`, {
      type: 'branch_assembly',
      start: new Date(Date.now() + 60_000).toISOString(),
    });
    const enter = async (login: string, node: string): Promise<Entry> => {
      const m = await openAs(browser!, api, login);
      members.push(m);
      await m.context.addCookies([{ name: 'BMNODE', value: node, url: httpsUrl, httpOnly: true }]);
      const entry: Entry = { m, sockets: [], elsewhere: [] };
      m.context.on('request', (r) => {
        if (!r.url().startsWith(`${httpsUrl}/`) && !/^(data|blob):/.test(r.url()))
          entry.elsewhere.push(r.url());
      });
      m.page.on('websocket', (ws) => entry.sockets.push(ws.url()));
      await m.page.goto(`${httpsUrl}/meetings/${meeting.id}`, { waitUntil: 'domcontentloaded' });
      return entry;
    };
    const host = await enter('secretary1', 'node-1');
    await host.m.page.getByTestId('prejoin-join').click();
    await until('host joined', async () => (await peerIdOf(host.m.page)) !== null, 60_000);
    const hostPeer = (await peerIdOf(host.m.page))!;
    const member = await enter('13800000012', 'node-2');
    const firstFrameMs = await firstFrameAfterJoin(
      member.m.page,
      hostPeer,
      "member decodes the host's camera",
    );
    const memberPeer = (await peerIdOf(member.m.page))!;
    await seeAndHear(host, member, hostPeer, memberPeer);
    return { host, member, hostPeer, memberPeer, firstFrameMs };
  }

  /** Each page decodes the other's camera and receives the other's microphone (growing counters). */
  async function seeAndHear(host: Entry, member: Entry, hostPeer: string, memberPeer: string) {
    await waitFlowing(
      member.m.page,
      [
        { peerId: hostPeer, source: 'camera', field: 'framesDecoded', min: 20 },
        { peerId: hostPeer, source: 'mic', field: 'packetsReceived', min: 20 },
      ],
      60_000,
    );
    await waitFlowing(
      host.m.page,
      [
        { peerId: memberPeer, source: 'camera', field: 'framesDecoded', min: 20 },
        { peerId: memberPeer, source: 'mic', field: 'packetsReceived', min: 20 },
      ],
      60_000,
    );
  }

  /** The node that owns the meeting, from the pages' websockets: the one a page was redirected to. */
  function ownerFrom(host: Entry, member: Entry): string {
    const routes = [...host.sockets, ...member.sockets]
      .map((u) => /\/node\/([^/]+)\/socket\.io\//.exec(u)?.[1])
      .filter((id): id is string => id !== undefined);
    if (routes.length === 0) throw new Error('neither page was redirected');
    return routes[0];
  }

  it('a host entering through node-1 and a member through node-2 meet: one is redirected, both see and hear', async () => {
    const members: Member[] = [];
    try {
      const { host, member, firstFrameMs } = await meet(members);
      console.log(`through the proxy: member's first frame of the host ${firstFrameMs} ms after 加入`);
      expect([...host.elsewhere, ...member.elsewhere]).toEqual([]);

      // Closing the pages ends their websockets, which HAProxy logs as they end.
      for (const m of members) await m.context.close();
      const roomSockets = () =>
        parseProxyLog(proxy!.log()).filter(
          (l) => l.path.includes('/socket.io/') && l.path.includes('transport=websocket'),
        );
      await until('the proxy logged the closed websockets', async () => roomSockets().length >= 3, 20_000);
      const lines = roomSockets();
      // Each page's own /rtc socket went to the node it entered through.
      for (const entry of ['node-1', 'node-2'])
        expect(lines).toContainEqual(
          expect.objectContaining({
            entry,
            backend: 'nodes',
            server: entry,
            path: expect.stringMatching(/^\/socket\.io\//),
          }),
        );
      // One page was redirected: its room's socket went to the other node by that node's own route.
      const redirected = lines.filter((l) => l.path.startsWith('/node/'));
      expect(redirected.length).toBeGreaterThanOrEqual(1);
      const owner = redirected[0].server;
      const from = redirected[0].entry;
      expect(from).not.toBe(owner);
      for (const l of redirected) {
        expect(l).toMatchObject({ backend: owner, server: owner, entry: from });
        expect(l.path.startsWith(`/node/${owner}/socket.io/`)).toBe(true);
      }
      // … and the browser saw the same: the redirected page opened a websocket to the owner's /node/ route.
      expect(ownerFrom(host, member)).toBe(owner);
      const redirectedPage = from === 'node-1' ? host : member;
      const other = redirectedPage === host ? member : host;
      expect(redirectedPage.sockets).toContainEqual(
        expect.stringMatching(new RegExp(`^wss://127\\.0\\.0\\.1:\\d+/node/${owner}/socket\\.io/`)),
      );
      expect(other.sockets.filter((u) => u.includes('/node/'))).toEqual([]);
    } finally {
      for (const m of members) await m.context.close().catch(() => undefined);
    }
  });

  it('the owner killed: the proxy stops sending to it, and both pages meet again on the other node', async () => {
    const members: Member[] = [];
    try {
      const { host, member, hostPeer, memberPeer } = await meet(members);
      const owner = nodes.find((n) => n.id === ownerFrom(host, member))!;
      const consumersBefore = async (e: Entry) =>
        new Set(await e.m.page.evaluate(() => window.__bmRoom?.consumerIds() ?? []));
      const before = [await consumersBefore(host), await consumersBefore(member)];
      const killedAt = Date.now();
      await stopNode(owner, 'SIGKILL');
      // New consumers on both pages (a media session on the surviving node), then media through them.
      await until(
        'both pages consume again after the owner died',
        async () => {
          for (const [i, e] of [host, member].entries()) {
            const ids = await e.m.page.evaluate(() => window.__bmRoom?.consumerIds() ?? []);
            if (ids.length < 2 || ids.some((id) => before[i].has(id))) return false;
          }
          return true;
        },
        90_000,
        250,
      );
      await seeAndHear(host, member, hostPeer, memberPeer);
      console.log(
        `owner ${owner.id} killed: both pages see and hear each other again ${Date.now() - killedAt} ms later`,
      );
      // Same seats (peer ids), and the proxy now reports the dead node as down.
      expect(await peerIdOf(host.m.page)).toBe(hostPeer);
      expect(await peerIdOf(member.m.page)).toBe(memberPeer);
      await until(`the proxy took ${owner.id} out`, async () =>
        proxy!.log().includes(`Server nodes/${owner.id} is DOWN`),
      );
      expect((await proxy!.get(`/node/${owner.id}/api/health`)).status).toBe(503);
      expect((await proxy!.get('/api/health')).status).toBe(200);
    } catch (e) {
      for (const m of members) {
        const ids = await m.page.evaluate(() => window.__bmRoom?.consumerIds() ?? []).catch(() => null);
        const text = await m.page
          .locator('body')
          .innerText()
          .catch(() => '');
        process.stderr.write(
          `[after the kill] ${m.label}: consumers ${JSON.stringify(ids)}\n${text.slice(0, 400)}\n`,
        );
        await m.page
          .screenshot({ path: join(artifactsDir, `proxy-kill-${m.label}.png`) })
          .catch(() => undefined);
      }
      throw e;
    } finally {
      for (const m of members) await m.context.close().catch(() => undefined);
    }
  });
});
