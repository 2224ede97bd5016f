/**
 * A lecture's audience is counted, not announced (against the whole app over `/rtc`, real PostgreSQL and
 * mediasoup): 60 listeners join; no seat is told `peer.joined` of any of them, each listener hears of the others
 * only through `lecture.audience` (at most about one a second), the host sees the count reach 60 and pages through
 * the listeners; a listener's raised hand reaches the presenters only; leaving is counted the same way.
 */
import { demoUnits, userIdByPhone } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { createAudience } from '../test-support/lecture-bots';
import { RtcKit, type Joined, type RtcTestClient } from '../test-support/rtc-client';
import { waitFor } from '../test-support/werift';

const LISTENERS = 60;
const LEAVING = 10;

let t: TestApp;
let kit: RtcKit;
let meetingId: string;
let host: RtcTestClient;
let lecturer: RtcTestClient;
const listeners: { c: RtcTestClient; joined: Joined }[] = [];
let hostToken: string;
let audienceTokens: string[] = [];
/** How long the listeners took to join, first request to last answer. */
let joinMs = 0;

/** The events a socket heard about other seats coming, going or raising a hand. */
const aboutOthers = (c: RtcTestClient, selfPeerId: string) =>
  c.events.filter(
    (e) =>
      e.event === 'lecture.audience' ||
      (['peer.joined', 'peer.left', 'hand.changed'].includes(e.event) &&
        (e.payload as { peerId: string }).peerId !== selfPeerId),
  );
const lastCount = (c: RtcTestClient) => c.seen('lecture.audience').at(-1)?.listeners;

beforeAll(async () => {
  t = await startTestApp({ listen: true });
  kit = new RtcKit(t.baseUrl);
  const { branchA } = await demoUnits(t.ds);
  hostToken = (await t.login('secretary1')).session.accessToken;
  const lecturerToken = (await t.login('member1')).session.accessToken;
  const res = await t
    .http()
    .post(`/api/org-units/${branchA}/meetings`)
    .set({ Authorization: `Bearer ${hostToken}` })
    .send({
      type: 'lecture',
      start: new Date(Date.now() + 60_000).toISOString(),
      title: '党课：听众计数',
      lecturerId: await userIdByPhone(t.ds, '13800000013'),
    });
  expect(res.status).toBe(201);
  meetingId = (res.body as { id: string }).id;
  const audience = await createAudience(t, branchA, LISTENERS);
  audienceTokens = audience.map((a) => a.token);

  host = await kit.client(hostToken);
  await host.join(meetingId);
  lecturer = await kit.client(lecturerToken);
  await lecturer.join(meetingId);
  const started = Date.now();
  for (let i = 0; i < LISTENERS; i += 10) {
    const batch = await Promise.all(
      audience.slice(i, i + 10).map(async (a) => {
        const c = await kit.client(a.token);
        return { c, joined: await c.join(meetingId) };
      }),
    );
    listeners.push(...batch);
  }
  joinMs = Date.now() - started;
}, 120_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

it(`${LISTENERS} listeners join: nobody is told of each one, everyone gets a coalesced count, the host sees ${LISTENERS}`, async () => {
  await waitFor(`the host's count at ${LISTENERS}`, () => lastCount(host) === LISTENERS, 15_000);
  await waitFor(
    'every listener’s count final',
    () => listeners.every((l) => lastCount(l.c) === LISTENERS),
    15_000,
  );

  // Each join answer: the stage (host and lecturer) and the count so far, not the listeners before it.
  for (const { joined } of listeners) {
    expect(joined.peers.map((p) => p.role).sort()).toEqual(['host', 'member']);
    expect(joined.audience?.listeners).toBeGreaterThanOrEqual(1);
    expect(joined.sendTransport).toBeNull();
  }
  const listenerPeers = new Set(listeners.map((l) => l.joined.self.peerId));
  for (const c of [host, lecturer, ...listeners.map((l) => l.c)])
    expect(c.seen('peer.joined').filter((p) => listenerPeers.has(p.peerId))).toEqual([]);

  // O(1) messages per listener about the others: count updates, at most one a second (plus the first and last).
  const allowed = Math.ceil(joinMs / 1000) + 2;
  const per = listeners.map((l) => aboutOthers(l.c, l.joined.self.peerId));
  const most = Math.max(...per.map((x) => x.length));
  console.log(
    `${LISTENERS} listeners joined in ${joinMs} ms; each heard at most ${most} messages about others ` +
      `(all lecture.audience; allowed ${allowed}); the host ${host.seen('lecture.audience').length} counts`,
  );
  for (const x of per) expect(x.every((e) => e.event === 'lecture.audience')).toBe(true);
  expect(most).toBeLessThanOrEqual(allowed);
  expect(host.seen('lecture.audience').length).toBeLessThanOrEqual(allowed + 2);
});

it('the host pages through the listeners; a listener may not list them', async () => {
  const first = await host.call('lecture.listeners', { limit: 50 });
  const rest = await host.call('lecture.listeners', { offset: 50, limit: 50 });
  expect(first.total).toBe(LISTENERS);
  const listed = [...first.listeners, ...rest.listeners].map((p) => p.peerId);
  expect(new Set(listed)).toEqual(new Set(listeners.map((l) => l.joined.self.peerId)));
  expect(listed).toHaveLength(LISTENERS);
  expect(await listeners[0].c.raw('lecture.listeners', {})).toMatchObject({
    ok: false,
    error: { code: 'forbidden' },
  });
});

it('a listener’s raised hand reaches the host and the lecturer, not the other listeners, and tops the list', async () => {
  const { c, joined } = listeners[42];
  const peerId = joined.self.peerId;
  const atHost = host.next('hand.changed', (p) => p.peerId === peerId);
  const atLecturer = lecturer.next('hand.changed', (p) => p.peerId === peerId);
  await c.call('hand.raise', {});
  expect(await atHost).toEqual({ peerId, raised: true });
  expect(await atLecturer).toEqual({ peerId, raised: true });
  const other = listeners[3].c;
  await other.call('qa.list', {}); // a round trip: anything sent to it before has arrived
  expect(other.seen('hand.changed')).toEqual([]);
  const page = await lecturer.call('lecture.listeners', { limit: 1 });
  expect(page.listeners).toEqual([expect.objectContaining({ peerId, handRaised: true })]);
});

it('a listener’s chat reaches the presenters only, a presenter’s everyone; the record keeps to the same rule', async () => {
  const { c, joined } = listeners[7];
  const atHost = host.next('chat.received', (m) => m.userId === joined.self.userId);
  const atLecturer = lecturer.next('chat.received', (m) => m.userId === joined.self.userId);
  const asked = await c.call('chat.send', { text: '老师，第三条怎么理解？' });
  expect(asked.audience).toBe('presenters');
  expect((await atHost).text).toBe('老师，第三条怎么理解？');
  expect((await atLecturer).audience).toBe('presenters');
  const others = listeners.filter((l) => l.c !== c).map((l) => l.c);
  const everyone = others.map((o) => o.next('chat.received'));
  const answer = await lecturer.call('chat.send', { text: '课后统一解答' });
  expect(answer.audience).toBe('all');
  for (const m of await Promise.all(everyone)) expect(m.text).toBe('课后统一解答');
  for (const o of others) expect(o.seen('chat.received').map((m) => m.text)).toEqual(['课后统一解答']);

  // The chat read back over REST: a listener reads the lecturer's and its own, the host all of it.
  const read = async (token: string) =>
    (
      (
        await t
          .http()
          .get(`/api/meetings/${meetingId}/chat`)
          .set({ Authorization: `Bearer ${token}` })
          .expect(200)
      ).body as { text: string }[]
    ).map((m) => m.text);
  expect(await read(audienceTokens[7])).toEqual(['老师，第三条怎么理解？', '课后统一解答']);
  expect(await read(audienceTokens[8])).toEqual(['课后统一解答']);
  expect(await read(hostToken)).toEqual(['老师，第三条怎么理解？', '课后统一解答']);
});

it(`${LEAVING} listeners leave: no peer.left for them, the count comes down to ${LISTENERS - LEAVING}`, async () => {
  const going = listeners.slice(0, LEAVING);
  const before = listeners.slice(LEAVING).map((l) => aboutOthers(l.c, l.joined.self.peerId).length);
  const started = Date.now();
  await Promise.all(going.map((l) => l.c.call('room.leave', {})));
  await waitFor(
    `every count at ${LISTENERS - LEAVING}`,
    () =>
      [host, ...listeners.slice(LEAVING).map((l) => l.c)].every((c) => lastCount(c) === LISTENERS - LEAVING),
    15_000,
  );
  const tookMs = Date.now() - started;
  const gone = new Set(going.map((l) => l.joined.self.peerId));
  for (const c of [host, lecturer, ...listeners.slice(LEAVING).map((l) => l.c)])
    expect(c.seen('peer.left').filter((p) => gone.has(p.peerId))).toEqual([]);
  const heard = listeners
    .slice(LEAVING)
    .map((l, i) => aboutOthers(l.c, l.joined.self.peerId).length - before[i]);
  expect(Math.max(...heard)).toBeLessThanOrEqual(Math.ceil(tookMs / 1000) + 2);
  expect((await host.call('lecture.listeners', {})).total).toBe(LISTENERS - LEAVING);
});
