import type { CreatedInvite, GuestSession } from '@branchmeet/shared';
import { RoomRegistry } from '../rtc/room-registry';
import { demoUnits, DemoUnits } from '../test-support/fixtures';
import { startTestApp, TestApp } from '../test-support/int-app';
import { RtcKit, RtcTestClient } from '../test-support/rtc-client';

/**
 * Revocation bites at once: after logout, a password change, removal from the branch, a new
 * post or a revoked guest invite, the old access token stops working and the person's /rtc sockets are closed,
 * their seat freed — not after the reconnect grace period (set long here, so a seat kept by it would show).
 */
let t: TestApp;
let u: DemoUnits;
let kit: RtcKit;
let meetingId: string;
let host: RtcTestClient;
const seats = () =>
  t.app
    .get(RoomRegistry)
    .participants(meetingId)
    .map((p) => p.userId);

beforeAll(async () => {
  t = await startTestApp({ listen: true, env: { RTC_RECONNECT_GRACE_SECONDS: '120' } });
  u = await demoUnits(t.ds);
  kit = new RtcKit(t.baseUrl);
  const secretary = await t.login('secretary1');
  const res = await t
    .http()
    .post(`/api/org-units/${u.branchA}/meetings/live`)
    .set(secretary.auth)
    .send({ title: '撤销即生效' });
  expect(res.status).toBe(201);
  meetingId = res.body.id;
  host = await kit.client(secretary.session.accessToken);
  await host.join(meetingId);
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

/** Resolves with the ms from `start` to the server closing the socket (generous cap: the machine is shared). */
function closedBy(c: RtcTestClient, start: () => number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket was not closed by the server')), 15_000);
    c.socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      if (reason === 'io server disconnect') resolve(Date.now() - start());
      else reject(new Error(`socket closed by ${reason}`));
    });
  });
}

/** Signs in, opens a socket and takes a seat in the meeting. */
async function seated(login: string) {
  const { auth, session } = await t.login(login);
  const c = await kit.client(session.accessToken);
  await c.join(meetingId);
  expect(seats()).toContain(session.me.user.id);
  return { auth, session, c, userId: session.me.user.id };
}

let t0 = 0;
const since = () => t0;

describe('revocation closes sessions and sockets at once', () => {
  it('logout: the access token is refused, the socket closed and the seat freed', async () => {
    const p = await seated('member1');
    await t.http().get('/api/auth/me').set(p.auth).expect(200);
    const closed = closedBy(p.c, since);
    t0 = Date.now();
    await t.http().post('/api/auth/logout').send({ refreshToken: p.session.refreshToken }).expect(204);
    const ms = await closed;
    expect(seats()).not.toContain(p.userId);
    const res = await t.http().get('/api/auth/me').set(p.auth).expect(401);
    expect(res.body.code).toBe('unauthenticated');
    // A new socket with the old token is refused at the handshake.
    await expect(kit.client(p.session.accessToken)).rejects.toThrow();
    console.log(`logout → socket closed in ${ms} ms`);
  });

  it("a password change ends the account's other sessions, not the one that changed it", async () => {
    const other = await seated('13800000019');
    const changer = await t.login('13800000019');
    const closed = closedBy(other.c, since);
    t0 = Date.now();
    await t
      .http()
      .post('/api/auth/change-password')
      .set(changer.auth)
      .send({ currentPassword: 'Demo@2026', newPassword: 'Another#2026' })
      .expect(204);
    const ms = await closed;
    expect(seats()).not.toContain(other.userId);
    await t.http().get('/api/auth/me').set(other.auth).expect(401);
    await t.http().post('/api/auth/refresh').send({ refreshToken: other.session.refreshToken }).expect(401);
    await t.http().get('/api/auth/me').set(changer.auth).expect(200);
    console.log(`password change → socket closed in ${ms} ms`);
  });

  it('removal from the branch: out of its meeting at once', async () => {
    const p = await seated('13800000012');
    const secretary = await t.login('secretary1');
    const roster = await t
      .http()
      .get(`/api/org-units/${u.branchA}/members`)
      .query({ q: '13800000012' })
      .set(secretary.auth)
      .expect(200);
    const closed = closedBy(p.c, since);
    t0 = Date.now();
    await t
      .http()
      .delete(`/api/org-units/${u.branchA}/members/${roster.body[0].membershipId}`)
      .set(secretary.auth)
      .expect(204);
    const ms = await closed;
    expect(seats()).not.toContain(p.userId);
    // The token no longer opens the branch.
    await t.http().get(`/api/org-units/${u.branchA}/members`).set(p.auth).expect(404);
    console.log(`removal → socket closed in ${ms} ms`);
  });

  it('a new post: the socket is closed and the seat freed, so the person rejoins with what they may do now', async () => {
    const p = await seated('13800000016');
    const secretary = await t.login('secretary1');
    const roster = await t
      .http()
      .get(`/api/org-units/${u.branchA}/members`)
      .query({ q: '13800000016' })
      .set(secretary.auth)
      .expect(200);
    const closed = closedBy(p.c, since);
    t0 = Date.now();
    await t
      .http()
      .patch(`/api/org-units/${u.branchA}/members/${roster.body[0].membershipId}`)
      .set(secretary.auth)
      .send({ role: 'organizer' })
      .expect(200);
    const ms = await closed;
    expect(seats()).not.toContain(p.userId);
    console.log(`role change → socket closed in ${ms} ms`);
  });

  it('a new post by roster import closes the socket too', async () => {
    const p = await seated('13800000018');
    const secretary = await t.login('secretary1');
    const closed = closedBy(p.c, since);
    t0 = Date.now();
    await t
      .http()
      .post(`/api/org-units/${u.branchA}/roster/import`)
      .set(secretary.auth)
      .attach('file', Buffer.from('姓名,手机号,职务\n周杰,13800000018,组织委员\n', 'utf8'), 'r.csv')
      .expect(200);
    const ms = await closed;
    expect(seats()).not.toContain(p.userId);
    console.log(`role change by import → socket closed in ${ms} ms`);
  });

  it('a revoked invite: its guest leaves the lobby and the socket is closed', async () => {
    const secretary = await t.login('secretary1');
    const scheduled = await t
      .http()
      .post(`/api/org-units/${u.branchA}/meetings`)
      .set(secretary.auth)
      .send({ type: 'lecture', start: new Date(Date.now() + 5 * 60_000).toISOString() })
      .expect(201);
    const invite = (
      await t
        .http()
        .post(`/api/meetings/${scheduled.body.id}/invites`)
        .set(secretary.auth)
        .send({})
        .expect(201)
    ).body as CreatedInvite;
    const guest = (
      await t.http().post('/api/guest/join').send({ token: invite.token, name: '访客' }).expect(200)
    ).body as GuestSession;
    const lectureHost = await kit.client(secretary.session.accessToken);
    await lectureHost.join(scheduled.body.id);
    const g = await kit.client(guest.accessToken);
    const lobby = lectureHost.next('lobby.waiting', (w) => w.waiting.length > 0);
    expect((await g.call('room.join', { meetingId: scheduled.body.id })).status).toBe('waiting');
    await lobby;
    const emptied = lectureHost.next('lobby.waiting', (w) => w.waiting.length === 0);
    const closed = closedBy(g, since);
    t0 = Date.now();
    await t.http().post(`/api/meeting-invites/${invite.id}/revoke`).set(secretary.auth).expect(200);
    const ms = await closed;
    await emptied;
    console.log(`invite revoked → guest socket closed in ${ms} ms`);
  });

  it('a temporary password opens only change-password and /auth/me, on REST and /rtc', async () => {
    const admin = await t.login('admin');
    const userId = (await t.login('13800000015')).session.me.user.id;
    const reset = await t
      .http()
      .post(`/api/users/${userId}/reset-password`)
      .set(admin.auth)
      .send({})
      .expect(200);
    const temp = await t.login('13800000015', reset.body.temporaryPassword);
    const refused = await t.http().get('/api/org-units').set(temp.auth).expect(403);
    expect(refused.body.code).toBe('password_change_required');
    await t.http().get('/api/auth/me').set(temp.auth).expect(200);
    await expect(kit.client(temp.session.accessToken)).rejects.toThrow();
    await t
      .http()
      .post('/api/auth/change-password')
      .set(temp.auth)
      .send({ currentPassword: reset.body.temporaryPassword, newPassword: 'Chosen#2026' })
      .expect(204);
    await t.http().get('/api/org-units').set(temp.auth).expect(200);
  });
});
