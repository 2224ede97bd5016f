import { JwtService } from '@nestjs/jwt';
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

  it('rotates atomically: of 20 concurrent refreshes with one token exactly one succeeds, and the reuse ends the session', async () => {
    const { session } = await t.login('13800000014');
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.http().post('/api/auth/refresh').send({ refreshToken: session.refreshToken }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(19);
    // The 19 reuses revoked the family: the winner's new tokens are dead too.
    const winner = results.find((r) => r.status === 200)!.body as {
      accessToken: string;
      refreshToken: string;
    };
    await t.http().post('/api/auth/refresh').send({ refreshToken: winner.refreshToken }).expect(401);
    await t
      .http()
      .get('/api/auth/me')
      .set({ Authorization: `Bearer ${winner.accessToken}` })
      .expect(401);
    const [reuse] = await t.ds.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'auth.refresh_reuse'`,
    );
    expect(reuse.n).toBeGreaterThanOrEqual(1);
  });

  it('audits sign-in, failed sign-in and sign-out, one line each, never the password', async () => {
    const count = async (action: string) =>
      (await t.ds.query(`SELECT count(*)::int AS n FROM audit_event WHERE action = $1`, [action]))[0]
        .n as number;
    const before = {
      ok: await count('auth.login'),
      bad: await count('auth.login_failed'),
      out: await count('auth.logout'),
    };
    const { session } = await t.login('13800000018');
    await t
      .http()
      .post('/api/auth/login')
      .send({ login: '13800000018', password: 'Wrong#pass1' })
      .expect(401);
    await t
      .http()
      .post('/api/auth/login')
      .send({ login: '13999999999', password: 'Wrong#pass1' })
      .expect(401);
    await t.http().post('/api/auth/logout').send({ refreshToken: session.refreshToken }).expect(204);
    expect({
      ok: await count('auth.login'),
      bad: await count('auth.login_failed'),
      out: await count('auth.logout'),
    }).toEqual({
      ok: before.ok + 1,
      bad: before.bad + 2,
      out: before.out + 1,
    });
    const rows = await t.ds.query(`SELECT before, after FROM audit_event WHERE action LIKE 'auth.%'`);
    expect(JSON.stringify(rows)).not.toContain('Wrong#pass1');
  });

  it('verifies access tokens with HS256 only, and requires exp', async () => {
    const { session } = await t.login('member1');
    const claims = JSON.parse(Buffer.from(session.accessToken.split('.')[1], 'base64url').toString()) as {
      sub: string;
      adm: boolean;
      sid: string;
    };
    const jwt = t.app.get(JwtService);
    const body = { sub: claims.sub, adm: true, sid: claims.sid };
    const hs512 = jwt.sign(body, { algorithm: 'HS512', expiresIn: 600 });
    const noExp = jwt.sign(body);
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ ...body, exp: Math.floor(Date.now() / 1000) + 600 }),
    ).toString('base64url')}.`;
    for (const token of [hs512, noExp, none]) {
      const res = await t
        .http()
        .get('/api/auth/me')
        .set({ Authorization: `Bearer ${token}` });
      expect({ token, status: res.status }).toEqual({ token, status: 401 });
    }
    await t
      .http()
      .get('/api/auth/me')
      .set({ Authorization: `Bearer ${session.accessToken}` })
      .expect(200);
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

  it('serves a CSP whose connect-src is this origin only (no ws:/wss: wildcard)', async () => {
    const res = await t.http().get('/api/health');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/connect-src 'self'(;|$)/);
    expect(csp).not.toMatch(/\bwss?:/);
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

describe('password spraying and password changes are throttled', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_IP_FAILURE_LIMIT: '20', PASSWORD_CHANGE_RATE_LIMIT: '3' } });
  });
  afterAll(() => t.close());

  it('changing a password is limited per account', async () => {
    const { auth } = await t.login('member1');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t
        .http()
        .post('/api/auth/change-password')
        .set(auth)
        .send({ currentPassword: 'wrong-guess', newPassword: 'NewPassw0rd!' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
  });

  it('one password tried on 40 accounts from one address is stopped after the 20th failure', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await t
        .http()
        .post('/api/auth/login')
        .send({ login: `1370000${String(i).padStart(4, '0')}`, password: 'Spring2026!' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.slice(20)).toEqual(Array(20).fill(429));
  });
});
