import { demoUnits, DemoUnits } from '../test-support/fixtures';
import { startTestApp, TestApp } from '../test-support/int-app';
import { xlsxBomb, xlsxWithRows } from '../test-support/zip-bombs';

/**
 * Upload bombs and import floods: a file that inflates to hundreds of MB, or holds a
 * million rows, is refused before it is parsed — quickly, and without the server's memory following it; a
 * manager's imports are rate-limited. The app runs in this process, so its RSS is this process's.
 */
describe('roster import limits (real PostgreSQL)', () => {
  let t: TestApp;
  let u: DemoUnits;
  let secretary1: { Authorization: string };
  beforeAll(async () => {
    t = await startTestApp({ env: { ROSTER_IMPORT_RATE_LIMIT: '8' } });
    u = await demoUnits(t.ds);
    secretary1 = (await t.login('secretary1')).auth;
  });
  afterAll(() => t?.close());

  const upload = (content: Buffer, auth = secretary1, unitId = u.branchA) =>
    t
      .http()
      .post(`/api/org-units/${unitId}/roster/import`)
      .query({ dryRun: 'true' })
      .set(auth)
      .attach('file', content, 'bomb.xlsx');

  it('refuses a 0.5 MB XLSX that inflates to 500 MB, and a 1.3 M-row XLSX, fast and in little memory', async () => {
    const bomb = await xlsxBomb(500);
    const liar = await xlsxBomb(500, true); // declares 1 KB, inflates to 500 MB
    const million = await xlsxWithRows(1_300_000, false);
    console.log(
      `bomb ${(bomb.length / 1024).toFixed(0)} KB, million rows ${(million.length / 1024 / 1024).toFixed(1)} MB`,
    );
    expect(bomb.length).toBeLessThan(600 * 1024);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const times: Record<string, number> = {};
    try {
      for (const [name, file] of [
        ['bomb', bomb],
        ['liar', liar],
        ['million', million],
      ] as const) {
        const start = Date.now();
        const res = await upload(file);
        times[name] = Date.now() - start;
        expect({ name, status: res.status, code: res.body.code }).toEqual({
          name,
          status: 413,
          code: 'import_too_large',
        });
        expect(res.body.message).toMatch(/MB|行/);
      }
    } finally {
      clearInterval(sampler);
    }
    const growthMb = (peak - rssBefore) / 1024 / 1024;
    console.log(`refused in ${JSON.stringify(times)} ms; RSS growth ${growthMb.toFixed(0)} MB`);
    expect(growthMb).toBeLessThan(150);
  }, 120_000);

  it('refuses a sheet of more than 50,000 rows before parsing it (rows counted on the raw XML)', async () => {
    const file = await xlsxWithRows(60_000);
    const res = await upload(file);
    expect(res.status).toBe(413);
    expect(res.body.message).toBe('花名册文件最多 50000 行');
  }, 120_000);

  it("limits a manager's imports (dry runs too) per window, with a 429 that says when to retry", async () => {
    const csv = Buffer.from('姓名,手机号\n试导入,13112345678\n', 'utf8');
    const secretary2 = (await t.login('secretary2')).auth;
    let status = 200;
    let tries = 0;
    while (status !== 429 && tries < 20) {
      tries++;
      status = (await upload(csv)).status;
    }
    expect(status).toBe(429);
    const res = await upload(csv);
    expect(res.body).toMatchObject({ code: 'rate_limited' });
    expect(res.body.message).toMatch(/^导入过于频繁，请 \d+ 秒后再试$/);
    // Another manager is not held up by it.
    await upload(csv, secretary2, u.branchB).expect(200);
  });
});
