import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { AppServer, startAppServer } from './support/app-server';
import { artifactsDir, launchBrowser } from './support/browser';
import { apiCall, apiLogin, branchId, openAs } from './support/room';

/** Chinese characters and full-width punctuation. */
const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+/g;

/**
 * Text the server makes up by its own rule and stores in Chinese: the UI must render it in English, so it is
 * never masked as user data even though the API returns it.
 */
const generated = (s: string) =>
  /^\d{4}年\d{1,2}月 /.test(s) ||
  /^.+线上会议$/.test(s) ||
  /^\d{4}年(第\d季度|\d{1,2}月)?$/.test(s) ||
  s === '线上（支部云会）' ||
  s === '会议内容';

/** The language's own name is Chinese in every language. */
const ALWAYS = ['简体中文'];

/** Every string in a JSON value (user data: names, unit names, typed titles, agenda, reasons, minutes text…). */
function stringsOf(value: unknown, out: Set<string>): void {
  if (typeof value === 'string') {
    if (CJK.test(value) && !generated(value)) out.add(value);
    CJK.lastIndex = 0;
  } else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsOf(v, out);
}

describe('the whole UI in English', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  /** What the API gave the page: user data, masked before looking for Chinese. */
  const data = new Set<string>();
  /** The meeting the first check schedules without a title (the server names it). */
  let meeting: { id: string; title: string };

  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.on('response', (res) => {
      if (!res.url().includes('/api/') || !(res.headers()['content-type'] ?? '').includes('json')) return;
      res
        .json()
        .then((body: unknown) => stringsOf(body, data))
        .catch(() => undefined);
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The page's visible text with user data taken out: the Chinese left over, each piece once. */
  async function leftovers(): Promise<string[]> {
    let text = await page.evaluate(() => document.body.innerText);
    // Longest first, so a name inside a longer text goes with the longer text.
    for (const s of [...data, ...ALWAYS].sort((a, b) => b.length - a.length)) text = text.split(s).join(' ');
    const found = new Set<string>();
    for (const line of text.split('\n')) if (line.match(CJK)) found.add(line.trim());
    return [...found];
  }

  it('signs in, switches to English and finds no Chinese outside user data on the main pages', async () => {
    const admin = await apiLogin(server.baseUrl, 'admin');
    const branch = await branchId(server.baseUrl, admin.accessToken, '第一党支部');
    // A meeting the secretary schedules without a title: the server names it (2026年12月 支部党员大会), and its
    // minutes have the general section (会议内容), the period (2026年第4季度) and the place (线上（支部云会）).
    const secretary = await apiLogin(server.baseUrl, 'secretary1');
    meeting = await apiCall<{ id: string; title: string }>(
      server.baseUrl,
      secretary.accessToken,
      `/org-units/${branch}/meetings`,
      { type: 'branch_assembly', start: new Date(Date.now() + 86_400_000).toISOString() },
    );
    expect(meeting.title).toMatch(/^\d{4}年\d{1,2}月 支部党员大会$/);

    await page.goto(`${server.baseUrl}/login`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('login-input').fill('admin');
    await page.getByTestId('password-input').fill('Demo@2026');
    await page.getByTestId('login-submit').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
    await page.getByRole('menuitem').first().waitFor();
    await page.getByTestId('lang-switch').first().click();
    await page.getByTestId('lang-en').click();
    await page.getByTestId('lang-switch').first().filter({ hasText: 'English' }).waitFor();

    const pages: [string, string][] = [
      ['home', '/'],
      ['org tree', '/org'],
      ['unit page', `/units/${branch}`],
      ['statistics', `/units/${branch}/statistics`],
      ['meeting info', `/meetings/${meeting.id}/info`],
      ['minutes', `/meetings/${meeting.id}/minutes`],
      ['minutes archive', `/units/${branch}/minutes`],
      ['audit log', '/admin/audit'],
    ];
    const report: string[] = [];
    for (const [name, path] of pages) {
      await page.goto(`${server.baseUrl}${path}`, { waitUntil: 'networkidle' });
      // The page has rendered its data (no spinner left) before it is read.
      await page.waitForFunction(() => !document.querySelector('.ant-spin-spinning, .ant-skeleton'), null, {
        timeout: 30_000,
      });
      await page.waitForTimeout(500);
      await page.screenshot({
        path: join(artifactsDir, `english-${name.replace(/ /g, '-')}.png`),
        fullPage: true,
      });
      for (const line of await leftovers()) report.push(`${name} (${path}): ${line}`);
    }
    expect(report).toEqual([]);
  }, 240_000);

  it('shows every control-bar label of the room whole in English', async () => {
    const host = await openAs(browser, server.baseUrl, 'secretary1');
    await host.context.addInitScript(() => localStorage.setItem('branchmeet.lang', 'en'));
    const branch = await branchId(
      server.baseUrl,
      (await apiLogin(server.baseUrl, 'secretary1')).accessToken,
      '第一党支部',
    );
    await host.page.goto(`${server.baseUrl}/units/${branch}`, { waitUntil: 'domcontentloaded' });
    await host.page.getByTestId('open-meeting').click();
    // The room opened without a title is named by the server (第一党支部线上会议): in English here.
    const prejoinTitle = (await host.page.getByTestId('prejoin-title').textContent()) ?? '';
    expect(prejoinTitle).toBe('第一党支部 online meeting');
    await host.page.getByTestId('prejoin-join').click();
    await host.page.getByTestId('room-grid').waitFor({ timeout: 30_000 });
    await host.page.locator('.bm-control-label').first().waitFor();
    const labels = await host.page.$$eval('.bm-control-label', (els) =>
      els.map((el) => ({ text: el.textContent ?? '', cut: el.scrollWidth > el.clientWidth })),
    );
    await host.page.screenshot({ path: join(artifactsDir, 'english-room-controls.png') });
    expect(labels.some((l) => l.text.startsWith('Participants'))).toBe(true);
    expect(labels.filter((l) => l.cut).map((l) => l.text)).toEqual([]);
    expect(await host.page.getByTestId('room-title').textContent()).toBe('第一党支部 online meeting');
    await host.context.close();
  }, 120_000);

  it('names the server’s meeting titles in English in notifications and on the guest page', async () => {
    // 刘洋 is expected in the meeting the first check scheduled: his bell has it, by its English name.
    const member = await openAs(browser, server.baseUrl, 'member1', { width: 390, height: 844 });
    await member.context.addInitScript(() => localStorage.setItem('branchmeet.lang', 'en'));
    await member.page.goto(`${server.baseUrl}/`, { waitUntil: 'domcontentloaded' });
    await member.page.getByTestId('notification-bell').click();
    const item = member.page.getByTestId('notification-item').first();
    await item.waitFor({ timeout: 30_000 });
    const texts = await member.page.getByTestId('notification-item').allTextContents();
    await member.page.screenshot({ path: join(artifactsDir, 'english-notifications.png') });
    expect(texts.some((text) => text.includes('Branch assembly'))).toBe(true);
    expect(texts.filter((text) => text.includes(meeting.title))).toEqual([]);
    await member.context.close();

    // An outside guest opens an invite link in English.
    const secretary = await apiLogin(server.baseUrl, 'secretary1');
    const invite = await apiCall<{ token: string }>(
      server.baseUrl,
      secretary.accessToken,
      `/meetings/${meeting.id}/invites`,
      { validHours: 2 },
    );
    const guest = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await guest.addInitScript(() => localStorage.setItem('branchmeet.lang', 'en'));
    const page = await guest.newPage();
    await page.goto(`${server.baseUrl}/guest/${invite.token}`, { waitUntil: 'domcontentloaded' });
    const title = page.getByTestId('guest-meeting-title');
    await title.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(artifactsDir, 'english-guest.png') });
    expect(await title.textContent()).toMatch(/^Branch assembly, \w+ \d{4}$/);
    await guest.close();
  }, 120_000);
});
