import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { MeetingAttendance } from '@branchmeet/shared';
import { AppServer, startAppServer } from './support/app-server';
import { artifactsDir, launchBrowser } from './support/browser';
import { apiCall, apiLogin, branchId, Member, openAs, peerIdOf, until } from './support/room';

/**
 * Truthful attendance in the real UI: the secretary opens a meeting and sits in it alone for 30 s
 * before anyone comes; she is present from her seat (first join within 2 s of it), not from the first member's
 * arrival. Then a member's page is reloaded mid-meeting: it rejoins by itself (no second click) and keeps its
 * seat, so the record shows one join.
 */
describe('attendance in the browser', () => {
  let server: AppServer;
  let browser: Browser;
  let host: Member; // secretary1 李红梅
  let member: Member; // member1 刘洋
  let token = '';
  let meetingId = '';
  let seatedAt = 0;
  let clickedAt = 0;

  beforeAll(async () => {
    server = await startAppServer({ mediaWorkers: 1 });
    browser = await launchBrowser();
    token = (await apiLogin(server.baseUrl, 'secretary1')).accessToken;
    host = await openAs(browser, server.baseUrl, 'secretary1');
    member = await openAs(browser, server.baseUrl, '13800000013');
  });

  afterAll(async () => {
    if (process.env.E2E_DEBUG) process.stderr.write(server?.log() ?? '');
    await browser?.close();
    await server?.stop();
  });

  const attendance = () =>
    apiCall<MeetingAttendance>(server.baseUrl, token, `/meetings/${meetingId}/attendance`);
  const recordOf = (a: MeetingAttendance, m: Member) =>
    a.records.find((r) => r.userId === (m.me.user as { id: string }).id);

  it('the host alone for 30 s is present from her seat', async () => {
    const b1 = await branchId(server.baseUrl, token, '第一党支部');
    await host.page.goto(`${server.baseUrl}/units/${b1}`, { waitUntil: 'domcontentloaded' });
    await host.page.getByTestId('open-meeting').click();
    await host.page.waitForURL(/\/meetings\/[0-9a-f-]+/);
    meetingId = host.page.url().split('/meetings/')[1];
    await host.page.getByTestId('prejoin-join').click();
    clickedAt = Date.now();
    await until('the host is seated', async () => (await peerIdOf(host.page)) !== null, 30_000, 50);
    seatedAt = Date.now();

    // Alone: the live record already has her in the meeting.
    const live = recordOf(await attendance(), host);
    expect(live?.firstJoin).not.toBeNull();
    await new Promise((r) => setTimeout(r, 30_000));
    expect(recordOf(await attendance(), host)?.firstJoin).toBe(live?.firstJoin);

    await member.page.goto(`${server.baseUrl}/meetings/${meetingId}`, { waitUntil: 'domcontentloaded' });
    await member.page.getByTestId('prejoin-join').click();
    await until('the member is seated', async () => (await peerIdOf(member.page)) !== null, 30_000);
  }, 120_000);

  it('a reload of the member’s page rejoins by itself and keeps the seat', async () => {
    const before = await peerIdOf(member.page);
    await member.page
      .locator('[data-testid=connection-state][data-state=joined]')
      .waitFor({ timeout: 30_000 });
    await member.page.reload({ waitUntil: 'domcontentloaded' });
    // No pre-join page and no click: back in the room, on the same seat.
    await until('rejoined after the reload', async () => (await peerIdOf(member.page)) !== null, 30_000);
    expect(await member.page.getByTestId('prejoin-join').count()).toBe(0);
    expect(await peerIdOf(member.page)).toBe(before);
    await member.page.screenshot({ path: join(artifactsDir, 'attendance-reloaded.png') });
  }, 60_000);

  it('the final record: host present with her first join at her seat; the reloaded member joined once', async () => {
    await host.page.getByTestId('ctl-host').click();
    await host.page.getByTestId('host-end').click();
    await host.page.getByTestId('end-confirm').click();
    await host.page.getByTestId('end-summary').waitFor(); // the host who ended it sees the summary

    const a = await attendance();
    expect(a.status).toBe('ended');
    const h = recordOf(a, host)!;
    expect(h.status).toBe('present');
    const firstJoin = Date.parse(h.firstJoin ?? '');
    // Seated between the click and the page seeing its seat; within 2 s of the seat.
    expect(firstJoin).toBeGreaterThanOrEqual(clickedAt - 1000);
    expect(seatedAt - firstJoin).toBeLessThan(2000);
    expect(h.totalSeconds).toBeGreaterThanOrEqual(30);
    // In once (the reload kept the seat) and there to the end, short because it came after 30 s: late.
    expect(recordOf(a, member)).toMatchObject({ status: 'late', joinCount: 1 });
  }, 60_000);
});
