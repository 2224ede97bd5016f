/**
 * Outside guests by an invite link that expires: a manager creates (and revokes) the link, audited; a guest
 * without an account gives a name and gets a guest token that opens this one meeting's live room on /rtc as
 * role `guest` — through the host's waiting room — and nothing else: no REST route, no other meeting. Guests
 * are never expected (应到); their presence is listed apart. Real sockets, media and PostgreSQL.
 */
import type { CreatedInvite, GuestSession, MeetingAttendance, MeetingInvite } from '@branchmeet/shared';
import { PresenceService } from '../attendance/presence.service';
import { demoUnits, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit, type RtcTestClient } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';

let t: TestApp;
let u: DemoUnits;
let kit: RtcKit;
const auth = {} as Record<'secretary1' | 'member1' | 'secretary2' | 'committee', { Authorization: string }>;
let hostToken = '';
let meetingId = '';
let invite: CreatedInvite;
let guest: GuestSession;
let host: RtcTestClient;

beforeAll(async () => {
  t = await startTestApp({ listen: true });
  u = await demoUnits(t.ds);
  kit = new RtcKit(t.baseUrl);
  for (const who of ['secretary1', 'member1', 'secretary2', 'committee'] as const) {
    const { auth: a, session } = await t.login(who);
    auth[who] = a;
    if (who === 'secretary1') hostToken = session.accessToken;
  }
  const res = await t
    .http()
    .post(`/api/org-units/${u.branchA}/meetings`)
    .set(auth.secretary1)
    .send({ type: 'lecture', start: new Date(Date.now() + 5 * 60_000).toISOString() });
  meetingId = res.body.id;
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

const audits = async (action: string) =>
  (await t.ds.query(`SELECT actor_id, entity_id, after FROM audit_event WHERE action = $1 ORDER BY id`, [
    action,
  ])) as { actor_id: string | null; entity_id: string; after: Record<string, unknown> }[];

describe('invite links', () => {
  it('a manager creates one (audited); its token is shown once; members and other branches may not', async () => {
    const path = `/api/meetings/${meetingId}/invites`;
    expect((await t.http().post(path).set(auth.member1).send({})).status).toBe(403);
    expect((await t.http().post(path).set(auth.committee).send({})).status).toBe(403);
    expect((await t.http().post(path).set(auth.secretary2).send({})).status).toBe(404);
    const res = await t.http().post(path).set(auth.secretary1).send({ validHours: 2 });
    expect(res.status).toBe(201);
    invite = res.body as CreatedInvite;
    expect(invite.token.length).toBeGreaterThanOrEqual(40);
    expect(Math.abs(Date.parse(invite.expiresAt) - Date.now() - 2 * 3600_000)).toBeLessThan(60_000);
    // Only the token's hash is kept.
    const [row] = await t.ds.query(`SELECT token_hash FROM meeting_invite WHERE id = $1`, [invite.id]);
    expect(row.token_hash).not.toContain(invite.token);
    const list = await t.http().get(path).set(auth.secretary1);
    expect(list.body as MeetingInvite[]).toEqual([
      expect.objectContaining({ id: invite.id, revokedAt: null, guests: 0 }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(invite.token);
    expect(await audits('meeting.invite_create')).toEqual([
      expect.objectContaining({ entity_id: invite.id, after: expect.objectContaining({ meetingId }) }),
    ]);
  });

  it('the link opens the meeting for a guest without an account: a guest token, audited', async () => {
    const bogus = await t
      .http()
      .post('/api/guest/preview')
      .send({ token: 'x'.repeat(43) });
    expect(bogus.status).toBe(404);
    const preview = await t.http().post('/api/guest/preview').send({ token: invite.token });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      meetingId,
      type: 'lecture',
      unitName: '第一党支部',
      status: 'scheduled',
    });
    expect(preview.body.unitId).toBeUndefined();
    const res = await t.http().post('/api/guest/join').send({ token: invite.token, name: '王教授' });
    expect(res.status).toBe(200);
    guest = res.body as GuestSession;
    expect(guest).toMatchObject({ name: '王教授', meeting: { meetingId } });
    expect(await audits('meeting.guest_join')).toEqual([
      {
        actor_id: null,
        entity_id: guest.guestId,
        after: expect.objectContaining({ name: '王教授', meetingId }),
      },
    ]);
  });

  it('a guest token opens no REST route at all', async () => {
    const bearer = { Authorization: `Bearer ${guest.accessToken}` };
    for (const path of [
      '/api/auth/me',
      `/api/meetings/${meetingId}`,
      `/api/meetings/${meetingId}/attendance`,
    ])
      expect((await t.http().get(path).set(bearer)).status).toBe(403);
  });

  it('a guest cannot start the meeting, waits in the lobby, and is in as role guest once admitted', async () => {
    const g = await kit.client(guest.accessToken);
    const early = await g.raw('room.join', { meetingId });
    expect(early).toMatchObject({ ok: false, error: { code: 'conflict' } });

    host = await kit.client(hostToken);
    const hostJoined = await host.join(meetingId);
    await kit.connectRecv(host, hostJoined);
    const lobby = host.next('lobby.waiting', (p) => p.waiting.length > 0);
    const waiting = await g.call('room.join', { meetingId });
    expect(waiting.status).toBe('waiting');
    const [waiter] = (await lobby).waiting;
    expect(waiter).toMatchObject({ userId: guest.guestId, name: '王教授' });
    const admitted = g.next('lobby.admitted');
    // A lecture counts its listeners rather than announcing each one: the host sees the count, and the guest in
    // the listener list only presenters may page through.
    const counted = host.next('lecture.audience', (p) => p.listeners === 1);
    await host.call('lobby.admit', { peerId: waiter.peerId });
    await admitted;
    const joined = await g.join(meetingId);
    expect(joined.self).toMatchObject({ role: 'guest', name: '王教授', userId: guest.guestId });
    await counted;
    const { listeners } = await host.call('lecture.listeners', { offset: 0, limit: 50 });
    expect(listeners).toEqual([expect.objectContaining({ role: 'guest', name: '王教授' })]);
    await kit.connectRecv(g, joined);
    // The guest may chat; the host may not hand the meeting to a guest.
    const said = await g.call('chat.send', { text: '大家好' });
    expect(said).toMatchObject({ name: '王教授', userId: guest.guestId });
    // In a lecture a listener's (the guest's) message is for the presenters: the host reads it, a member does not.
    const chat = await t.http().get(`/api/meetings/${meetingId}/chat`).set(auth.secretary1);
    expect(chat.body).toEqual([
      expect.objectContaining({ name: '王教授', text: '大家好', audience: 'presenters' }),
    ]);
    expect((await t.http().get(`/api/meetings/${meetingId}/chat`).set(auth.member1)).body).toEqual([]);
    expect(await host.raw('host.transfer', { peerId: joined.self.peerId })).toMatchObject({ ok: false });

    // Not another meeting: the token is scoped to this one.
    const other = await t
      .http()
      .post(`/api/org-units/${u.branchA}/meetings/live`)
      .set(auth.secretary1)
      .send({ title: '另一个会' });
    const g2 = await kit.client(guest.accessToken);
    expect(await g2.raw('room.join', { meetingId: other.body.id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    // Present, but listed apart: never expected, never counted.
    const deadline = Date.now() + 10_000;
    let a: MeetingAttendance;
    for (;;) {
      a = (await t.http().get(`/api/meetings/${meetingId}/attendance`).set(auth.secretary1)).body;
      if (a.guests.length > 0 || Date.now() > deadline) break;
      await sleep(100);
    }
    expect(a.guests).toEqual([
      expect.objectContaining({ guestId: guest.guestId, name: '王教授', joinCount: 1 }),
    ]);
    expect(a.records.some((r) => r.userId === guest.guestId)).toBe(false);
    const [{ n }] = await t.ds.query(
      `SELECT count(*)::int AS n FROM meeting_attendee WHERE meeting_id = $1 AND user_id = $2`,
      [meetingId, guest.guestId],
    );
    expect(n).toBe(0);
    await g.call('room.leave', {});
  }, 60_000);

  it('revoked (audited), the link lets nobody in any more, not even the guest who came with it', async () => {
    expect((await t.http().post(`/api/meeting-invites/${invite.id}/revoke`).set(auth.member1)).status).toBe(
      403,
    );
    const res = await t.http().post(`/api/meeting-invites/${invite.id}/revoke`).set(auth.secretary1);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: invite.id, revokedAt: expect.any(String), guests: 1 });
    expect(
      (await t.http().post(`/api/meeting-invites/${invite.id}/revoke`).set(auth.secretary1)).status,
    ).toBe(409);
    expect(await audits('meeting.invite_revoke')).toEqual([
      expect.objectContaining({ entity_id: invite.id }),
    ]);
    expect((await t.http().post('/api/guest/preview').send({ token: invite.token })).status).toBe(404);
    expect((await t.http().post('/api/guest/join').send({ token: invite.token, name: '又来' })).status).toBe(
      404,
    );
    const g = await kit.client(guest.accessToken);
    expect(await g.raw('room.join', { meetingId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('an expired link opens nothing', async () => {
    const res = await t.http().post(`/api/meetings/${meetingId}/invites`).set(auth.secretary1).send({});
    const fresh = res.body as CreatedInvite;
    expect((await t.http().post('/api/guest/preview').send({ token: fresh.token })).status).toBe(200);
    await t.ds.query(`UPDATE meeting_invite SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      fresh.id,
    ]);
    expect((await t.http().post('/api/guest/preview').send({ token: fresh.token })).status).toBe(404);
    expect((await t.http().post('/api/guest/join').send({ token: fresh.token, name: '迟到者' })).status).toBe(
      404,
    );
    await t.app.get(PresenceService).settled();
  });
});
