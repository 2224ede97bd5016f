import type { RosterImportReport } from '@branchmeet/shared';
import { DemoUnits, demoUnits, membershipCount, rosterCsv, rosterRows } from '../test-support/fixtures';
import { startTestApp, TestApp } from '../test-support/int-app';

/**
 * The server speaks the UI's language: every message (domain errors, validation issues, import reasons) is
 * Chinese by default and English when the request's Accept-Language prefers English; codes never change.
 */
describe('messages in the request’s language (real PostgreSQL)', () => {
  let t: TestApp;
  let u: DemoUnits;
  let secretary1: { Authorization: string };
  const en = { 'Accept-Language': 'en-US,en;q=0.9,zh-CN;q=0.5' };

  beforeAll(async () => {
    t = await startTestApp();
    u = await demoUnits(t.ds);
    secretary1 = (await t.login('secretary1')).auth;
  });
  afterAll(() => t?.close());

  it('a rejected login: Chinese by default and for a Chinese browser, English when English is preferred', async () => {
    const wrong = { login: 'secretary1', password: 'not-the-password' };
    const zhBody = { code: 'unauthenticated', message: '手机号、用户名或密码错误' };
    const plain = await t.http().post('/api/auth/login').send(wrong).expect(401);
    expect(plain.body).toEqual(zhBody);
    const zhBrowser = await t
      .http()
      .post('/api/auth/login')
      .set('Accept-Language', 'zh-CN,zh;q=0.9,en;q=0.8')
      .send(wrong)
      .expect(401);
    expect(zhBrowser.body).toEqual(zhBody);
    const english = await t.http().post('/api/auth/login').set(en).send(wrong).expect(401);
    expect(english.body).toEqual({
      code: 'unauthenticated',
      message: 'wrong phone number, username or password',
    });
  });

  it('validation issues: the schemas’ own messages and zod’s built-in ones, per field, in both languages', async () => {
    const body = { login: '', password: 5 };
    const zh = await t.http().post('/api/auth/login').send(body).expect(400);
    expect(zh.body).toEqual({
      code: 'validation_failed',
      message: 'login: 请输入手机号或用户名; password: 无效输入：期望 string，实际接收 数字',
      issues: [
        { path: 'login', message: '请输入手机号或用户名' },
        { path: 'password', message: '无效输入：期望 string，实际接收 数字' },
      ],
    });
    const english = await t.http().post('/api/auth/login').set(en).send(body).expect(400);
    expect(english.body.code).toBe('validation_failed');
    expect(english.body.issues).toEqual([
      { path: 'login', message: 'enter a phone number or username' },
      { path: 'password', message: 'Invalid input: expected string, received number' },
    ]);

    // A custom message with the schema's own limit as a parameter, and a bad phone.
    const short = await t
      .http()
      .post('/api/auth/change-password')
      .set(secretary1)
      .send({ currentPassword: 'Demo@2026', newPassword: 'short' })
      .expect(400);
    expect(short.body.issues).toEqual([{ path: 'newPassword', message: '密码至少 8 个字符' }]);
    const shortEn = await t
      .http()
      .post('/api/auth/change-password')
      .set(secretary1)
      .set(en)
      .send({ currentPassword: 'Demo@2026', newPassword: 'short' })
      .expect(400);
    expect(shortEn.body.issues).toEqual([
      { path: 'newPassword', message: 'password must have at least 8 characters' },
    ]);
    const add = (headers: Record<string, string>) =>
      t
        .http()
        .post(`/api/org-units/${u.branchA}/members`)
        .set(secretary1)
        .set(headers)
        .send({ name: '王五', phone: '12345' })
        .expect(400);
    expect((await add({})).body.issues).toEqual([{ path: 'phone', message: '手机号须为 11 位大陆手机号码' }]);
    expect((await add(en)).body.issues).toEqual([
      { path: 'phone', message: 'phone must be an 11-digit mainland mobile number' },
    ]);
  });

  it('roster import reasons follow the request’s language; nothing is applied either way', async () => {
    const rows = rosterRows(3, '135');
    rows[0].手机号 = '1350000000'; // row 2: ten digits
    rows[1].职务 = '主任'; // row 3: not a post
    rows[2].党员类型 = '预备党员'; // row 4: a probationary member holding a post (委员)
    const before = await membershipCount(t.ds, u.branchA);
    const upload = (headers: Record<string, string>) =>
      t
        .http()
        .post(`/api/org-units/${u.branchA}/roster/import`)
        .set(secretary1)
        .set(headers)
        .attach('file', rosterCsv(rows), 'roster.csv')
        .expect(200);

    const zh = (await upload({})).body as RosterImportReport;
    expect(zh.applied).toBe(false);
    expect(zh.errors).toEqual([
      { row: 2, reasons: ['手机号须为 11 位大陆手机号码'] },
      { row: 3, reasons: ['未知职务“主任”（可填：书记/副书记/组织委员/委员/党员）'] },
      { row: 4, reasons: ['预备党员不能担任职务'] },
    ]);
    const english = (await upload(en)).body as RosterImportReport;
    expect(english.errors).toEqual([
      { row: 2, reasons: ['phone must be an 11-digit mainland mobile number'] },
      { row: 3, reasons: ['unknown role "主任" (use 书记/副书记/组织委员/委员/党员)'] },
      { row: 4, reasons: ['a probationary member (预备党员) cannot hold a post'] },
    ]);
    expect(await membershipCount(t.ds, u.branchA)).toBe(before);
  });

  it('errors of authorisation and of the path are localised too, with the same codes', async () => {
    const elsewhere = await t.http().get(`/api/org-units/${u.branchB}`).set(secretary1).expect(404);
    expect(elsewhere.body).toEqual({ code: 'not_found', message: '组织不存在' });
    const elsewhereEn = await t.http().get(`/api/org-units/${u.branchB}`).set(secretary1).set(en).expect(404);
    expect(elsewhereEn.body).toEqual({ code: 'not_found', message: 'organisation unit not found' });
    const badId = await t.http().get('/api/org-units/not-a-uuid').set(secretary1).expect(400);
    expect(badId.body).toEqual({ code: 'validation_failed', message: '地址中的编号无效' });
    const noToken = await t.http().get('/api/auth/me').set(en).expect(401);
    expect(noToken.body).toEqual({ code: 'unauthenticated', message: 'sign in first: no access token' });
  });
});
