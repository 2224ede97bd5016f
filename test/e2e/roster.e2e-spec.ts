import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { AppServer, startAppServer } from './support/app-server';
import { artifactsDir, launchBrowser } from './support/browser';

const surnames = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许';
const given = ['志强', '秀英', '建华', '丽娟', '海燕', '国庆', '晓明', '春梅', '文博', '思远'];

/** A roster file as a secretary would fill it in: Chinese headers and values. */
async function rosterXlsx(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('花名册');
  ws.addRow(['姓名', '手机号', '职务', '党员类型', '党小组']);
  rows.forEach((r) => ws.addRow(r));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function people(n: number): (string | number)[][] {
  return Array.from({ length: n }, (_, i) => [
    `${surnames[i % surnames.length]}${given[i % given.length]}${i}`,
    `139${String(10000000 + i).padStart(8, '0')}`,
    i === 0 ? '委员' : '党员',
    i % 7 === 3 ? '预备党员' : '正式党员',
    i % 2 === 0 ? '第一党小组' : '第二党小组',
  ]);
}

describe('roster in the browser', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a secretary signs in, opens the branch, imports a roster (a bad file first) and sees the members', async () => {
    await page.goto(`${server.baseUrl}/login`, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('login-input').fill('secretary1');
    await page.getByTestId('password-input').fill('Demo@2026');
    await page.getByTestId('login-submit').click();

    // The secretary's branch opens from the navigation.
    await page
      .getByRole('menuitem', { name: /第一党支部/ })
      .first()
      .click();
    const table = page.getByTestId('roster-table');
    await table.getByText('李红梅').waitFor();
    const rowsBefore = await table.locator('tbody tr.ant-table-row').count();

    // A file with two bad rows: nothing is applied, and the report names exactly those rows.
    const good = people(25);
    const bad = good.map((r) => [...r]);
    bad[1][1] = '12345';
    bad[3][2] = '队长';
    const fileInput = page.getByTestId('roster-import').locator('input[type=file]');
    await fileInput.setInputFiles({
      name: 'bad.xlsx',
      mimeType: 'application/octet-stream',
      buffer: await rosterXlsx(bad),
    });
    const report = page.getByTestId('import-report');
    await report.waitFor();
    await expectText(report, '3'); // row 3 (second data row)
    await expectText(report, '5');
    await expectText(report, '队长');
    await page.screenshot({ path: join(artifactsDir, 'roster-import-report.png'), fullPage: true });
    expect(await table.locator('tbody tr.ant-table-row').count()).toBe(rowsBefore);

    // The corrected file imports all 25.
    await fileInput.setInputFiles({
      name: 'roster.xlsx',
      mimeType: 'application/octet-stream',
      buffer: await rosterXlsx(good),
    });
    await table.getByText(String(good[0][0])).waitFor();
    await page.getByTestId('roster-search').locator('input').fill(String(good[24][0]));
    await table.getByText(String(good[24][0])).waitFor();
    expect(await table.locator('tbody tr.ant-table-row').count()).toBe(1);
    await page.getByTestId('roster-search').locator('input').fill('');
    await table.getByText('李红梅').waitFor();
    await page.screenshot({ path: join(artifactsDir, 'roster.png'), fullPage: true });

    // Export downloads an XLSX holding the whole roster.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('roster-export').click(),
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(await download.path());
    expect(wb.worksheets[0].actualRowCount - 1).toBe(rowsBefore + 25);
  });
});

async function expectText(locator: import('playwright-core').Locator, text: string) {
  await locator.getByText(text, { exact: false }).first().waitFor();
}
