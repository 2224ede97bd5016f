import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MeetingAttendance } from '@branchmeet/shared';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import type { Browser, Page } from 'playwright-core';
import { AppServer, startAppServer } from './support/app-server';
import { artifactsDir, launchBrowser } from './support/browser';
import { apiCall, apiLogin, branchId, Member, openAs, until } from './support/room';

/**
 * Meetings through the real UI (the built server and client, Debian's Chromium with fake
 * camera and microphone, a real mediasoup worker and PostgreSQL): the secretary schedules a meeting with only
 * its type and time; 杨帆 asks for leave and the secretary approves it (杨帆 is told); 刘洋 and 陈静 join from
 * their list of upcoming meetings; the secretary ends the meeting and downloads the attendance XLSX, which is
 * parsed back and must equal the attendance the server recorded. Screenshots of the meeting page and of the
 * statistics dashboard land in test/e2e/artifacts/.
 *
 * The dashboard also shows a few earlier meetings of this year: those are written straight into the database
 * (what scheduling and the media session would have recorded), so that its charts have months to show.
 */
describe('meetings of 三会一课 in the browser', () => {
  let server: AppServer;
  let browser: Browser;
  let sec: Member; // secretary1 李红梅
  let liu: Member; // member1 刘洋
  let chen: Member; // 13800000014 陈静
  let yang: Member; // 13800000015 杨帆, asks for leave
  let b1 = '';
  let meetingId = '';
  let secToken = '';
  let secUserId = '';

  const all = () => [sec, liu, chen, yang];
  const shot = async (page: Page, name: string) => {
    // The front page renders its videos; give popovers and charts their entry animation.
    await page.bringToFront();
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
  };
  const step = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      for (const m of all())
        await m?.page
          .screenshot({ path: join(artifactsDir, `meetings-fail-${name}-${m.label}.png`) })
          .catch(() => undefined);
      throw e;
    }
  };
  const api = <T>(path: string, body?: object) => apiCall<T>(server.baseUrl, secToken, path, body);

  beforeAll(async () => {
    server = await startAppServer({ mediaWorkers: 1 });
    browser = await launchBrowser();
    const secLogin = await apiLogin(server.baseUrl, 'secretary1');
    secToken = secLogin.accessToken;
    secUserId = (secLogin.me as unknown as { user: { id: string } }).user.id;
    b1 = await branchId(server.baseUrl, secToken, '第一党支部');
    await seedHistory(server.databaseUrl, b1);
    sec = await openAs(browser, server.baseUrl, 'secretary1');
    liu = await openAs(browser, server.baseUrl, 'member1');
    // A phone-sized member.
    chen = await openAs(browser, server.baseUrl, '13800000014', { width: 390, height: 844 });
    yang = await openAs(browser, server.baseUrl, '13800000015');
  });

  afterAll(async () => {
    if (process.env.E2E_DEBUG) process.stderr.write(server?.log() ?? '');
    await browser?.close();
    await server?.stop();
  });

  it('the secretary schedules a meeting with only its type and time', async () => {
    await step('schedule', async () => {
      const page = sec.page;
      await page.goto(`${server.baseUrl}/units/${b1}`, { waitUntil: 'domcontentloaded' });
      await page.getByTestId('schedule-meeting').click();
      const form = page.getByTestId('schedule-form');
      await form.getByTestId('schedule-type').click();
      await page.locator('.ant-select-item-option').filter({ hasText: '支部党员大会' }).click();
      // In five minutes (the join button is on from 15 minutes before the start).
      const start = new Date(Date.now() + 5 * 60_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      const text = `${start.getFullYear()}-${pad(start.getMonth() + 1)}-${pad(start.getDate())} ${pad(start.getHours())}:${pad(start.getMinutes())}`;
      const input = form.locator('input#start');
      await input.fill(text);
      await input.press('Enter');
      await page.locator('.ant-modal-footer .ant-btn-primary').click();
      const item = page.getByTestId('upcoming-meeting').filter({ hasText: '支部党员大会' });
      await item.waitFor();
      meetingId = (await item.getAttribute('data-meeting-id')) ?? '';
      expect(meetingId).toMatch(/^[0-9a-f-]{36}$/);
      // Everything else was filled in: one hour, host = the secretary, the whole roster expected.
      const m = await api<{
        title: string;
        scheduledStart: string;
        scheduledEnd: string;
        hostUserId: string;
        attendees: unknown[];
      }>(`/meetings/${meetingId}`);
      expect(Date.parse(m.scheduledEnd) - Date.parse(m.scheduledStart)).toBe(3600_000);
      expect(m.hostUserId).toBe(secUserId);
      expect(m.attendees.length).toBe(9);
      await shot(page, 'meetings-branch-page');
    });
  }, 240_000);

  it('杨帆 asks for leave; the secretary approves; 杨帆 is notified', async () => {
    await step('leave', async () => {
      const page = yang.page;
      await page.goto(`${server.baseUrl}/units/${b1}`, { waitUntil: 'domcontentloaded' });
      // The bell has the scheduling notification (and the reminder: the meeting starts within its window).
      await until(
        'scheduled notification',
        async () => Number(await page.getByTestId('notification-unread').innerText()) >= 1,
        15_000,
      );
      const item = page.locator(`[data-testid=upcoming-meeting][data-meeting-id="${meetingId}"]`);
      await item.getByTestId('meeting-info-link').click();
      await page.getByTestId('ask-leave').click();
      await page.getByTestId('leave-reason').fill('外出参加培训');
      await page.locator('.ant-modal-footer .ant-btn-primary').click();
      await page.getByTestId('leave-status').filter({ hasText: '待审批' }).waitFor();

      await sec.page.goto(`${server.baseUrl}/meetings/${meetingId}/info`, { waitUntil: 'domcontentloaded' });
      await sec.page
        .getByTestId('leave-request')
        .filter({ hasText: '杨帆' })
        .getByTestId('leave-approve')
        .click();
      await sec.page.getByTestId('leave-status').filter({ hasText: '已批准' }).waitFor();

      // Pushed to 杨帆's open page: a toast and the bell.
      await page
        .locator('.ant-notification-notice')
        .filter({ hasText: '已获批准' })
        .waitFor({ timeout: 15_000 });
      await page.getByTestId('notification-bell').click();
      await page.getByTestId('notification-item').filter({ hasText: '请假申请已获批准' }).waitFor();
      await shot(page, 'meetings-notifications');
      await page.keyboard.press('Escape');
    });
  }, 240_000);

  it('the secretary opens the room; 刘洋 and 陈静 join from their upcoming meetings', async () => {
    await step('join', async () => {
      for (const m of [sec, liu, chen]) {
        await m.page.goto(`${server.baseUrl}/units/${b1}`, { waitUntil: 'domcontentloaded' });
        const item = m.page.locator(`[data-testid=upcoming-meeting][data-meeting-id="${meetingId}"]`);
        if (m === chen) {
          await item.waitFor();
          await shot(m.page, 'meetings-branch-phone');
        }
        await item.getByTestId('upcoming-join').click();
        await m.page.waitForURL(`${server.baseUrl}/meetings/${meetingId}`);
        // The members join with their camera off (the machine's cores are shared; the host's video is enough).
        if (m !== sec) await m.page.getByTestId('prejoin-camera-toggle').click();
        await m.page.getByTestId('prejoin-join').click();
        await m.page.getByTestId('room-grid').waitFor();
      }
      for (const m of [sec, liu, chen])
        await m.page.waitForFunction(
          () => document.querySelectorAll('[data-testid=video-tile]').length === 3,
          null,
          {
            timeout: 30_000,
          },
        );
      // The meeting page of the branch shows who is in and who is missing.
      await until(
        'three in the meeting',
        async () =>
          (await api<MeetingAttendance>(`/meetings/${meetingId}/attendance`)).records.filter(
            (r) => r.lastLeave && r.joinCount > 0,
          ).length === 3,
        20_000,
      );
      await shot(sec.page, 'meetings-room');
      await shot(chen.page, 'meetings-room-phone');
      await yang.page.goto(`${server.baseUrl}/meetings/${meetingId}/info`, { waitUntil: 'domcontentloaded' });
      await yang.page.getByTestId('presence-now').waitFor();
      await until(
        'presence shown',
        async () => (await yang.page.getByTestId('present-now').count()) === 3,
        20_000,
      );
      await shot(yang.page, 'meetings-live-info');
    });
  }, 240_000);

  it('a guest with an invite link (no account) waits in the lobby and is let in by the host', async () => {
    await step('guest', async () => {
      const invite = await api<{ token: string }>(`/meetings/${meetingId}/invites`, { validHours: 24 });
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        permissions: ['camera', 'microphone'],
      });
      const page = await context.newPage();
      await page.goto(`${server.baseUrl}/guest/${invite.token}`, { waitUntil: 'domcontentloaded' });
      await page.getByTestId('guest-meeting-title').waitFor();
      await shot(page, 'meetings-guest-link');
      await page.getByTestId('guest-name').fill('王教授');
      await page.getByTestId('guest-enter').click();
      await page.getByTestId('prejoin-camera-toggle').click();
      await page.getByTestId('prejoin-join').click();
      await page.getByTestId('waiting-room').waitFor({ timeout: 20_000 });
      await sec.page.getByTestId('ctl-participants').click();
      await sec.page.locator('[data-testid^="lobby-admit-"]').click({ timeout: 20_000 });
      await page.getByTestId('room-grid').waitFor({ timeout: 30_000 });
      await sec.page.getByTestId('participant-guest').waitFor({ timeout: 30_000 });
      await sec.page.keyboard.press('Escape'); // closes the participants panel
      await sec.page.waitForFunction(
        () => document.querySelectorAll('[data-testid=video-tile]').length === 4,
        null,
        {
          timeout: 30_000,
        },
      );
      await shot(sec.page, 'meetings-room-with-guest');
      // Guests are listed apart, never expected.
      await until(
        'the guest is present',
        async () => (await api<MeetingAttendance>(`/meetings/${meetingId}/attendance`)).guests.length === 1,
        20_000,
      );
      const a = await api<MeetingAttendance>(`/meetings/${meetingId}/attendance`);
      expect(a.records).toHaveLength(9);
      expect(a.guests[0].name).toBe('王教授');
    });
  }, 240_000);

  it('the secretary ends the meeting and downloads the attendance XLSX: it equals what the server recorded', async () => {
    await step('end', async () => {
      // Long enough that everyone who came is over half of the meeting.
      await new Promise((r) => setTimeout(r, 30_000));
      const page = sec.page;
      await page.getByTestId('ctl-leave').click();
      await page.getByTestId('end-for-all').click();
      await page.getByTestId('room-back').waitFor({ timeout: 20_000 });
      for (const m of [liu, chen]) await m.page.getByTestId('room-back').waitFor({ timeout: 20_000 });

      await page.goto(`${server.baseUrl}/meetings/${meetingId}/info`, { waitUntil: 'domcontentloaded' });
      await page.getByTestId('attendance-final').waitFor();
      await shot(page, 'meetings-ended-info');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('export-xlsx').click(),
      ]);
      const file = join(artifactsDir, 'meetings-attendance.xlsx');
      await download.saveAs(file);

      const attendance = await api<MeetingAttendance>(`/meetings/${meetingId}/attendance`);
      expect(attendance.final).toBe(true);
      const status = (name: string) => attendance.records.find((r) => r.name === name)?.status;
      expect(status('李红梅')).toBe('present');
      expect(status('刘洋')).toBe('present');
      expect(status('陈静')).toBe('present');
      expect(status('杨帆')).toBe('excused');
      expect(attendance.records.filter((r) => r.status === 'absent')).toHaveLength(
        attendance.records.length - 4,
      );

      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      const sheet = wb.worksheets[0];
      const rows: string[][] = [];
      sheet.eachRow((row) =>
        rows.push(
          Array.from(row.values as unknown[])
            .slice(1)
            .map((v) => (v === null || v === undefined ? '' : String(v))),
        ),
      );
      const header = rows.findIndex((r) => r[0] === '姓名');
      expect(header).toBeGreaterThan(0);
      const block = new Map(rows.slice(0, header).map((r) => [r[0], r[1]]));
      expect(block.get('应到')).toBe('9');
      expect(block.get('实到')).toBe('3');
      expect(block.get('请假')).toBe('1');
      expect(block.get('缺席')).toBe('5');
      const zh: Record<string, string> = {
        present: '出席',
        late: '迟到',
        left_early: '早退',
        absent: '缺席',
        excused: '请假',
        make_up: '补学',
      };
      const china = (iso: string | null) =>
        iso ? new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ') : '';
      expect(rows.slice(header + 1).map((r) => [r[0], r[2], r[3], r[4], r[5]])).toEqual(
        attendance.records.map((r) => [
          r.name,
          zh[r.status],
          china(r.firstJoin),
          china(r.lastLeave),
          String(r.joinCount),
        ]),
      );
      writeFileSync(join(artifactsDir, 'meetings-attendance.json'), JSON.stringify(attendance, null, 2));
    });
  }, 240_000);

  it('the statistics dashboard shows the rate by month and 三会一课 held against required', async () => {
    await step('statistics', async () => {
      const page = sec.page;
      await page.goto(`${server.baseUrl}/units/${b1}`, { waitUntil: 'domcontentloaded' });
      await page.getByTestId('upcoming-view').locator('.ant-segmented-item').last().click();
      await page.getByTestId('branch-calendar').getByText('支部党员大会').first().waitFor();
      await shot(page, 'meetings-calendar');
      await page.getByTestId('open-statistics').click();
      await page.getByTestId('statistics-summary').waitFor();
      // The charts (recharts, loaded on demand) have drawn.
      await page.locator('[data-testid=chart-months] .recharts-surface').last().waitFor();
      await page.locator('[data-testid=chart-required] .recharts-surface').last().waitFor();
      await page.getByTestId('statistics-meetings').getByText('支部党员大会').first().waitFor();
      await page.waitForTimeout(800); // the charts' entry animation
      await shot(page, 'meetings-statistics');
      await page.setViewportSize({ width: 390, height: 844 });
      await shot(page, 'meetings-statistics-phone');
      await page.setViewportSize({ width: 1280, height: 800 });

      // The committee's view: per branch.
      const committee = await openAs(browser, server.baseUrl, 'committee');
      const committeeId = await branchId(server.baseUrl, secToken, '示范单位党委');
      await committee.page.goto(`${server.baseUrl}/units/${committeeId}/statistics`, {
        waitUntil: 'domcontentloaded',
      });
      await committee.page.getByTestId('statistics-branches').locator('.recharts-surface').last().waitFor();
      await shot(committee.page, 'meetings-statistics-committee');
      await committee.context.close();
    });
  }, 240_000);
});

/** Earlier meetings of this year (ended, with presence and leave), as the app would have recorded them. */
async function seedHistory(databaseUrl: string, branch: string): Promise<void> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const now = new Date();
    const months = Math.max(1, now.getMonth()); // the months of this year before this one
    const types = ['branch_assembly', 'committee_meeting', 'lecture', 'theme_day', 'group_meeting'];
    const { rows: roster } = await pg.query<{ user_id: string; role: string }>(
      `SELECT user_id, role FROM membership WHERE unit_id = $1 ORDER BY created_at`,
      [branch],
    );
    const { rows: groups } = await pg.query<{ id: string }>(
      `SELECT id FROM org_unit WHERE parent_id = $1 AND type = 'group'`,
      [branch],
    );
    const host = roster.find((r) => r.role === 'secretary')?.user_id;
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < months; i++) {
      for (const [k, type] of types.entries()) {
        // Not every required meeting is held every month (so 三会一课 shows gaps).
        if ((i + k) % 4 === 3) continue;
        const start = new Date(now.getFullYear(), i, 5 + k * 4, 9, 0);
        const groupId = type === 'group_meeting' ? (groups[0]?.id ?? null) : null;
        if (type === 'group_meeting' && !groupId) continue;
        const { rows } = await pg.query<{ id: string }>(
          `INSERT INTO meeting (unit_id, type, title, host_id, status, group_id, scheduled_start, scheduled_end,
             started_at, ended_at, created_by)
           VALUES ($1, $2, $3, $4, 'ended', $5, $6, $6::timestamptz + interval '1 hour', $6,
                   $6::timestamptz + interval '1 hour', $4) RETURNING id`,
          [branch, type, `${now.getFullYear()}年${i + 1}月 ${labels[type]}`, host, groupId, start],
        );
        for (const r of roster) {
          await pg.query(
            `INSERT INTO meeting_attendee (meeting_id, user_id, kind) VALUES ($1, $2, 'expected')`,
            [rows[0].id, r.user_id],
          );
          const p = random();
          if (p < 0.12) continue; // absent
          const from = p < 0.25 ? 12 : 1; // late
          const to = p > 0.93 ? 20 : 60; // left early
          await pg.query(
            `INSERT INTO presence_segment (meeting_id, user_id, peer_id, opened_at, closed_at, last_heartbeat_at, close_reason)
             VALUES ($1, $2, gen_random_uuid(), $3::timestamptz + $4 * interval '1 minute',
                     $3::timestamptz + $5 * interval '1 minute', $3::timestamptz + $5 * interval '1 minute', 'left')`,
            [rows[0].id, r.user_id, start, from, to],
          );
        }
      }
    }
  } finally {
    await pg.end();
  }
}

const labels: Record<string, string> = {
  branch_assembly: '支部党员大会',
  committee_meeting: '支委会',
  lecture: '党课',
  theme_day: '主题党日',
  group_meeting: '党小组会',
};
