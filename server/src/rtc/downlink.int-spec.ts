/**
 * Audio first on a weak downlink, against the whole app (real PostgreSQL, a real mediasoup worker):
 * when a receiver's downlink estimate collapses, the server pauses the video it receives — its audio keeps
 * flowing — and tells that receiver (`media.downlink`), then resumes the video as the estimate recovers. The
 * estimate is what mediasoup's transport-cc `bwe` trace reports; loopback never runs short, so the test feeds the
 * receiver's guard the figures a weak link gives. The receiver's own report (`media.downlinkReport`: its audio
 * broken, or clean again) pauses its video at once and brings it back early. Loopback only.
 */
import { PresenceService } from '../attendance/presence.service';
import { MediaService } from '../media/media.service';
import { demoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { AV_CAPS, produceCamera, RtcKit, sendOf, type RtcTestClient } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';

let t: TestApp;
let kit: RtcKit;
let meetingId: string;

beforeAll(async () => {
  t = await startTestApp({ listen: true });
  kit = new RtcKit(t.baseUrl);
  const { branchA } = await demoUnits(t.ds);
  const secretary = (await t.login('secretary1')).session.accessToken;
  meetingId = await t.openLive(secretary, branchA, '弱网');
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

it('pauses a weak receiver’s video before its audio, tells it, and resumes the video as the link recovers', async () => {
  const viewer: RtcTestClient = await kit.client((await t.login('secretary1')).session.accessToken);
  const viewerJoined = await viewer.join(meetingId);
  const sender: RtcTestClient = await kit.client((await t.login('member1')).session.accessToken);
  const senderJoined = await sender.join(meetingId);
  await viewer.call('room.ready', { rtpCapabilities: AV_CAPS });
  await sender.call('room.ready', { rtpCapabilities: AV_CAPS });

  const video = viewer.next('consumer.created', (c) => c.kind === 'video');
  const audio = viewer.next('consumer.created', (c) => c.kind === 'audio');
  await produceCamera(sender, senderJoined);
  await sender.call('media.produce', {
    transportId: sendOf(senderJoined).id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: {
      mid: 'mic',
      codecs: [
        {
          mimeType: 'audio/opus',
          payloadType: 100,
          clockRate: 48000,
          channels: 2,
          parameters: { useinbandfec: 1, usedtx: 1 },
        },
      ],
      encodings: [{ ssrc: 0x4242 }],
    },
  });
  const [v, a] = [await video, await audio];
  await viewer.call('consumer.resume', { consumerIds: [v.consumerId, a.consumerId] });

  const room = await t.app.get(MediaService).room(meetingId);
  const peer = room.peer(viewerJoined.self.peerId);
  const [vc, ac] = [room.consumer(peer.peerId, v.consumerId), room.consumer(peer.peerId, a.consumerId)];
  expect([vc.paused, ac.paused]).toEqual([false, false]);
  const guard = peer.downlink;
  expect(guard).toBeDefined();

  // 50 kbit/s for two seconds: less than audio and the smallest video need together.
  const paused = viewer.next('media.downlink', (p) => p.videoPaused);
  guard!.sample(50_000);
  await sleep(2100);
  guard!.sample(50_000);
  expect(await paused).toEqual({ videoPaused: true });
  expect(vc.paused).toBe(true);
  expect(ac.paused).toBe(false);
  // the sender was not touched: the others still get its video
  expect(room.findProducer(v.producerId).producer.paused).toBe(false);

  // The link recovers: after the pause delay a roomy estimate brings the video back.
  const resumed = viewer.next('media.downlink', (p) => !p.videoPaused, 10_000);
  await sleep(2100);
  guard!.sample(1_000_000);
  expect(await resumed).toEqual({ videoPaused: false });
  expect(vc.paused).toBe(false);
  expect(ac.paused).toBe(false);
}, 60_000);

it('the receiver’s own report of broken audio pauses its video at once; clean audio brings video back', async () => {
  // A new receiver (its own guard, video flowing) joins the room the test before left publishing.
  const viewer = await kit.client((await t.login('13800000012')).session.accessToken);
  const joined = await viewer.join(meetingId);
  const { consumers } = await viewer.call('room.ready', { rtpCapabilities: AV_CAPS });
  const [v, a] = [consumers.find((c) => c.kind === 'video')!, consumers.find((c) => c.kind === 'audio')!];
  await viewer.call('consumer.resume', { consumerIds: [v.consumerId, a.consumerId] });
  const room = await t.app.get(MediaService).room(meetingId);
  const [vc, ac] = [
    room.consumer(joined.self.peerId, v.consumerId),
    room.consumer(joined.self.peerId, a.consumerId),
  ];
  expect(vc.paused).toBe(false);

  const paused = viewer.next('media.downlink', (p) => p.videoPaused);
  expect(await viewer.call('media.downlinkReport', { congested: true })).toEqual({ videoPaused: true });
  expect(await paused).toEqual({ videoPaused: true });
  expect(vc.paused).toBe(true);
  expect(ac.paused).toBe(false);
  // Clean again: the first try comes after the pause delay, not the whole hold time.
  await sleep(2100);
  const resumed = viewer.next('media.downlink', (p) => !p.videoPaused, 3000);
  expect(await viewer.call('media.downlinkReport', { congested: false })).toEqual({ videoPaused: false });
  expect(await resumed).toEqual({ videoPaused: false });
  expect(vc.paused).toBe(false);

  expect(await viewer.raw('media.downlinkReport', { congested: 'yes' })).toMatchObject({
    ok: false,
    error: { code: 'validation_failed' },
  });
  // Someone not in the room has no downlink to report on.
  const outsider = await kit.client((await t.login('member2')).session.accessToken);
  expect(await outsider.raw('media.downlinkReport', { congested: true })).toMatchObject({ ok: false });
}, 30_000);

it('a receiver renews its audio consumer (a fresh jitter buffer): same producer, new consumer; its seat and presence stay', async () => {
  const { session } = await t.login('13800000016');
  const viewer = await kit.client(session.accessToken);
  const joined = await viewer.join(meetingId);
  const { consumers } = await viewer.call('room.ready', { rtpCapabilities: AV_CAPS });
  const [v, a] = [consumers.find((c) => c.kind === 'video')!, consumers.find((c) => c.kind === 'audio')!];
  await viewer.call('consumer.resume', { consumerIds: [v.consumerId, a.consumerId] });
  const room = await t.app.get(MediaService).room(meetingId);
  const peerId = joined.self.peerId;
  expect(room.consumer(peerId, a.consumerId).paused).toBe(false);

  const first = await viewer.call('consumer.renew', { consumerId: a.consumerId });
  expect(first).toMatchObject({ producerId: a.producerId, peerId: a.peerId, kind: 'audio', source: 'mic' });
  expect(first.consumerId).not.toBe(a.consumerId);
  // The new one waits for the client's resume, like any new consumer; the old one flows on until then.
  expect(room.consumer(peerId, first.consumerId).paused).toBe(true);
  expect(room.consumer(peerId, a.consumerId).paused).toBe(false);
  // A consumer not resumed yet is not renewed; asking again for the old one replaces the first answer (lost).
  expect(await viewer.raw('consumer.renew', { consumerId: first.consumerId })).toMatchObject({ ok: false });
  const renewed = await viewer.call('consumer.renew', { consumerId: a.consumerId });
  expect(() => room.consumer(peerId, first.consumerId)).toThrow();
  await viewer.call('consumer.resume', { consumerIds: [renewed.consumerId] });
  expect(room.consumer(peerId, renewed.consumerId).paused).toBe(false);
  expect(() => room.consumer(peerId, a.consumerId)).toThrow();
  expect(room.consumer(peerId, v.consumerId).paused).toBe(false);

  // Only the caller's own audio consumers: not video, not an unknown or closed one, not outside a seat.
  expect(await viewer.raw('consumer.renew', { consumerId: v.consumerId })).toMatchObject({ ok: false });
  expect(await viewer.raw('consumer.renew', { consumerId: a.consumerId })).toMatchObject({ ok: false });
  expect(await viewer.raw('consumer.renew', { consumerId: '' })).toMatchObject({
    ok: false,
    error: { code: 'validation_failed' },
  });
  const outsider = await kit.client((await t.login('member2')).session.accessToken);
  expect(await outsider.raw('consumer.renew', { consumerId: renewed.consumerId })).toMatchObject({
    ok: false,
  });
  expect(room.consumer(peerId, renewed.consumerId).closed).toBe(false);

  // Attendance comes from the media session: the seat is the same and its presence runs on, one segment.
  expect(room.peers.has(peerId)).toBe(true);
  await t.app.get(PresenceService).settled();
  const segments = (await t.ds.query(
    `SELECT closed_at FROM presence_segment WHERE meeting_id = $1 AND user_id = $2`,
    [meetingId, session.me.user.id],
  )) as { closed_at: Date | null }[];
  expect(segments).toEqual([{ closed_at: null }]);
}, 30_000);
