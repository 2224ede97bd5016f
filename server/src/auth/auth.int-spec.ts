import { startTestApp, TestApp } from '../test-support/int-app';

describe('accounts (real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('signs in by username or by phone, and /auth/me tells who and where', async () => {
    const byName = await t.login('secretary1');
    const byPhone = await t.login('13800000011');
    expect(byPhone.session.me.user.id).toBe(byName.session.me.user.id);
    const me = await t.http().get('/api/auth/me').set(byName.auth).expect(200);
    expect(me.body.user.name).toBe('李红梅');
    expect(me.body.memberships).toEqual(
      expect.arrayContaining([expect.objectContaining({ unitName: '第一党支部', role: 'secretary' })]),
    );
    expect(me.body.user).not.toHaveProperty('passwordHash');
  });

  it('refuses a wrong password with a clear message and no stack trace', async () => {
    const res = await t
      .http()
      .post('/api/auth/login')
      .send({ login: 'secretary1', password: 'nope-nope' })
      .expect(401);
    expect(res.body).toEqual({
      code: 'unauthenticated',
      message: '手机号、用户名或密码错误',
    });
  });

  it('rejects a malformed body with the field that is wrong', async () => {
    const res = await t.http().post('/api/auth/login').send({ login: '' }).expect(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['login', 'password']),
    );
  });

  it('rotates refresh tokens, and a reused one ends every session', async () => {
    const { session } = await t.login('member1');
    const first = await t
      .http()
      .post('/api/auth/refresh')
      .send({ refreshToken: session.refreshToken })
      .expect(200);
    expect(first.body.refreshToken).not.toBe(session.refreshToken);
    // The old token was rotated away; presenting it again looks like theft.
    await t.http().post('/api/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401);
    await t.http().post('/api/auth/refresh').send({ refreshToken: first.body.refreshToken }).expect(401);
  });

  it('logs out: the refresh token stops working', async () => {
    const { session } = await t.login('member2');
    await t.http().post('/api/auth/logout').send({ refreshToken: session.refreshToken }).expect(204);
    await t.http().post('/api/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401);
  });

  it('changes a password (audited) and an administrator resets one', async () => {
    const member = await t.login('13800000016');
    await t
      .http()
      .post('/api/auth/change-password')
      .set(member.auth)
      .send({ currentPassword: 'wrong-one', newPassword: 'NewPassw0rd!' })
      .expect(400);
    await t
      .http()
      .post('/api/auth/change-password')
      .set(member.auth)
      .send({ currentPassword: 'Demo@2026', newPassword: 'NewPassw0rd!' })
      .expect(204);
    await t.login('13800000016', 'NewPassw0rd!');

    const admin = await t.login('admin');
    const userId = member.session.me.user.id;
    // A branch secretary is not an administrator.
    const secretary = await t.login('secretary1');
    await t.http().post(`/api/users/${userId}/reset-password`).set(secretary.auth).send({}).expect(403);
    const reset = await t
      .http()
      .post(`/api/users/${userId}/reset-password`)
      .set(admin.auth)
      .send({})
      .expect(200);
    expect(reset.body.temporaryPassword).toMatch(/^\S{10}$/);
    const again = await t.login('13800000016', reset.body.temporaryPassword);
    expect(again.session.me.user.mustChangePassword).toBe(true);

    const events = await t.ds.query(
      `SELECT action FROM audit_event WHERE entity_id = $1 AND action LIKE 'user.password%' ORDER BY id`,
      [userId],
    );
    expect(events.map((e: { action: string }) => e.action)).toEqual([
      'user.password_change',
      'user.password_reset',
    ]);
  });

  it('answers 401 to a request without a token or with a forged one', async () => {
    await t.http().get('/api/auth/me').expect(401);
    await t.http().get('/api/org-units').set({ Authorization: 'Bearer not.a.jwt' }).expect(401);
  });
});

describe('login rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_RATE_LIMIT: '3' } });
  });
  afterAll(() => t.close());

  it('blocks the fourth attempt within the window, with a 429 that says when to retry', async () => {
    for (let i = 0; i < 3; i++) {
      await t
        .http()
        .post('/api/auth/login')
        .send({ login: 'member1', password: 'wrong-password' })
        .expect(401);
    }
    const res = await t
      .http()
      .post('/api/auth/login')
      .send({ login: 'member1', password: 'Demo@2026' })
      .expect(429);
    expect(res.body.code).toBe('rate_limited');
    expect(res.body.message).toMatch(/^登录尝试次数过多，请 \d+ 秒后再试$/);
    // Another account from the same address is not locked out by it.
    await t.login('member2');
  });
});
