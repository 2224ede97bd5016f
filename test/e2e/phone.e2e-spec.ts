import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { AppServer, startAppServer } from './support/app-server';
import { artifactsDir, launchBrowser } from './support/browser';
import { apiCall, apiLogin, branchId, Member, openAs, peerIdOf, until } from './support/room';

type Box = { x: number; y: number; width: number; height: number };
const PHONE = { width: 390, height: 844 };

/** Whole inside the phone's viewport. */
function expectInside(box: Box | null, what: string) {
  expect({ what, box }).toEqual({ what, box: expect.anything() });
  const b = box!;
  expect({ what, left: b.x >= 0, right: b.x + b.width <= PHONE.width + 0.5 }).toEqual({
    what,
    left: true,
    right: true,
  });
  expect({ what, top: b.y >= 0, bottom: b.y + b.height <= PHONE.height + 0.5 }).toEqual({
    what,
    top: true,
    bottom: true,
  });
}

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function box(locator: Locator): Promise<Box | null> {
  return locator.boundingBox();
}

/**
 * A phone (390×844, touch) in the room, with the secretary on a desktop: the header keeps the recording
 * indicator and the connection state on screen under a long title, the speaker is large and oneself a small
 * picture in the corner, a tap leaves no tooltip over the minutes bar, the participants panel names who is
 * missing, a shared screen goes full screen, and the notification popover stays on the screen. Screenshots in
 * test/e2e/artifacts/phone-*.png.
 */
describe('the room on a phone', () => {
  let server: AppServer;
  let browser: Browser;
  let host: Member;
  let phoneContext: BrowserContext;
  let phone: Page;
  let recordingsDir: string;
  let hostPeer = '';
  const longTitle = '第一党支部二〇二六年第四季度组织生活会暨民主评议党员大会和专题学习研讨（线上）';
  const shoot = (name: string) => phone.screenshot({ path: join(artifactsDir, `phone-${name}.png`) });

  beforeAll(async () => {
    recordingsDir = mkdtempSync(join(tmpdir(), 'bm-phone-rec-'));
    server = await startAppServer({ env: { RECORDINGS_DIR: recordingsDir } });
    browser = await launchBrowser();
    const secretary = await apiLogin(server.baseUrl, 'secretary1');
    const branch = await branchId(server.baseUrl, secretary.accessToken, '第一党支部');
    // Scheduled to start now, recording allowed: the host's joining opens it.
    const meeting = await apiCall<{ id: string }>(
      server.baseUrl,
      secretary.accessToken,
      `/org-units/${branch}/meetings`,
      {
        type: 'branch_assembly',
        title: longTitle,
        start: new Date(Date.now() + 60_000).toISOString(),
        settings: { recordingAllowed: true },
      },
    );
    // 陈静 asked for leave and the secretary approved it: the panel lists her apart from who is not yet in.
    const chen = await apiLogin(server.baseUrl, '13800000014');
    const leave = await apiCall<{ id: string }>(
      server.baseUrl,
      chen.accessToken,
      `/meetings/${meeting.id}/leave-requests`,
      { reason: '出差', type: 'business' },
    );
    await apiCall(server.baseUrl, secretary.accessToken, `/leave-requests/${leave.id}/decision`, {
      approve: true,
    });
    host = await openAs(browser, server.baseUrl, 'secretary1');
    // 刘洋 on a phone: a touch screen of a phone's size.
    const member = await apiLogin(server.baseUrl, 'member1');
    phoneContext = await browser.newContext({
      viewport: PHONE,
      hasTouch: true,
      isMobile: true,
      permissions: ['camera', 'microphone'],
    });
    await phoneContext.addInitScript(
      (tokens) => {
        localStorage.setItem('branchmeet.tokens', JSON.stringify(tokens));
        localStorage.setItem('branchmeet.testHooks', '1');
      },
      { accessToken: member.accessToken, refreshToken: member.refreshToken, expiresIn: member.expiresIn },
    );
    phone = await phoneContext.newPage();
    phone.on('pageerror', (e) => console.warn('[phone pageerror]', e.message));

    await host.page.goto(`${server.baseUrl}/meetings/${meeting.id}`, { waitUntil: 'domcontentloaded' });
    await host.page.getByTestId('prejoin-join').click();
    await host.page.getByTestId('room-grid').waitFor({ timeout: 30_000 });
    await phone.goto(`${server.baseUrl}/meetings/${meeting.id}`, { waitUntil: 'domcontentloaded' });
    await phone.getByTestId('prejoin-join').tap();
    for (const page of [host.page, phone])
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid=video-tile]').length === 2,
        null,
        {
          timeout: 30_000,
        },
      );
    await until('the host has a peer id', async () => (await peerIdOf(host.page)) !== null);
    hostPeer = (await peerIdOf(host.page))!;
  }, 120_000);

  // A failing check leaves the phone's screen behind.
  afterEach(async () => {
    const state = (expect as unknown as { getState(): { currentTestName?: string } }).getState();
    await phone
      ?.screenshot({
        path: join(artifactsDir, `phone-last-${(state.currentTestName ?? '').slice(19, 45).trim()}.png`),
      })
      .catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (recordingsDir) rmSync(recordingsDir, { recursive: true, force: true });
  });

  it('keeps the recording indicator and the connection state on the screen under a long title', async () => {
    await host.page.getByTestId('recording-toggle').click();
    const indicator = phone.getByTestId('recording-indicator');
    await indicator.waitFor({ timeout: 30_000 });
    await phone.waitForTimeout(300);
    await shoot('header');
    expectInside(await box(indicator), 'recording indicator');
    const state = phone.getByTestId('connection-state');
    const stateBox = await box(state);
    expectInside(stateBox, 'connection state');
    // "已连接" on one line: wider than tall, one line high
    expect(stateBox!.width).toBeGreaterThan(stateBox!.height * 1.5);
    expect(stateBox!.height).toBeLessThan(30);
    expectInside(await box(phone.getByTestId('room-title')), 'title');
    await host.page.getByTestId('recording-toggle').click();
  });

  it('puts the speaker large and oneself small in a corner, uncropped', async () => {
    const main = phone.getByTestId('room-main');
    await main.locator(`[data-testid=video-tile][data-peer-id="${hostPeer}"]`).waitFor();
    const pip = phone.getByTestId('self-pip');
    await pip.locator('video').waitFor();
    await phone.waitForTimeout(500);
    await shoot('speaker');
    const mainBox = (await box(main))!;
    const pipBox = (await box(pip))!;
    expectInside(mainBox, 'main');
    expectInside(pipBox, 'own picture');
    expect(pipBox.width * pipBox.height).toBeLessThan((mainBox.width * mainBox.height) / 4);
    // the corner: the bottom right of the speaker's picture
    expect(pipBox.x + pipBox.width).toBeGreaterThan(mainBox.x + mainBox.width * 0.75);
    expect(pipBox.y + pipBox.height).toBeGreaterThan(mainBox.y + mainBox.height * 0.75);
    // neither picture is cropped to the portrait screen
    const fits = await phone.$$eval('[data-testid=room-main] video', (videos) =>
      videos.map((v) => getComputedStyle(v).objectFit),
    );
    expect(fits).toEqual(['contain', 'contain']);
  });

  it('leaves no tooltip over the minutes bar after a tap on 举手', async () => {
    await phone.getByTestId('ctl-hand').tap();
    await phone.getByTestId('ctl-hand').and(phone.locator('[aria-pressed=true]')).waitFor();
    await phone.waitForTimeout(800);
    await shoot('hand-raised');
    const minutes = (await box(phone.getByTestId('minutes-panel')))!;
    const tips = await phone.$$eval('.ant-tooltip', (els) =>
      els
        .filter(
          (el) => !el.classList.contains('ant-tooltip-hidden') && getComputedStyle(el).display !== 'none',
        )
        .map((el) => {
          const r = el.getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height, text: el.textContent };
        }),
    );
    expect(tips.filter((tip) => tip.width > 0 && overlap(tip, minutes))).toEqual([]);
    await phone.getByTestId('ctl-hand').tap();
  });

  it('names who is missing in the participants panel, names only', async () => {
    await phone.getByTestId('ctl-participants').tap();
    const missing = phone.getByTestId('not-yet-in');
    await missing.first().waitFor({ timeout: 30_000 });
    await phone.waitForTimeout(400);
    await shoot('participants');
    const names = await missing.allTextContents();
    expect(names).toContain('张伟');
    expect(names).not.toContain('李红梅'); // the secretary is in
    expect(names).not.toContain('刘洋'); // oneself
    expect(names).not.toContain('陈静'); // on leave, listed apart
    expect(await phone.getByTestId('on-leave').allTextContents()).toEqual(['陈静']);
    expect(await phone.getByTestId('in-room-title').textContent()).toContain('2');
    expect(await phone.getByTestId('participants-panel').textContent()).not.toMatch(/1380000\d{4}/);
    await phone.locator('.ant-drawer-close').tap();
    await phone.getByTestId('participants-panel').waitFor({ state: 'hidden' });
  });

  it('shows a shared screen full screen', async () => {
    await host.page.getByTestId('ctl-screen').click();
    const screen = phone.getByTestId('room-main').getByTestId('screen-tile');
    await screen.locator('video').waitFor({ timeout: 30_000 });
    await screen.getByTestId('screen-fullscreen').tap();
    await until('full screen', () =>
      phone.evaluate(() => document.fullscreenElement?.getAttribute('data-testid') === 'screen-tile'),
    );
    await phone.waitForTimeout(500);
    await shoot('screen-fullscreen');
    const full = (await box(screen))!;
    expect(full.width).toBeGreaterThan(PHONE.width - 2);
    expect(await screen.getByTestId('screen-fullscreen').getAttribute('aria-pressed')).toBe('true');
    await screen.getByTestId('screen-fullscreen').tap();
    await until('out of full screen', () => phone.evaluate(() => document.fullscreenElement === null));
    await host.page.getByTestId('ctl-screen').click();
  });

  it('keeps the notification popover on the screen', async () => {
    const home = await phoneContext.newPage();
    await home.goto(`${server.baseUrl}/`, { waitUntil: 'domcontentloaded' });
    await home.getByTestId('notification-bell').tap();
    const list = home.getByTestId('notification-list');
    await list.waitFor();
    await home.waitForTimeout(500);
    await home.screenshot({ path: join(artifactsDir, 'phone-notifications.png') });
    const popover = home.locator('.ant-popover').filter({ has: list });
    expectInside(await box(popover), 'notification popover');
    await home.close();
  });
});
