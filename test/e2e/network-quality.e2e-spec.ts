import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { AppServer, startAppServer } from './support/app-server';
import { artifactsDir, launchBrowser } from './support/browser';
import {
  apiLogin,
  branchId,
  Member,
  openAs,
  peerIdOf,
  until,
  waitFlowing,
  waitStalled,
} from './support/room';

/**
 * Saying what is happening: the secretary (desktop) and a member on a phone-sized page (390×844) meet.
 * Both see signal bars for themselves and on each other's tile; the member's 仅音频 switch stops the video they
 * receive (the server pauses it: framesDecoded stops) and send (their camera is off on the secretary's page);
 * when the member's page dies, the secretary's tile of them says 连接中断 within seconds, while their seat is
 * still held (not only when the socket's grace period ends). Screenshots in test/e2e/artifacts.
 */
describe('connection quality and audio only in the browser', () => {
  let server: AppServer;
  let browser: Browser;
  let host: Member;
  let phone: Member;
  const peer = new Map<Member, string>();
  const quality = (page: Page, testId: string) =>
    page.locator(`[data-testid=${testId}]`).first().getAttribute('data-quality');
  const tileOf = (page: Page, m: Member) =>
    page.locator(`[data-testid=video-tile][data-peer-id="${peer.get(m)}"]`);

  beforeAll(async () => {
    // A long grace period: the phone's seat outlives its page, as on a real dropped link.
    server = await startAppServer({ env: { RTC_RECONNECT_GRACE_SECONDS: '120' } });
    browser = await launchBrowser();
    const t = await apiLogin(server.baseUrl, 'secretary1');
    const b1 = await branchId(server.baseUrl, t.accessToken, '第一党支部');
    host = await openAs(browser, server.baseUrl, 'secretary1');
    phone = await openAs(browser, server.baseUrl, '13800000013', { width: 390, height: 844 });
    await host.page.goto(`${server.baseUrl}/units/${b1}`, { waitUntil: 'domcontentloaded' });
    await host.page.getByTestId('open-meeting').click();
    await host.page.waitForURL(/\/meetings\/[0-9a-f-]+/);
    const meetingUrl = host.page.url();
    await host.page.getByTestId('prejoin-join').click();
    await host.page.getByTestId('room-grid').waitFor();
    await phone.page.goto(meetingUrl, { waitUntil: 'domcontentloaded' });
    await phone.page.getByTestId('prejoin-join').click();
    for (const m of [host, phone]) {
      await m.page.waitForFunction(() => document.querySelectorAll('[data-testid=video-tile]').length === 2);
      await until('joined', async () => (await peerIdOf(m.page)) !== null);
      peer.set(m, (await peerIdOf(m.page))!);
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows good signal bars for oneself and on the other tile while media flows', async () => {
    for (const [m, other] of [
      [host, phone],
      [phone, host],
    ] as const) {
      await waitFlowing(m.page, [
        { peerId: peer.get(other)!, source: 'camera', field: 'framesDecoded' },
        { peerId: peer.get(other)!, source: 'mic', field: 'packetsReceived' },
      ]);
      await until('own quality good', async () => (await quality(m.page, 'self-quality')) === 'good', 15_000);
      await until(
        'the other tile good',
        async () => (await tileOf(m.page, other).getAttribute('data-quality')) === 'good',
        15_000,
      );
    }
    await host.page.screenshot({ path: join(artifactsDir, 'network-quality-desktop.png') });
    await phone.page.screenshot({ path: join(artifactsDir, 'network-quality-phone.png') });
  }, 60_000);

  it('仅音频 stops the video the member receives and sends; turning it off brings the video back', async () => {
    await phone.page.getByTestId('ctl-audio-only').click();
    await until('camera off on the secretary’s page', async () => {
      return (await tileOf(host.page, phone).getAttribute('data-video')) === 'off';
    });
    // The secretary's video no longer arrives on the phone (the server paused it), the sound still does.
    await waitStalled(phone.page, peer.get(host)!, 'camera', 'framesDecoded', { timeoutMs: 15_000 });
    await waitFlowing(phone.page, [{ peerId: peer.get(host)!, source: 'mic', field: 'packetsReceived' }]);
    expect(await phone.page.getByTestId('ctl-audio-only').getAttribute('aria-pressed')).toBe('true');
    await phone.page.screenshot({ path: join(artifactsDir, 'network-audio-only-phone.png') });

    await phone.page.getByTestId('ctl-audio-only').click();
    await waitFlowing(
      phone.page,
      [{ peerId: peer.get(host)!, source: 'camera', field: 'framesDecoded' }],
      20_000,
    );
  }, 90_000);

  it('when the member’s page dies, their tile says 连接中断 within seconds, while their seat is still held', async () => {
    const closedAt = Date.now();
    await phone.context.close();
    const lost = tileOf(host.page, phone).getByTestId('tile-lost');
    await lost.waitFor({ timeout: 15_000 });
    const seconds = (Date.now() - closedAt) / 1000;
    expect(await lost.textContent()).toBe('连接中断');
    // Still seated (the grace period is 120 s): the badge came from the stalled media, not from a peer.left.
    expect(await host.page.locator('[data-testid=video-tile]').count()).toBe(2);
    // The secretary's own link is fine (RTCP for their own media still arrives): no "reconnecting" for them,
    // and the other's silence is no reason to pause their video.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await host.page.getByTestId('self-reconnecting').count()).toBe(0);
    expect(await quality(host.page, 'self-quality')).not.toBe('lost');
    expect(await host.page.getByTestId('weak-network-notice').count()).toBe(0);
    console.log(`tile said 连接中断 ${seconds.toFixed(1)} s after the page died`);
    await host.page.screenshot({ path: join(artifactsDir, 'network-peer-lost-desktop.png') });
  }, 60_000);
});
