/**
 * Lecture mode (微课堂) over `/rtc` against the whole app (real PostgreSQL, a real mediasoup worker, werift bots):
 * the audience joins receive-only, a listener speaks only once given the floor and stops when it is taken back,
 * co-presenters, and the Q&A stored in the database. Loopback only.
 */
import type { LectureSend } from '@branchmeet/shared';
import { MediaService } from '../media/media.service';
import { demoUnits, userIdByPhone } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { createAudience } from '../test-support/lecture-bots';
import {
  OPUS_CAPS,
  produceCamera,
  RtcKit,
  type Joined,
  type RtcTestClient,
} from '../test-support/rtc-client';
import { waitFor } from '../test-support/werift';

let t: TestApp;
let kit: RtcKit;
let meetingId: string;
let lecturerUserId: string;
const tokens: Record<string, string> = {};
let audience: { userId: string; token: string }[];

const forbidden = (message?: RegExp) => ({
  ok: false,
  error: expect.objectContaining({
    code: 'forbidden',
    ...(message ? { message: expect.stringMatching(message) } : {}),
  }),
});
const micParams = {
  mid: '0',
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 4242 }],
  rtcp: { cname: 'x', reducedSize: true },
};

beforeAll(async () => {
  t = await startTestApp({ listen: true, env: { RTC_RECONNECT_GRACE_SECONDS: '3' } });
  kit = new RtcKit(t.baseUrl);
  const { branchA } = await demoUnits(t.ds);
  for (const login of ['secretary1', 'member1']) tokens[login] = (await t.login(login)).session.accessToken;
  lecturerUserId = await userIdByPhone(t.ds, '13800000013'); // member1 (刘洋) lectures
  const res = await t
    .http()
    .post(`/api/org-units/${branchA}/meetings`)
    .set({ Authorization: `Bearer ${tokens.secretary1}` })
    .send({
      type: 'lecture',
      start: new Date(Date.now() + 60_000).toISOString(),
      title: '党课：微课堂',
      lecturerId: lecturerUserId,
    });
  expect(res.status).toBe(201);
  meetingId = (res.body as { id: string }).id;
  audience = await createAudience(t, branchA, 20);
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

let host: RtcTestClient;
let lecturer: RtcTestClient;
let lecturerJoined: Joined;
let listeners: { c: RtcTestClient; joined: Joined }[];

describe('a lecture with 20 receive-only listeners', () => {
  beforeAll(async () => {
    host = await kit.client(tokens.secretary1);
    await host.join(meetingId); // the host opens the scheduled lecture
    lecturer = await kit.client(tokens.member1);
    lecturerJoined = await lecturer.join(meetingId);
    await lecturer.call('room.ready', { rtpCapabilities: OPUS_CAPS });
    listeners = [];
    for (const a of audience) {
      const c = await kit.client(a.token);
      const joined = await c.join(meetingId);
      await c.call('room.ready', { rtpCapabilities: OPUS_CAPS });
      listeners.push({ c, joined });
    }
  }, 60_000);

  it('presenters get a send transport; listeners join receive-only (no send transport at all)', async () => {
    expect(lecturerJoined.sendTransport).not.toBeNull();
    expect(lecturerJoined.lecture).toEqual({ lecturerUserId, coPresenterUserIds: [], floorPeerIds: [] });
    const media = await t.app.get(MediaService).room(meetingId);
    for (const { joined } of listeners) {
      expect(joined.sendTransport).toBeNull();
      expect(joined.lecture?.lecturerUserId).toBe(lecturerUserId);
      const transports = [...media.peer(joined.self.peerId).transports.values()];
      expect(transports.map((x) => x.appData.direction)).toEqual(['recv']);
    }
    expect(listeners).toHaveLength(20);
  });

  it('a listener cannot produce without the floor, nor give itself the floor', async () => {
    const { c, joined } = listeners[0];
    const ack = await c.raw('media.produce', {
      transportId: joined.recvTransport.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: micParams,
    });
    expect(ack).toEqual(forbidden(/floor|发言权/));
    expect(await c.raw('lecture.giveFloor', { peerId: joined.self.peerId })).toEqual(forbidden());
    const media = await t.app.get(MediaService).room(meetingId);
    expect(media.peer(joined.self.peerId).producers.size).toBe(0);
  });

  it('given the floor, a listener’s audio reaches the lecturer; taken back, its producer closes', async () => {
    const { c, joined } = listeners[3];
    const peerId = joined.self.peerId;
    await c.call('hand.raise', {});
    const sendGiven = c.next('lecture.send');
    const changed = listeners[5].c.next('lecture.changed', (s) => s.floorPeerIds.includes(peerId));
    // On stage: the other listeners are told of this one now (not when it joined), before its media.
    const announced = listeners[5].c.next('peer.joined', (p) => p.peerId === peerId);
    expect(listeners[5].c.seen('peer.joined').filter((p) => p.peerId === peerId)).toEqual([]);
    await lecturer.call('lecture.giveFloor', { peerId });
    expect(await announced).toMatchObject({ peerId, handRaised: false });
    const given: LectureSend = await sendGiven;
    expect(given.audioOnly).toBe(true);
    expect(given.sendTransport).not.toBeNull();
    expect((await changed).floorPeerIds).toEqual([peerId]);
    expect(c.seen('hand.changed')).toContainEqual({ peerId, raised: false });

    // Audio only: a camera is refused.
    await expect(produceCamera(c, given)).rejects.toThrow(/forbidden/);

    const atLecturer = lecturer.next('consumer.created', (p) => p.peerId === peerId);
    const mic = await kit.publishMic(c, given);
    const consumer = await atLecturer;
    expect(consumer.producerId).toBe(mic.producerId);
    const heard = await kit.receive(lecturer, lecturerJoined, consumer);
    await lecturer.call('consumer.resume', { consumerIds: [consumer.consumerId] });
    const sent = await mic.send(30, 'floor');
    await waitFor('30 packets of the listener at the lecturer', () => heard.received.length >= 30);
    expect(heard.received).toEqual(sent);

    // The others still may not speak.
    expect(
      await listeners[4].c.raw('media.produce', {
        transportId: listeners[4].joined.recvTransport.id,
        kind: 'audio',
        source: 'mic',
        rtpParameters: micParams,
      }),
    ).toEqual(forbidden(/floor|发言权/));

    const closed = lecturer.next('producer.closed', (p) => p.producerId === mic.producerId);
    const lost = c.next('lecture.send');
    await lecturer.call('lecture.takeFloor', { peerId });
    expect(await closed).toMatchObject({ peerId, producerId: mic.producerId, source: 'mic' });
    expect(await lost).toEqual({ sendTransport: null, audioOnly: true });
    const media = await t.app.get(MediaService).room(meetingId);
    expect(media.peer(peerId).producers.size).toBe(0);
    expect([...media.peer(peerId).transports.values()].map((x) => x.appData.direction)).toEqual(['recv']);
    await waitFor('the lecturer’s consumer closed', () =>
      lecturer.seen('consumer.closed').some((x) => x.consumerId === consumer.consumerId),
    );
    const after = heard.received.length;
    await mic.send(10, 'after');
    expect(heard.received.length).toBe(after); // nothing gets through any more
    expect(
      await c.raw('media.produce', {
        transportId: given.sendTransport?.id,
        kind: 'audio',
        source: 'mic',
        rtpParameters: micParams,
      }),
    ).toEqual(forbidden(/floor|发言权/));
  });

  it('the host adds a co-presenter (a send transport, any source) and removes them again', async () => {
    const { c, joined } = listeners[7];
    const peerId = joined.self.peerId;
    expect(await lecturer.raw('lecture.addPresenter', { peerId })).toEqual(forbidden()); // the host's call
    const sendGiven = c.next('lecture.send');
    await host.call('lecture.addPresenter', { peerId });
    const given = await sendGiven;
    expect(given.audioOnly).toBe(false);
    const cameraId = await produceCamera(c, given);
    const media = await t.app.get(MediaService).room(meetingId);
    expect(media.peer(peerId).producers.has(cameraId)).toBe(true);
    const closed = lecturer.next('producer.closed', (p) => p.producerId === cameraId);
    await host.call('lecture.removePresenter', { peerId });
    await closed;
    expect(media.peer(peerId).producers.size).toBe(0);
    expect(await host.raw('lecture.removePresenter', { peerId: lecturerJoined.self.peerId })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('Q&A: ask, upvote once per person, the lecturer marks answered; stored, listed again after a reconnect', async () => {
    const [a, b] = listeners;
    const seen = lecturer.next('qa.changed');
    const q = await a.c.call('qa.ask', { text: '  请问如何开展主题党日活动？ ' });
    expect(q).toMatchObject({ text: '请问如何开展主题党日活动？', upvotes: 0, answered: false });
    expect(await seen).toEqual(q);
    expect((await b.c.call('qa.upvote', { questionId: q.id })).upvotes).toBe(1);
    expect((await b.c.call('qa.upvote', { questionId: q.id })).upvotes).toBe(1); // once per person
    expect((await a.c.call('qa.upvote', { questionId: q.id })).upvotes).toBe(2);
    expect(await b.c.raw('qa.answer', { questionId: q.id })).toEqual(forbidden());
    expect(await b.c.raw('qa.ask', { text: '' })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
    const answered = await lecturer.call('qa.answer', { questionId: q.id });
    expect(answered).toMatchObject({ answered: true, upvotes: 2 });

    // Reconnect: a new socket takes the seat back; the Q&A comes from the database.
    const again = await kit.client(audience[1].token);
    await again.join(meetingId, b.joined.self.peerId);
    const list = await again.call('qa.list', {});
    expect(list.questions).toEqual([answered]);
    expect(list.upvoted).toEqual([q.id]);
    const rows: { n: string }[] = await t.ds.query(
      'SELECT count(*) AS n FROM lecture_question_vote WHERE question_id = $1',
      [q.id],
    );
    expect(Number(rows[0].n)).toBe(2);
    // Listed over REST too (during and after the lecture), for whoever may read the branch.
    const rest = await t
      .http()
      .get(`/api/meetings/${meetingId}/questions`)
      .set({ Authorization: `Bearer ${tokens.secretary1}` });
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual({ questions: [answered], upvoted: [] });
  });

  it('handing the host over in a lecture: the new host may publish, the old one (not the lecturer) listens', async () => {
    const { c, joined } = listeners[9];
    const hostPeerId = lecturerJoined.peers.find((p) => p.role === 'host')?.peerId; // joined first
    if (!hostPeerId) throw new Error('no host peer');
    const given = c.next('lecture.send');
    const lost = host.next('lecture.send');
    await host.call('host.transfer', { peerId: joined.self.peerId });
    expect((await given).sendTransport).not.toBeNull();
    expect(await lost).toEqual({ sendTransport: null, audioOnly: true });
    const media = await t.app.get(MediaService).room(meetingId);
    expect([...media.peer(hostPeerId).transports.values()].map((x) => x.appData.direction)).toEqual(['recv']);
    expect(
      [...media.peer(joined.self.peerId).transports.values()].map((x) => x.appData.direction).sort(),
    ).toEqual(['recv', 'send']);
    // The old host is a listener now: it cannot give the floor; the lecturer still can.
    expect(await host.raw('lecture.giveFloor', { peerId: listeners[10].joined.self.peerId })).toEqual(
      forbidden(),
    );
  });
});
