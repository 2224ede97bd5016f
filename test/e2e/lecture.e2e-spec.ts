import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { AppServer, startAppServer } from './support/app-server';
import { artifactsDir, launchBrowser } from './support/browser';
import { apiLogin, branchId, Member, openAs, peerIdOf, stats, until, waitFlowing } from './support/room';

/**
 * A 党课 in lecture mode through the real UI — the lecturer (the
 * secretary, who hosts it) shares a screen (Chromium's fake screen), two listeners see it as the main picture, one
 * raises a hand, is given the floor and speaks: the lecturer's page receives that listener's audio. Every media check
 * reads the browsers' own receive statistics (`window.__bmRoom.stats()`).
 *
 * Then the recording through the same UI: the meeting allows recording, the lecturer starts it
 * from the room header, every page shows the red indicator while the screen share goes on for about 20 s, the
 * lecturer stops it; a member opens the meeting page, finds the recording with its duration and size, and the
 * <video> there plays it (the browser decodes video frames of the screen's size and audio).
 */
describe('lecture mode in the browser', () => {
  let server: AppServer;
  let browser: Browser;
  let lecturer: Member; // secretary1 李红梅: host and lecturer
  let l1: Member; // organizer 张伟
  let l2: Member; // member1 刘洋, on a phone-sized page
  let meetingId: string;
  let meetingUrl: string;
  let recordingsDir: string;
  const peer = new Map<Member, string>();
  const all = () => [lecturer, l1, l2];

  beforeAll(async () => {
    recordingsDir = mkdtempSync(join(tmpdir(), 'bm-e2e-recordings-'));
    server = await startAppServer({ mediaWorkers: 1, env: { RECORDINGS_DIR: recordingsDir } });
    browser = await launchBrowser();
    const t = await apiLogin(server.baseUrl, 'secretary1');
    const b1 = await branchId(server.baseUrl, t.accessToken, '第一党支部');
    const res = await fetch(`${server.baseUrl}/api/org-units/${b1}/meetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.accessToken}` },
      body: JSON.stringify({
        type: 'lecture',
        title: '党课：微课堂',
        start: new Date(Date.now() + 60_000).toISOString(),
        settings: { recordingAllowed: true },
      }),
    });
    expect(res.status).toBe(201);
    meetingId = ((await res.json()) as { id: string }).id;
    meetingUrl = `${server.baseUrl}/meetings/${meetingId}`;
    lecturer = await openAs(browser, server.baseUrl, 'secretary1');
    l1 = await openAs(browser, server.baseUrl, '13800000012');
    l2 = await openAs(browser, server.baseUrl, '13800000013', { width: 390, height: 844 });
  });

  afterAll(async () => {
    if (process.env.E2E_DEBUG) process.stderr.write(server?.log() ?? '');
    await browser?.close();
    await server?.stop();
    if (recordingsDir) rmSync(recordingsDir, { recursive: true, force: true });
  });

  const shootOnFailure = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      for (const m of all())
        await m?.page
          .screenshot({ path: join(artifactsDir, `lecture-fail-${name}-${m.label}.png`) })
          .catch(() => undefined);
      throw e;
    }
  };

  it('the lecturer opens the lecture and shares a screen; two listeners join receive-only and see it', async () => {
    await shootOnFailure('screen', async () => {
      for (const m of all()) {
        await m.page.goto(meetingUrl, { waitUntil: 'domcontentloaded' });
        await m.page.getByTestId('prejoin-join').click();
        await m.page.getByTestId('lecture-stage').waitFor();
        await until('joined', async () => (await peerIdOf(m.page)) !== null);
        peer.set(m, (await peerIdOf(m.page))!);
        if (m === lecturer) await lecturer.page.getByTestId('ctl-screen').click();
      }
      // the lecturer gives the floor and asks nobody for it: no hand of their own
      expect(await lecturer.page.getByTestId('ctl-hand').count()).toBe(0);
      for (const m of [l1, l2]) {
        // receive-only: no microphone, camera or screen controls; hand and Q&A instead
        expect(await m.page.getByTestId('ctl-mic').count()).toBe(0);
        expect(await m.page.getByTestId('ctl-screen').count()).toBe(0);
        await m.page.getByTestId('ctl-qa').waitFor();
        await m.page.getByTestId('room-main').getByTestId('screen-tile').waitFor();
        await waitFlowing(m.page, [
          { peerId: peer.get(lecturer)!, source: 'screen', field: 'framesDecoded', min: 10 },
        ]);
      }
      // the listeners are counted by the server (not announced one by one): the count reaches the pages
      for (const m of [lecturer, l1])
        await until('“2 人在听” on the stage', async () =>
          ((await m.page.getByTestId('lecture-listeners').textContent()) ?? '').includes('2 人在听'),
        );
      // the lecturer receives nothing from the listeners yet
      expect((await stats(lecturer.page)).filter((r) => r.peerId !== peer.get(lecturer))).toHaveLength(0);
      await l1.page.screenshot({ path: join(artifactsDir, 'lecture-listener.png') });
      await l2.page.screenshot({ path: join(artifactsDir, 'lecture-listener-phone.png') });
      await lecturer.page.screenshot({ path: join(artifactsDir, 'lecture-lecturer.png') });

      // Chat: a listener's message reaches the presenters only, and the listener is told so.
      await l1.page.getByTestId('ctl-chat').click();
      await l1.page.getByTestId('chat-listener-note').waitFor();
      await l1.page.getByTestId('chat-input').fill('老师，第三页能再讲一遍吗？');
      await l1.page.getByTestId('chat-input').press('Enter');
      await l1.page.getByTestId('chat-to-presenters').waitFor();
      await lecturer.page.getByTestId('ctl-chat').click();
      await lecturer.page.getByTestId('chat-to-presenters').waitFor();
      expect(await lecturer.page.getByTestId('chat-listener-note').count()).toBe(0);
      await l1.page.screenshot({ path: join(artifactsDir, 'lecture-listener-chat.png') });
      await l2.page.getByTestId('ctl-chat').click();
      await l2.page.getByTestId('chat-panel').waitFor();
      expect(await l2.page.getByTestId('chat-message').count()).toBe(0);
      for (const m of all()) {
        // the chat closed again (its drawer's ×: the phone's covers the control bar)
        await m.page.locator('.ant-drawer-close:visible').click();
        await m.page.getByTestId('chat-panel').waitFor({ state: 'hidden' });
      }
    });
  });

  it('a listener raises a hand, is given the floor and speaks: the lecturer receives the audio', async () => {
    await shootOnFailure('floor', async () => {
      const speaker = peer.get(l1)!;
      await l1.page.getByTestId('ctl-hand').click();
      await lecturer.page.getByTestId('ctl-participants').click();
      const give = lecturer.page.getByTestId(`lecture-give-floor-${speaker}`);
      await give.waitFor();
      await lecturer.page
        .locator(`[data-testid=participant][data-peer-id="${speaker}"] [data-testid=peer-hand]`)
        .waitFor();
      await give.click();
      // the listener's page: the microphone control appears (on), still no camera
      await l1.page.waitForFunction(
        () => document.querySelector('[data-testid=ctl-mic]')?.getAttribute('aria-pressed') === 'true',
      );
      expect(await l1.page.getByTestId('ctl-camera').count()).toBe(0);
      await waitFlowing(lecturer.page, [
        { peerId: speaker, source: 'mic', field: 'packetsReceived', min: 20 },
      ]);
      // the other listener hears the speaker too
      await waitFlowing(l2.page, [{ peerId: speaker, source: 'mic', field: 'packetsReceived', min: 20 }]);
      await lecturer.page.screenshot({ path: join(artifactsDir, 'lecture-floor.png') });

      await lecturer.page.getByTestId(`lecture-take-floor-${speaker}`).click();
      await l1.page.getByTestId('ctl-mic').waitFor({ state: 'detached' });
      await until(
        'the speaker’s consumer closed at the lecturer',
        async () => !(await stats(lecturer.page)).some((r) => r.peerId === speaker),
      );
    });
  });

  /** What the listener's main picture (the shared screen) measures, to compare with the recording. */
  let screenSize: { width: number; height: number };
  let recordedFor = 0; // ms between the indicator appearing and going, as seen by the test

  it('the lecturer records the lecture from the room: every page shows the indicator while the screen is shared', async () => {
    await shootOnFailure('record', async () => {
      const toggle = lecturer.page.getByTestId('recording-toggle');
      await toggle.waitFor();
      expect(await toggle.textContent()).toContain('开始录制');
      await toggle.click();
      for (const m of all()) await m.page.getByTestId('recording-indicator').waitFor();
      const started = Date.now();
      // only the host/lecturer has the control; the listeners see the indicator alone
      for (const m of [l1, l2]) {
        expect(await m.page.getByTestId('recording-toggle').count()).toBe(0);
        expect(await m.page.getByTestId('recording-indicator').textContent()).toContain('录制中');
      }
      expect(await toggle.textContent()).toContain('停止录制');
      screenSize = await l1.page.evaluate(() => {
        const v = document.querySelector<HTMLVideoElement>(
          '[data-testid=room-main] [data-testid=screen-tile] video',
        );
        return { width: v?.videoWidth ?? 0, height: v?.videoHeight ?? 0 };
      });
      expect(screenSize.width).toBeGreaterThan(0);
      await l1.page.screenshot({ path: join(artifactsDir, 'lecture-recording-listener.png') });
      await l2.page.screenshot({ path: join(artifactsDir, 'lecture-recording-listener-phone.png') });
      await lecturer.page.screenshot({ path: join(artifactsDir, 'lecture-recording-lecturer.png') });
      // the lecture goes on for about 20 s: the screen keeps reaching both listeners, the indicator stays
      while (Date.now() - started < 20_000) {
        for (const m of [l1, l2]) {
          await waitFlowing(m.page, [
            { peerId: peer.get(lecturer)!, source: 'screen', field: 'framesDecoded', min: 5 },
          ]);
          expect(await m.page.getByTestId('recording-indicator').count()).toBe(1);
        }
      }
      await toggle.click();
      for (const m of all()) await m.page.getByTestId('recording-indicator').waitFor({ state: 'detached' });
      recordedFor = Date.now() - started;
      expect(await toggle.textContent()).toContain('开始录制');
    });
  });

  it('a member finds the recording on the meeting page with its duration and size, and it plays', async () => {
    const member = l2; // member1 刘洋, a plain member of the branch, phone-sized
    await shootOnFailure('replay', async () => {
      // the file is probed and stored after the stop: wait for it through the API the page uses
      const t = await apiLogin(server.baseUrl, '13800000013');
      let items: { durationSeconds: number; sizeBytes: number }[] = [];
      await until(
        'the recording is stored',
        async () => {
          const res = await fetch(`${server.baseUrl}/api/meetings/${meetingId}/recordings`, {
            headers: { authorization: `Bearer ${t.accessToken}` },
          });
          items = ((await res.json()) as { items: typeof items }).items;
          return items.length > 0;
        },
        30_000,
        500,
      );
      expect(items).toHaveLength(1);
      const [rec] = items;
      // ffprobe's duration: the time it ran (the start/stop round trips and the keyframe wait are inside 5 s)
      expect(Math.abs(rec.durationSeconds - recordedFor / 1000)).toBeLessThan(5);
      expect(rec.sizeBytes).toBeGreaterThan(50_000);
      process.stderr.write(
        `lecture recording: ${(recordedFor / 1000).toFixed(1)} s between indicator on and off, ffprobe ` +
          `${rec.durationSeconds.toFixed(2)} s, ${rec.sizeBytes} bytes\n`,
      );

      await member.page.goto(`${meetingUrl}/info`, { waitUntil: 'domcontentloaded' });
      const item = member.page.getByTestId('recording-item');
      await item.waitFor();
      expect(await item.count()).toBe(1);
      const s = Math.round(rec.durationSeconds);
      expect(await item.getByTestId('recording-duration').textContent()).toContain(
        `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`,
      );
      expect(await item.getByTestId('recording-size').textContent()).toMatch(/\d+(\.\d)? (KB|MB)/);
      // a member may watch but not delete
      expect(await item.getByTestId('recording-delete').count()).toBe(0);

      await item.getByTestId('recording-play').click();
      const video = member.page.getByTestId('recording-player');
      await video.waitFor();
      await video.evaluate((v: HTMLVideoElement) => v.scrollIntoView({ block: 'center' }));
      type Seen = {
        currentTime: number;
        duration: number;
        width: number;
        height: number;
        error: number | null;
        paused: boolean;
        frames: number;
        audioBytes: number;
      };
      const seen = (): Promise<Seen> =>
        video.evaluate((v: HTMLVideoElement) => ({
          currentTime: v.currentTime,
          duration: v.duration,
          width: v.videoWidth,
          height: v.videoHeight,
          error: v.error ? v.error.code : null,
          paused: v.paused,
          frames: v.getVideoPlaybackQuality().totalVideoFrames,
          audioBytes:
            (v as HTMLVideoElement & { webkitAudioDecodedByteCount?: number }).webkitAudioDecodedByteCount ??
            -1,
        }));
      let last: Seen | undefined;
      await until(
        'the recording plays',
        async () => {
          last = await seen();
          if (last.error !== null) throw new Error(`the <video> failed: MediaError ${last.error}`);
          return !last.paused && last.currentTime > 3 && last.width > 0 && last.frames > 10;
        },
        20_000,
        250,
      ).catch((e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(last)}`);
      });
      const a = await seen();
      await until('the playback advances', async () => (await seen()).currentTime > a.currentTime + 1);
      const b = await seen();
      expect(b.error).toBeNull();
      // the recorded picture is the shared screen (its size at the listener), with the lecturer's audio
      expect({ width: b.width, height: b.height }).toEqual(screenSize);
      expect(b.audioBytes).toBeGreaterThan(0);
      expect(Math.abs(b.duration - rec.durationSeconds)).toBeLessThan(1.5);
      process.stderr.write(
        `replay in Chromium: ${b.width}x${b.height}, ${b.frames} frames, ${b.audioBytes} audio bytes decoded, ` +
          `duration ${b.duration.toFixed(2)} s\n`,
      );
      await member.page.evaluate(() => window.scrollTo(0, 0)); // the fixed header stays on top of a full page
      await member.page.screenshot({
        path: join(artifactsDir, 'lecture-recording-playing-phone.png'),
        fullPage: true,
      });
      // and on a desktop-sized page (the organizer 张伟, also a member of the branch)
      await l1.page.goto(`${meetingUrl}/info`, { waitUntil: 'domcontentloaded' });
      await l1.page.getByTestId('recording-play').click();
      const desk = l1.page.getByTestId('recording-player');
      await desk.evaluate((v: HTMLVideoElement) => v.scrollIntoView({ block: 'center' }));
      await l1.page.waitForFunction(() => {
        const v = document.querySelector<HTMLVideoElement>('[data-testid=recording-player]');
        return !!v && !v.paused && v.currentTime > 2 && v.videoWidth > 0 && !v.error;
      });
      await l1.page.evaluate(() => window.scrollTo(0, 0));
      await l1.page.screenshot({ path: join(artifactsDir, 'lecture-recording-playing.png'), fullPage: true });
    });
  });

  it('a recording still running when the host ends the meeting is stopped and stored as well', async () => {
    await shootOnFailure('end', async () => {
      const toggle = lecturer.page.getByTestId('recording-toggle');
      expect(await toggle.textContent()).toContain('开始录制');
      await toggle.click();
      await lecturer.page.getByTestId('recording-indicator').waitFor();
      const started = Date.now();
      await until(
        'six seconds recorded',
        async () => {
          expect(await lecturer.page.getByTestId('recording-indicator').count()).toBe(1);
          return Date.now() - started > 6000;
        },
        15_000,
        500,
      );
      await lecturer.page.getByTestId('ctl-host').click();
      await lecturer.page.getByTestId('host-end').click();
      await lecturer.page.getByTestId('end-confirm').click();
      await lecturer.page.getByTestId('end-summary').waitFor(); // the host who ended it sees the summary
      const ran = (Date.now() - started) / 1000;

      const t = await apiLogin(server.baseUrl, '13800000013');
      let items: { startedAt: string; durationSeconds: number }[] = [];
      await until(
        'the second recording is stored',
        async () => {
          const res = await fetch(`${server.baseUrl}/api/meetings/${meetingId}/recordings`, {
            headers: { authorization: `Bearer ${t.accessToken}` },
          });
          items = ((await res.json()) as { items: typeof items }).items;
          return items.length === 2;
        },
        30_000,
        500,
      );
      const second = items.reduce((a, b) => (a.startedAt > b.startedAt ? a : b));
      expect(Math.abs(second.durationSeconds - ran)).toBeLessThan(5);
      await l2.page.reload({ waitUntil: 'domcontentloaded' });
      await l2.page.getByTestId('recording-item').nth(1).waitFor();
      expect(await l2.page.getByTestId('recording-item').count()).toBe(2);
    });
  });
});
