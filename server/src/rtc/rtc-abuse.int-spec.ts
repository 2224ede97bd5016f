/**
 * A hostile member on /rtc: text the database cannot store, a second DTLS connect,
 * floods of chat and of minutes.open. Real PostgreSQL, a real mediasoup worker, socket.io-client.
 */
import { demoUnits, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit, sendOf } from '../test-support/rtc-client';
import { sleep, waitFor } from '../test-support/werift';
import { RTC_FLOOD_COOLDOWN_MS } from './flood-guard';
import { RTC_LIMITS } from './rtc-limits';

let t: TestApp;
let u: DemoUnits;
let kit: RtcKit;
const tokens: Record<string, string> = {};
let meetingId: string;

beforeAll(async () => {
  t = await startTestApp({
    listen: true,
    env: { AUDIT_CHECKPOINT_SECONDS: '0', MEETING_EMPTY_END_SECONDS: '600' },
  });
  kit = new RtcKit(t.baseUrl);
  u = await demoUnits(t.ds);
  for (const login of ['secretary1', 'member1', 'member2'])
    tokens[login] = (await t.login(login)).session.accessToken;
  meetingId = await t.openLive(tokens.secretary1, u.branchA, '压力测试');
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

const fingerprint = {
  algorithm: 'sha-256',
  value: Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':'),
};

describe('inputs that gave 500', () => {
  it('refuses NUL and lone surrogates in any socket text field with a 400-like ack naming the field', async () => {
    const c = await kit.client(tokens.member1, { lang: 'en' });
    for (const text of ['a\u0000b', 'x\uD800', '\uDC00y']) {
      const ack = await c.raw('chat.send', { text });
      expect(ack).toMatchObject({
        ok: false,
        error: { code: 'validation_failed', issues: [expect.objectContaining({ path: 'text' })] },
      });
      expect(!ack.ok && ack.error.message).toMatch(/^text: .*NUL or an unpaired surrogate/);
    }
    // A pair of surrogates is an ordinary emoji, and passes the rule (then fails only for not being in a room).
    expect(await c.raw('chat.send', { text: '👍' })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('answers a second transport.connect with 409 conflict, not an internal error', async () => {
    const c = await kit.client(tokens.member1, { lang: 'en' });
    const joined = await c.join(meetingId);
    const transportId = sendOf(joined).id;
    const dtls = { role: 'client', fingerprints: [fingerprint] };
    expect(await c.raw('transport.connect', { transportId, dtlsParameters: dtls })).toEqual({
      ok: true,
      data: null,
    });
    const again = await c.raw('transport.connect', { transportId, dtlsParameters: dtls });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!again.ok && again.error.message).toContain('connect() already called');
  });

  it('refuses a revision number past an integer with a 400, not a 500', async () => {
    for (const n of ['2147483648', '99999999999999999999', '0']) {
      const res = await t
        .http()
        .get(`/api/meetings/${meetingId}/minutes/revisions/${n}`)
        .set({ Authorization: `Bearer ${tokens.secretary1}` });
      expect(res.status).toBe(400);
    }
  });

  it('refuses \\u0000 in a query and a body with 400 naming the field', async () => {
    const q = await t
      .http()
      .get(`/api/org-units/${u.branchA}/minutes`)
      .query({ q: 'a\u0000' })
      .set({ Authorization: `Bearer ${tokens.secretary1}`, 'Accept-Language': 'en' });
    expect(q.status).toBe(400);
    expect(q.body.issues).toEqual([expect.objectContaining({ path: 'q' })]);
    const body = await t
      .http()
      .patch(`/api/org-units/${u.branchA}`)
      .send({ name: '支部\uD800' })
      .set({ Authorization: `Bearer ${tokens.secretary1}`, 'Accept-Language': 'en' });
    expect(body.status).toBe(400);
    expect(body.body.issues).toEqual([expect.objectContaining({ path: 'name' })]);
  });
});

describe('socket floods', () => {
  it('limits 2,000 chat.send from one member: a clear rate_limited error, and the rest is neither stored nor broadcast', async () => {
    const flooder = await kit.client(tokens.member1, { lang: 'en' });
    const listener = await kit.client(tokens.secretary1);
    await flooder.join(meetingId);
    await listener.join(meetingId);
    const before = Number(
      (await t.ds.query('SELECT count(*) AS n FROM chat_message WHERE meeting_id = $1', [meetingId]))[0].n,
    );
    let disconnected = false;
    flooder.socket.on('disconnect', () => (disconnected = true));
    const started = Date.now();
    // The first 30 at once: the burst goes through, the rest is refused with a clear error.
    const first = await Promise.all(
      Array.from({ length: 30 }, (_, i) => flooder.raw('chat.send', { text: `刷屏 ${i}` })),
    );
    const limited = first.filter((a) => !a.ok && a.error.code === 'rate_limited');
    expect(first.filter((a) => a.ok).length).toBe(RTC_LIMITS.say.burst);
    expect(limited).toHaveLength(30 - RTC_LIMITS.say.burst);
    expect(!limited[0].ok && limited[0].error.message).toMatch(
      /^too many requests; try again in \d+ seconds$/,
    );
    // Then 1,970 more: after 50 refusals in a row the socket is cut off and the rest is dropped unread.
    await Promise.allSettled(
      Array.from({ length: 1970 }, (_, i) => flooder.raw('chat.send', { text: `刷屏 ${30 + i}` })),
    );
    const seconds = (Date.now() - started) / 1000;
    expect(disconnected).toBe(true);
    const stored =
      Number(
        (await t.ds.query('SELECT count(*) AS n FROM chat_message WHERE meeting_id = $1', [meetingId]))[0].n,
      ) - before;
    const allowed = RTC_LIMITS.say.burst + Math.ceil(seconds * RTC_LIMITS.say.perSecond) + 1;
    console.log(
      `chat flood: 2000 sent in ${seconds.toFixed(1)} s: ${stored} stored and broadcast (at most ${allowed})`,
    );
    expect(stored).toBeGreaterThanOrEqual(RTC_LIMITS.say.burst);
    expect(stored).toBeLessThanOrEqual(allowed);
    await waitFor('the accepted messages broadcast', () => listener.seen('chat.received').length >= stored);
    expect(listener.seen('chat.received').length).toBe(stored);
    // A new connection of the same member chats normally, once the cool-down after the cut-off is over.
    expect(await kit.client(tokens.member1, { lang: 'en' }).catch((e: Error) => e.message)).toMatch(
      /too many requests/,
    );
    await sleep(RTC_FLOOD_COOLDOWN_MS);
    const again = await kit.client(tokens.member1, { lang: 'en' });
    await again.join(meetingId);
    expect(await again.raw('chat.send', { text: '正常发言' })).toMatchObject({ ok: true });
  }, 120_000);
});
