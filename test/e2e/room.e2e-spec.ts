import { join } from 'node:path';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { AppServer, startAppServer } from './support/app-server';
import { artifactsDir, launchBrowser } from './support/browser';
import {
  apiLogin,
  branchId,
  Flow,
  Member,
  openAs,
  peerIdOf,
  stats,
  until,
  waitFlowing,
  waitStalled,
} from './support/room';

/**
 * Three members of 第一党支部 meet through the real UI (fake camera/mic in Debian's
 * Chromium, the built server with its real mediasoup worker). Every media check reads the browsers' own receive
 * statistics (`window.__bmRoom.stats()`, i.e. RTCInboundRtpStreamStats of each mediasoup consumer).
 */
describe('live meeting room in the browser', () => {
  let server: AppServer;
  let browser: Browser;
  let host: Member; // secretary1 李红梅
  let m2: Member; // organizer 张伟
  let m3: Member; // member1 刘洋
  let meetingUrl: string;
  let b1: string;
  const peer = new Map<Member, string>();
  /** m3's /rtc websockets, routed through Playwright so the test can cut them. */
  const m3Sockets: WebSocketRoute[] = [];

  const all = () => [host, m2, m3];
  const others = (m: Member) => all().filter((x) => x !== m);
  const tiles = (page: Page) => page.locator('[data-testid=video-tile]').count();
  const cameraAndMic = (m: Member, min = 10): Flow[] =>
    others(m).flatMap((o) => [
      { peerId: peer.get(o)!, source: 'camera' as const, field: 'framesDecoded' as const, min },
      { peerId: peer.get(o)!, source: 'mic' as const, field: 'packetsReceived' as const, min },
    ]);

  beforeAll(async () => {
    server = await startAppServer({ mediaWorkers: 1 });
    browser = await launchBrowser();
    const t = await apiLogin(server.baseUrl, 'secretary1');
    b1 = await branchId(server.baseUrl, t.accessToken, '第一党支部');
    host = await openAs(browser, server.baseUrl, 'secretary1');
    m2 = await openAs(browser, server.baseUrl, '13800000012');
    m3 = await openAs(browser, server.baseUrl, '13800000013', { width: 390, height: 844 });
    await m3.context.routeWebSocket(/\/socket\.io\//, (ws) => {
      ws.connectToServer();
      m3Sockets.push(ws);
    });
  });

  afterAll(async () => {
    if (process.env.E2E_DEBUG) process.stderr.write(server?.log() ?? '');
    await browser?.close();
    await server?.stop();
  });

  const shootOnFailure = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      for (const m of all()) {
        await m?.page
          .screenshot({ path: join(artifactsDir, `room-fail-${name}-${m.label}.png`) })
          .catch(() => undefined);
      }
      throw e;
    }
  };

  it('the secretary opens a meeting from the branch page; two members join from its live list', async () => {
    await shootOnFailure('join', async () => {
      await host.page.goto(`${server.baseUrl}/units/${b1}`, { waitUntil: 'domcontentloaded' });
      await host.page.getByTestId('open-meeting').click();
      await host.page.waitForURL(/\/meetings\/[0-9a-f-]+/);
      meetingUrl = host.page.url();
      await host.page.getByTestId('prejoin-preview').waitFor();
      await host.page.getByTestId('prejoin-join').click();
      await host.page.getByTestId('room-grid').waitFor();

      const meetingId = meetingUrl.split('/meetings/')[1];
      for (const m of [m2, m3]) {
        await m.page.goto(`${server.baseUrl}/units/${b1}`, { waitUntil: 'domcontentloaded' });
        const item = m.page.locator(`[data-testid=live-meeting][data-meeting-id="${meetingId}"]`);
        await item.getByTestId('join-meeting').click();
        await m.page.waitForURL(meetingUrl);
        await m.page.getByTestId('prejoin-join').click();
      }
      for (const m of all()) {
        await m.page.waitForFunction(
          () => document.querySelectorAll('[data-testid=video-tile]').length === 3,
        );
        await until('joined', async () => (await peerIdOf(m.page)) !== null);
        peer.set(m, (await peerIdOf(m.page))!);
      }
      expect(new Set(peer.values()).size).toBe(3);
    });
  });

  it("each page decodes both others' video and receives their audio", async () => {
    await shootOnFailure('media', async () => {
      for (const m of all()) {
        const growth = await waitFlowing(m.page, cameraAndMic(m, 20));
        expect(growth.every((g) => g >= 20)).toBe(true);
        // one camera + one mic consumer per other participant, nothing else
        const rows = await stats(m.page);
        expect(rows.filter((r) => r.source === 'camera')).toHaveLength(2);
        expect(rows.filter((r) => r.source === 'mic')).toHaveLength(2);
      }
      await host.page.screenshot({ path: join(artifactsDir, 'room-three.png') });
      await m3.page.screenshot({ path: join(artifactsDir, 'room-three-phone.png') });
    });
  });

  it('a screen share is decoded by the other two', async () => {
    await shootOnFailure('screen', async () => {
      await m2.page.getByTestId('ctl-screen').click();
      for (const m of [host, m3]) {
        await m.page.getByTestId('screen-tile').waitFor();
        await waitFlowing(m.page, [
          { peerId: peer.get(m2)!, source: 'screen', field: 'framesDecoded', min: 10 },
        ]);
      }
      await host.page.screenshot({ path: join(artifactsDir, 'room-screen-share.png') });
      await m2.page.getByTestId('ctl-screen').click();
      for (const m of [host, m3]) {
        await until(
          'screen consumer closed',
          async () => !(await stats(m.page)).some((r) => r.source === 'screen'),
        );
      }
    });
  });

  it("the host mutes a member: the member's mic shows muted and its audio stops reaching everyone", async () => {
    await shootOnFailure('mute', async () => {
      const target = peer.get(m2)!;
      // before: m2's audio flows to the host and m3
      for (const m of [host, m3])
        await waitFlowing(m.page, [{ peerId: target, source: 'mic', field: 'packetsReceived' }]);
      // the stall check used below is discriminating: on live audio it fails (one 1.5 s window, no retry)
      await expect(
        waitStalled(m3.page, target, 'mic', 'packetsReceived', { windowMs: 1500, slack: 1, timeoutMs: 0 }),
      ).rejects.toThrow(/still grows/);

      await host.page.getByTestId('ctl-participants').click();
      await host.page.getByTestId(`host-mute-${target}`).click();

      // the muted member's own UI: mic button off
      await m2.page.waitForFunction(
        () => document.querySelector('[data-testid=ctl-mic]')?.getAttribute('aria-pressed') === 'false',
      );
      // the host's participants panel shows the member's mic off (the server's producer.paused event)
      await host.page
        .locator(`[data-testid=participant][data-peer-id="${target}"] [data-testid=peer-mic-off]`)
        .waitFor();
      // The SFU stops forwarding: a paused producer sends nothing to its consumers, whereas a merely disabled
      // browser track would keep sending Opus silence (~50 packets/s). So on both other pages the packet counter
      // of m2's audio consumer stands still, while the host's audio (the control) still flows on m3's page.
      for (const m of [host, m3]) {
        const quiet = await waitStalled(m.page, target, 'mic', 'packetsReceived', {
          windowMs: 1500,
          slack: 1,
        });
        expect(quiet).toBeLessThanOrEqual(1);
      }
      await waitFlowing(m3.page, [{ peerId: peer.get(host)!, source: 'mic', field: 'packetsReceived' }]);
      await host.page.getByTestId('ctl-participants').click();
    });
  });

  it('a member of another branch is refused and never appears in the room', async () => {
    await shootOnFailure('refused', async () => {
      const outsider = await openAs(browser, server.baseUrl, 'member2');
      try {
        await outsider.page.goto(meetingUrl, { waitUntil: 'domcontentloaded' });
        await outsider.page.getByTestId('meeting-error').waitFor();
        expect(await outsider.page.getByTestId('prejoin-join').count()).toBe(0);
        expect(await outsider.page.evaluate(() => window.__bmRoom === undefined)).toBe(true);
        await outsider.page.screenshot({ path: join(artifactsDir, 'room-refused.png') });
        // the room stays the three of them
        for (const m of all()) {
          expect(await tiles(m.page)).toBe(3);
          expect(await m.page.locator('[data-testid=video-tile][data-peer-name="朱琳"]').count()).toBe(0);
        }
      } finally {
        await outsider.context.close();
      }
    });
  });

  it('a page whose socket is cut reconnects into the same seat and media resumes, with no duplicate', async () => {
    await shootOnFailure('reconnect', async () => {
      const before = peer.get(m3)!;
      const live = m3Sockets.filter((ws) => ws.url().includes('transport=websocket'));
      expect(live.length).toBeGreaterThan(0);
      // Cut every /rtc websocket of m3, both ends (as a network drop does: the server sees the socket go too).
      for (const ws of live) {
        await ws.close({ code: 4000, reason: 'test cut' }).catch(() => undefined);
      }
      await m3.page.waitForFunction(
        () =>
          document.querySelector('[data-testid=connection-state]')?.getAttribute('data-state') !== 'joined',
        null,
        { timeout: 10_000 },
      );
      // while m3 is away and back, the others never see a fourth (or a missing-then-duplicated) tile
      let maxTiles = 0;
      await until(
        'm3 joined again',
        async () => {
          for (const m of [host, m2]) maxTiles = Math.max(maxTiles, await tiles(m.page));
          const state = await m3.page.getByTestId('connection-state').getAttribute('data-state');
          return state === 'joined';
        },
        30_000,
        100,
      );
      expect(await peerIdOf(m3.page)).toBe(before);

      // media resumes both ways (m2 is muted by the host: its audio is not expected)
      await waitFlowing(m3.page, [
        { peerId: peer.get(host)!, source: 'camera', field: 'framesDecoded', min: 20 },
        { peerId: peer.get(m2)!, source: 'camera', field: 'framesDecoded', min: 20 },
        { peerId: peer.get(host)!, source: 'mic', field: 'packetsReceived', min: 20 },
      ]);
      for (const m of [host, m2]) {
        await waitFlowing(m.page, [
          { peerId: before, source: 'camera', field: 'framesDecoded', min: 20 },
          { peerId: before, source: 'mic', field: 'packetsReceived', min: 20 },
        ]);
      }
      expect(maxTiles).toBe(3);
      for (const m of all()) {
        expect(await tiles(m.page)).toBe(3);
        const peerTiles = await m.page
          .locator('[data-testid=video-tile]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-peer-id')));
        expect(new Set(peerTiles).size).toBe(3);
      }
      // the host's participants list: three people, m3 once
      await host.page.getByTestId('ctl-participants').click();
      await until(
        'participants listed',
        async () => (await host.page.getByTestId('participant').count()) === 3,
      );
      expect(await host.page.locator(`[data-testid=participant][data-peer-id="${before}"]`).count()).toBe(1);
      await host.page.screenshot({ path: join(artifactsDir, 'room-after-reconnect.png') });
    });
  });
});
