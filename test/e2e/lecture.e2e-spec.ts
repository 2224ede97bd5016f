import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { AppServer, startAppServer } from './support/app-server';
import { artifactsDir, launchBrowser } from './support/browser';
import { apiLogin, branchId, Member, openAs, peerIdOf, stats, until, waitFlowing } from './support/room';

/**
 * Issue 6, "what it must show" 6 (lecture part): a 党课 in lecture mode through the real UI — the lecturer (the
 * secretary, who hosts it) shares a screen (Chromium's fake screen), two listeners see it as the main picture, one
 * raises a hand, is given the floor and speaks: the lecturer's page receives that listener's audio. Every media check
 * reads the browsers' own receive statistics (`window.__bmRoom.stats()`).
 */
describe('lecture mode in the browser', () => {
  let server: AppServer;
  let browser: Browser;
  let lecturer: Member; // secretary1 李红梅: host and lecturer
  let l1: Member; // organizer 张伟
  let l2: Member; // member1 刘洋, on a phone-sized page
  let meetingUrl: string;
  const peer = new Map<Member, string>();
  const all = () => [lecturer, l1, l2];

  beforeAll(async () => {
    server = await startAppServer({ mediaWorkers: 1 });
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
      }),
    });
    expect(res.status).toBe(201);
    meetingUrl = `${server.baseUrl}/meetings/${((await res.json()) as { id: string }).id}`;
    lecturer = await openAs(browser, server.baseUrl, 'secretary1');
    l1 = await openAs(browser, server.baseUrl, '13800000012');
    l2 = await openAs(browser, server.baseUrl, '13800000013', { width: 390, height: 844 });
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
      // the lecturer receives nothing from the listeners yet
      expect((await stats(lecturer.page)).filter((r) => r.peerId !== peer.get(lecturer))).toHaveLength(0);
      await l1.page.screenshot({ path: join(artifactsDir, 'lecture-listener.png') });
      await l2.page.screenshot({ path: join(artifactsDir, 'lecture-listener-phone.png') });
      await lecturer.page.screenshot({ path: join(artifactsDir, 'lecture-lecturer.png') });
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
});
