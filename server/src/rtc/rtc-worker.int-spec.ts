/**
 * A media worker dies under a live room: the whole app (real PostgreSQL, two real mediasoup workers), two
 * werift peers exchanging opus through `/rtc`, and a SIGKILL of the worker that holds the room. Loopback only.
 */
import { MediaService } from '../media/media.service';
import { demoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { OPUS_CAPS, RtcKit, type Joined, type RtcTestClient } from '../test-support/rtc-client';
import { waitFor } from '../test-support/werift';
import { RoomRegistry } from './room-registry';

let t: TestApp;
let kit: RtcKit;
let branchA: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  // Two workers: when one dies there is a live one to move to at once.
  t = await startTestApp({ listen: true, env: { MEDIA_WORKERS: '2', RTC_RECONNECT_GRACE_SECONDS: '5' } });
  kit = new RtcKit(t.baseUrl);
  branchA = (await demoUnits(t.ds)).branchA;
  for (const login of ['secretary1', 'member1']) tokens[login] = (await t.login(login)).session.accessToken;
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

/** Both ready, A publishes, B receives it (and the other way round); checks 20 packets arrive intact each way. */
async function exchangeOpus(
  a: RtcTestClient,
  aJoined: Joined,
  b: RtcTestClient,
  bJoined: Joined,
  tag: string,
) {
  for (const [c] of [[a], [b]] as const) await c.call('room.ready', { rtpCapabilities: OPUS_CAPS });
  const atB = b.next('consumer.created', (p) => p.peerId === aJoined.self.peerId);
  const aMic = await kit.publishMic(a, aJoined);
  const bConsumer = await atB;
  expect(bConsumer.producerId).toBe(aMic.producerId);
  const atA = a.next('consumer.created', (p) => p.peerId === bJoined.self.peerId);
  const bMic = await kit.publishMic(b, bJoined);
  const aConsumer = await atA;
  expect(aConsumer.producerId).toBe(bMic.producerId);

  const toB = await kit.receive(b, bJoined, bConsumer);
  const toA = await kit.receive(a, aJoined, aConsumer);
  await b.call('consumer.resume', { consumerIds: [bConsumer.consumerId] });
  await a.call('consumer.resume', { consumerIds: [aConsumer.consumerId] });
  const sentByA = await aMic.send(20, `${tag}-a`);
  const sentByB = await bMic.send(20, `${tag}-b`);
  await waitFor(`${tag}: 20 packets at B`, () => toB.received.length >= 20);
  await waitFor(`${tag}: 20 packets at A`, () => toA.received.length >= 20);
  expect(toB.received).toEqual(sentByA);
  expect(toA.received).toEqual(sentByB);
  return [aMic.pc, bMic.pc, toA.pc, toB.pc];
}

it('a killed worker: everyone is told media.moved, rejoins on the same socket with resumePeerId, media flows again', async () => {
  const res = await t
    .http()
    .post(`/api/org-units/${branchA}/meetings/live`)
    .set({ Authorization: `Bearer ${tokens.secretary1}` })
    .send({ title: '工作进程故障演练' });
  expect(res.status).toBe(201);
  const meetingId = (res.body as { id: string }).id;
  const media = t.app.get(MediaService);
  const rooms = t.app.get(RoomRegistry);
  expect(media.workers()).toHaveLength(2);

  const host = await kit.client(tokens.secretary1);
  const hostJoined = await host.join(meetingId);
  const member = await kit.client(tokens.member1);
  const memberJoined = await member.join(meetingId);
  const before = await exchangeOpus(host, hostJoined, member, memberJoined, 'before');

  const victim = media.workers().find((w) => w.meetings.includes(meetingId));
  if (!victim) throw new Error('no worker holds the meeting');
  const movedHost = host.next('media.moved', undefined, 10_000);
  const movedMember = member.next('media.moved', undefined, 10_000);
  process.kill(victim.pid, 'SIGKILL');
  expect(await movedHost).toEqual({ meetingId });
  expect(await movedMember).toEqual({ meetingId });
  const now = media.workers().find((w) => w.meetings.includes(meetingId));
  expect(now?.pid).toBeDefined();
  expect(now?.pid).not.toBe(victim.pid);
  for (const pc of before) await pc.close();

  // Each client rejoins over the socket it has (as the browser client does): the same seat, nobody doubled.
  const hostBack = await host.join(meetingId, hostJoined.self.peerId);
  const memberBack = await member.join(meetingId, memberJoined.self.peerId);
  expect(hostBack).toMatchObject({ resumed: true, self: { peerId: hostJoined.self.peerId, producers: [] } });
  expect(memberBack).toMatchObject({ resumed: true, self: { peerId: memberJoined.self.peerId } });
  expect(memberBack.peers.map((p) => p.peerId)).toEqual([hostJoined.self.peerId]);
  expect(memberBack.peers[0].producers).toEqual([]); // the dead worker's producers are gone
  expect(
    rooms
      .participants(meetingId)
      .map((p) => p.peerId)
      .sort(),
  ).toEqual([hostJoined.self.peerId, memberJoined.self.peerId].sort());
  expect(host.seen('peer.left')).toEqual([]);
  expect(member.seen('peer.left')).toEqual([]);
  expect(host.seen('self.removed')).toEqual([]);

  await exchangeOpus(host, hostBack, member, memberBack, 'after');
  expect(media.workers().find((w) => w.meetings.includes(meetingId))?.pid).toBe(now?.pid);
  // The pool replaced the dead worker: two live workers again.
  await waitFor('the dead worker replaced', () => media.workers().length === 2, 10_000);
  expect(media.workers().map((w) => w.pid)).not.toContain(victim.pid);
  await host.call('host.end', {});
}, 45_000);
