import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MeetingAttendance, RecordingList } from '@branchmeet/shared';
import type { Browser, Page } from 'playwright-core';
import { AppServer, startAppServer } from './support/app-server';
import { artifactsDir, launchBrowser } from './support/browser';
import { apiCall, apiLogin, branchId, Member, openAs, until } from './support/room';

/**
 * Recording and replay through the real UI: the secretary hosts a lecture from Chromium (fake camera and microphone)
 * and starts the recording from the room; a listener sees the red indicator; the lecture ends; 刘洋, who missed
 * it, opens the meeting page, sees the recording with its duration and size, plays it in the browser (the video
 * really decodes and advances), and the player's progress reports show up as make-up progress. Screenshots land
 * in test/e2e/artifacts/.
 */
describe('lecture recording and replay in the browser', () => {
  let server: AppServer;
  let browser: Browser;
  let sec: Member;
  let chen: Member; // 13800000014 陈静, a listener
  let liu: Member; // member1 刘洋, absent: watches the replay
  let meetingId = '';
  let secToken = '';
  let recordingsDir = '';

  const shot = async (page: Page, name: string) => {
    await page.bringToFront();
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
  };
  const api = <T>(path: string, body?: object) => apiCall<T>(server.baseUrl, secToken, path, body);

  beforeAll(async () => {
    recordingsDir = mkdtempSync(join(tmpdir(), 'bm-e2e-rec-'));
    process.env.RECORDINGS_DIR = recordingsDir;
    server = await startAppServer({ mediaWorkers: 1 });
    browser = await launchBrowser();
    secToken = (await apiLogin(server.baseUrl, 'secretary1')).accessToken;
    const b1 = await branchId(server.baseUrl, secToken, '第一党支部');
    const m = await api<{ id: string }>(`/org-units/${b1}/meetings`, {
      type: 'lecture',
      start: new Date(Date.now() + 60_000).toISOString(),
      settings: { recordingAllowed: true },
    });
    meetingId = m.id;
    sec = await openAs(browser, server.baseUrl, 'secretary1');
    chen = await openAs(browser, server.baseUrl, '13800000014', { width: 390, height: 844 });
    liu = await openAs(browser, server.baseUrl, 'member1', { width: 390, height: 844 });
  });

  afterAll(async () => {
    if (process.env.E2E_DEBUG) process.stderr.write(server?.log() ?? '');
    await browser?.close();
    await server?.stop();
    delete process.env.RECORDINGS_DIR;
    if (recordingsDir) rmSync(recordingsDir, { recursive: true, force: true });
  });

  it('records from the room, shows the indicator, and replays on the meeting page with make-up progress', async () => {
    for (const m of [sec, chen]) {
      await m.page.goto(`${server.baseUrl}/meetings/${meetingId}`, { waitUntil: 'domcontentloaded' });
      await m.page.getByTestId('prejoin-join').click();
      await m.page.getByTestId('room').waitFor({ timeout: 30_000 });
    }
    // The host starts the recording from the room once their camera is on.
    await until('the host publishes', () =>
      sec.page.evaluate(() => document.querySelectorAll('video').length > 0),
    );
    await sec.page.getByTestId('recording-toggle').click();
    await sec.page.getByTestId('recording-indicator').waitFor({ timeout: 20_000 });
    await chen.page.getByTestId('recording-indicator').waitFor({ timeout: 10_000 });
    await shot(chen.page, 'recording-indicator-listener');
    await sec.page.waitForTimeout(12_000);
    await sec.page.getByTestId('recording-toggle').click();
    await chen.page.getByTestId('recording-indicator').waitFor({ state: 'detached', timeout: 20_000 });
    await sec.page.getByTestId('ctl-leave').click();
    await sec.page.getByTestId('end-for-all').click();

    await until(
      'the recording is stored',
      async () => (await api<RecordingList>(`/meetings/${meetingId}/recordings`)).items.length === 1,
      20_000,
    );
    const [rec] = (await api<RecordingList>(`/meetings/${meetingId}/recordings`)).items;
    expect(rec.durationSeconds).toBeGreaterThan(8);

    // 刘洋 missed it: the meeting page lists the recording and plays it.
    const page = liu.page;
    await page.goto(`${server.baseUrl}/meetings/${meetingId}/info`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('recording-item').waitFor({ timeout: 20_000 });
    await expect(page.getByTestId('makeup-progress').textContent()).resolves.toContain('补学进度');
    await page.getByTestId('recording-play').click();
    const video = page.getByTestId('recording-player');
    await video.waitFor();
    await video.evaluate((v: HTMLVideoElement) => {
      v.muted = true;
      return v.play();
    });
    await until(
      'the replay decodes and advances',
      () => video.evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && v.currentTime > 6 && !v.paused),
      30_000,
    );
    await shot(page, 'recording-replay');
    // The player reported its progress every 5 s while playing: the server credited the time watched.
    await until(
      'make-up progress is credited',
      async () => {
        const text = (await page.getByTestId('makeup-progress').getAttribute('data-percent')) ?? '0';
        return Number(text) > 0;
      },
      20_000,
    );
    const attendance = await api<MeetingAttendance>(`/meetings/${meetingId}/attendance`);
    const liuId = (liu.me as unknown as { user: { id: string } }).user.id;
    const me = attendance.records.find((r) => r.userId === liuId);
    expect(me?.status).toBe('absent'); // not made up yet: only part of it was watched
  });
});
