import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mammoth from 'mammoth';
import type { Browser, Page } from 'playwright-core';
import { AppServer, startAppServer } from './support/app-server';
import { artifactsDir, launchBrowser } from './support/browser';
import { apiLogin, branchId, Member, openAs, until } from './support/room';

/**
 * The minutes through the real UI (Debian's Chromium with fake devices, the built
 * server with its real mediasoup worker). In a live meeting the recorder (张伟, the branch's organizer) writes in
 * the minutes panel next to the video while a member (刘洋) watches the text appear, read-only; the host opens a
 * vote, members vote, the result lands in the resolutions. After the meeting the secretary (李红梅) submits, the
 * committee's secretary (王建国) finds it in the approval inbox and approves it, and the DOCX downloads and parses.
 */
describe('minutes in the browser', () => {
  let server: AppServer;
  let browser: Browser;
  let host: Member; // secretary1 李红梅: hosts, submits
  let recorder: Member; // 13800000012 张伟: the default recorder (组织委员)
  let member: Member; // member1 刘洋, on a phone-sized screen
  let committee: Member; // 王建国
  let meetingId = '';
  let b1 = '';
  const TYPED = '同志们逐条学习了党章第一章，大家结合岗位谈了体会。';
  const SUBJECT = '同意将学习计划报上级党委';

  const shot = (m: Member, name: string) =>
    m.page.screenshot({ path: join(artifactsDir, `minutes-${name}.png`) });
  const shootOnFailure = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      for (const m of [host, recorder, member, committee])
        await m?.page
          .screenshot({ path: join(artifactsDir, `minutes-fail-${name}-${m.label}.png`) })
          .catch(() => undefined);
      throw e;
    }
  };
  const sectionValue = (page: Page, i: number) =>
    page.getByTestId('minutes-panel').getByTestId(`minutes-section-${i}`).inputValue();

  beforeAll(async () => {
    server = await startAppServer({ mediaWorkers: 1 });
    browser = await launchBrowser();
    const sec = await apiLogin(server.baseUrl, 'secretary1');
    b1 = await branchId(server.baseUrl, sec.accessToken, '第一党支部');
    const res = await fetch(`${server.baseUrl}/api/org-units/${b1}/meetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sec.accessToken}` },
      body: JSON.stringify({
        type: 'branch_assembly',
        start: new Date(Date.now() + 5 * 60_000).toISOString(),
        agenda: ['学习党章', '讨论年度学习计划'],
      }),
    });
    if (res.status !== 201) throw new Error(`schedule: ${res.status} ${await res.text()}`);
    meetingId = ((await res.json()) as { id: string }).id;
    host = await openAs(browser, server.baseUrl, 'secretary1');
    recorder = await openAs(browser, server.baseUrl, '13800000012');
    member = await openAs(browser, server.baseUrl, 'member1', { width: 390, height: 844 });
    committee = await openAs(browser, server.baseUrl, 'committee');
  });

  afterAll(async () => {
    if (process.env.E2E_DEBUG) process.stderr.write(server?.log() ?? '');
    await browser?.close();
    await server?.stop();
  });

  it('the recorder writes in the panel next to the video while a member watches the text appear', async () => {
    await shootOnFailure('live', async () => {
      for (const m of [host, recorder, member]) {
        await m.page.goto(`${server.baseUrl}/meetings/${meetingId}`, { waitUntil: 'domcontentloaded' });
        await m.page.getByTestId('prejoin-join').click();
        await m.page.getByTestId('room').waitFor();
      }
      // On the phone the panel starts folded away; the member opens it.
      await member.page.getByTestId('minutes-expand').click();
      for (const m of [host, recorder, member])
        await m.page.getByTestId('minutes-panel').getByTestId('minutes-section-1').waitFor();
      const panel = (m: Member) => m.page.getByTestId('minutes-panel');
      await expect(panel(recorder).getByTestId('minutes-mode').textContent()).resolves.toBe('编写中');
      await expect(panel(member).getByTestId('minutes-mode').textContent()).resolves.toBe('只读');
      await expect(
        panel(member).getByTestId('minutes-section-0').getAttribute('readonly'),
      ).resolves.not.toBeNull();

      const box = panel(recorder).getByTestId('minutes-section-0');
      await box.click();
      await recorder.page.keyboard.type(TYPED.slice(0, 10), { delay: 40 });
      // The member sees the first words while the recorder is still typing.
      await until(
        'the member sees the first words',
        async () => (await sectionValue(member.page, 0)) === TYPED.slice(0, 10),
      );
      await shot(member, 'member-watching-phone');
      await recorder.page.keyboard.type(TYPED.slice(10), { delay: 25 });
      await until(
        'the member sees the whole sentence',
        async () => (await sectionValue(member.page, 0)) === TYPED,
      );
      await until('the host sees it too', async () => (await sectionValue(host.page, 0)) === TYPED);
      // A member's typing goes nowhere: the box is read-only.
      await panel(member).getByTestId('minutes-section-0').click();
      await member.page.keyboard.type('乱写', { delay: 20 });
      expect(await sectionValue(member.page, 0)).toBe(TYPED);
      await shot(recorder, 'recorder-writing');
    });
  });

  it('the host opens a vote, members vote, the result lands in the resolutions', async () => {
    await shootOnFailure('vote', async () => {
      await host.page.getByTestId('vote-start').click();
      await host.page.getByTestId('vote-subject').fill(SUBJECT);
      await host.page.getByRole('button', { name: '发起表决' }).last().click();
      for (const m of [recorder, member]) await m.page.getByTestId('vote-yes').click();
      for (const m of [recorder, member]) await m.page.getByTestId('vote-mine').waitFor();
      await host.page.getByTestId('vote-close').click();
      for (const m of [host, recorder, member])
        await until('the result in the resolutions', async () =>
          (
            await m.page.getByTestId('minutes-panel').getByTestId('minutes-resolutions').inputValue()
          ).includes(`表决：${SUBJECT}`),
        );
      await shot(host, 'host-vote-result');
    });
  });

  it('after the meeting the secretary submits, the committee approves from its inbox, and the DOCX downloads', async () => {
    await shootOnFailure('review', async () => {
      await host.page.getByTestId('ctl-host').click();
      await host.page.getByTestId('host-end').click();
      await host.page.getByTestId('end-confirm').click();
      await host.page.getByTestId('end-summary').waitFor(); // the host who ended it sees the summary

      await host.page.goto(`${server.baseUrl}/meetings/${meetingId}/minutes`, {
        waitUntil: 'domcontentloaded',
      });
      await host.page.getByTestId('minutes-fields').waitFor();
      await expect(host.page.getByTestId('minutes-host').textContent()).resolves.toBe('李红梅');
      await expect(host.page.getByTestId('minutes-recorder').textContent()).resolves.toBe('张伟');
      await until(
        'the content on the minutes page',
        async () => (await host.page.getByTestId('minutes-section-0').inputValue()) === TYPED,
      );
      await host.page.getByTestId('minutes-sign').click();
      await host.page.getByTestId('signature-host').filter({ hasText: '李红梅' }).waitFor();
      await shot(host, 'page-draft');
      await host.page.getByTestId('minutes-submit').click();
      await host.page.getByRole('dialog').getByRole('button', { name: '提交审核' }).click();
      await host.page.locator('[data-testid=minutes-status][data-status=submitted]').first().waitFor();

      await committee.page.goto(`${server.baseUrl}/minutes/inbox`, { waitUntil: 'domcontentloaded' });
      const item = committee.page.getByTestId('inbox-item').filter({ hasText: '支部党员大会' });
      await item.waitFor();
      await shot(committee, 'inbox');
      await item.getByRole('link').first().click();
      await committee.page.getByTestId('minutes-approve').click();
      await committee.page.locator('[data-testid=minutes-status][data-status=approved]').first().waitFor();
      await until(
        'the content shows on the approver’s page',
        async () => (await committee.page.getByTestId('minutes-section-0').inputValue()) === TYPED,
      );
      await shot(committee, 'approved');

      const [download] = await Promise.all([
        committee.page.waitForEvent('download'),
        committee.page.getByTestId('minutes-docx').click(),
      ]);
      const file = join(artifactsDir, 'minutes-e2e.docx');
      await download.saveAs(file);
      expect(download.suggestedFilename()).toMatch(/会议记录\.docx$/);
      const { value: text } = await mammoth.extractRawText({ buffer: readFileSync(file) });
      for (const s of [
        '会议记录',
        '支部党员大会',
        '主持人',
        '李红梅',
        '记录人',
        '张伟',
        '实到人数',
        TYPED,
        `表决：${SUBJECT}`,
        '散会',
        '已审核',
      ])
        expect(text).toContain(s);
    });
  });

  it('the branch archive finds the minutes by a few Chinese words of the content', async () => {
    await shootOnFailure('archive', async () => {
      await member.page.goto(`${server.baseUrl}/units/${b1}/minutes`, { waitUntil: 'domcontentloaded' });
      await member.page.getByTestId('minutes-search').locator('input').fill('结合岗位');
      await member.page.getByTestId('minutes-search').locator('input').press('Enter');
      await member.page.getByTestId('archive-snippet').filter({ hasText: '结合岗位' }).waitFor();
      await shot(member, 'archive-phone');
    });
  });
});
