/**
 * The `/rtc` signalling against the whole app: real PostgreSQL, a real mediasoup worker, socket.io-client, and
 * werift (a Node WebRTC stack) doing ICE + DTLS + SRTP with the server. Loopback only.
 */
import { RTC_PROTOCOL_VERSION, type ConsumerInfo } from '@branchmeet/shared';
import { MediaService } from '../media/media.service';
import { demoUnits, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { OPUS_CAPS, RtcKit, RtcTestClient, sendOf, type Joined } from '../test-support/rtc-client';
import { sleep, waitFor } from '../test-support/werift';
import { RoomRegistry } from './room-registry';

type Client = RtcTestClient;

const GRACE_SECONDS = 3;

let t: TestApp;
let u: DemoUnits;
const tokens: Record<string, string> = {};
let kit: RtcKit;
const connect = (token: string, opts?: Parameters<RtcKit['connect']>[1]) => kit.connect(token, opts);
const client = (login: string, opts?: Parameters<RtcKit['connect']>[1]) => kit.client(tokens[login], opts);
const publishMic = (c: Client, joined: Joined) => kit.publishMic(c, joined);
const receive = async (c: Client, joined: Joined, consumer: ConsumerInfo) =>
  (await kit.receive(c, joined, consumer)).received;

async function openMeeting(body: object = {}): Promise<string> {
  const res = await t
    .http()
    .post(`/api/org-units/${u.branchA}/meetings/live`)
    .set({ Authorization: `Bearer ${tokens.secretary1}` })
    .send(body);
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

beforeAll(async () => {
  t = await startTestApp({ listen: true, env: { RTC_RECONNECT_GRACE_SECONDS: String(GRACE_SECONDS) } });
  kit = new RtcKit(t.baseUrl);
  u = await demoUnits(t.ds);
  for (const login of ['secretary1', 'member1', 'member2', '13800000012'])
    tokens[login] = (await t.login(login)).session.accessToken;
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

describe('/rtc handshake and validation', () => {
  it('refuses a bad token and an old protocol with a clear error', async () => {
    const bad = await connect('not-a-token').catch((e: Error & { data?: unknown }) => e);
    expect(bad).toBeInstanceOf(Error);
    expect((bad as { data?: unknown }).data).toEqual({
      code: 'unauthenticated',
      message: '访问令牌无效或已过期',
    });
    const old = await connect(tokens.member1, { protocol: 0, locale: 'en' }).catch(
      (e: Error & { data?: unknown }) => e,
    );
    expect((old as { data?: { code: string; message: string } }).data).toEqual({
      code: 'protocol_mismatch',
      message: `the client is out of date (protocol 0, the server speaks ${RTC_PROTOCOL_VERSION}); reload the page`,
    });
  });

  it('answers a bad payload with validation_failed, per field, in the handshake’s language', async () => {
    const c = await client('member1', { locale: 'en' });
    const ack = await c.raw('room.join', { meetingId: 'not-a-uuid' });
    expect(ack).toEqual({
      ok: false,
      error: {
        code: 'validation_failed',
        message: expect.stringMatching(/^meetingId: /),
        issues: [expect.objectContaining({ path: 'meetingId' })],
      },
    });
    const produce = await c.raw('media.produce', { kind: 'smell' });
    expect(produce.ok).toBe(false);
    if (!produce.ok) {
      expect(produce.error.code).toBe('validation_failed');
      expect(produce.error.issues?.map((i) => i.path).sort()).toEqual([
        'kind',
        'rtpParameters',
        'source',
        'transportId',
      ]);
    }
    expect(await c.raw('chat.send', { text: '   ' })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
    // Valid, but not in a room yet.
    expect(await c.raw('hand.raise', {})).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: 'join the meeting first' },
    });
  });

  it('speaks the language the handshake asks for (a browser websocket has no headers), Chinese by default', async () => {
    const english = await client('member1', { lang: 'en' });
    const chinese = await client('member1');
    const [en, zh] = await Promise.all([english.raw('hand.raise', {}), chinese.raw('hand.raise', {})]);
    expect(en).toMatchObject({ ok: false, error: { code: 'conflict', message: 'join the meeting first' } });
    expect(zh).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!zh.ok && zh.error.message).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('a live room of branch 1', () => {
  let meetingId: string;
  let host: Client;
  let hostJoined: Joined;
  let member: Client;
  let memberJoined: Joined;
  let hostMic: Awaited<ReturnType<typeof publishMic>>;
  let memberMic: Awaited<ReturnType<typeof publishMic>>;

  beforeAll(async () => {
    meetingId = await openMeeting({ title: '支部学习会' });
  });

  it('refuses a member of another branch', async () => {
    const outsider = await client('member2');
    expect(await outsider.raw('room.join', { meetingId })).toEqual({
      ok: false,
      error: { code: 'not_found', message: '会议不存在' },
    });
  });

  it('two members join; the second gets the first one’s opus in four round trips; RTP flows both ways', async () => {
    host = await client('secretary1');
    const hostAck = await host.call('room.join', { meetingId });
    if (hostAck.status !== 'joined') throw new Error('host should be seated');
    hostJoined = hostAck;
    expect(hostJoined.self.role).toBe('host');
    expect(hostJoined.peers).toEqual([]);
    expect(sendOf(hostJoined).id).not.toBe(hostJoined.recvTransport.id);
    await host.call('room.ready', { rtpCapabilities: OPUS_CAPS });
    hostMic = await publishMic(host, hostJoined);

    member = await client('member1');
    const peerJoined = host.next('peer.joined');
    // The member's join, counted: join, ready, connect, resume — then media flows.
    const joinAck = await member.call('room.join', { meetingId });
    if (joinAck.status !== 'joined') throw new Error('member should be seated');
    memberJoined = joinAck;
    expect(memberJoined.room).toMatchObject({
      meetingId,
      title: '支部学习会',
      locked: false,
      waitingRoom: false,
    });
    expect(memberJoined.peers).toEqual([
      expect.objectContaining({
        peerId: hostJoined.self.peerId,
        role: 'host',
        producers: [
          expect.objectContaining({ producerId: hostMic.producerId, source: 'mic', paused: false }),
        ],
      }),
    ]);
    expect(await peerJoined).toMatchObject({
      peerId: memberJoined.self.peerId,
      role: 'member',
      name: '刘洋',
    });
    const { consumers } = await member.call('room.ready', { rtpCapabilities: OPUS_CAPS });
    expect(consumers).toEqual([
      expect.objectContaining({
        producerId: hostMic.producerId,
        peerId: hostJoined.self.peerId,
        kind: 'audio',
      }),
    ]);
    const atMember = await receive(member, memberJoined, consumers[0]);
    // Paused until the client acks: nothing arrives yet.
    await hostMic.send(5, 'early');
    await sleep(150);
    expect(atMember).toHaveLength(0);
    await member.call('consumer.resume', { consumerIds: [consumers[0].consumerId] });
    expect(member.trips).toBe(4);
    const sent = await hostMic.send(30, 'host');
    await waitFor('30 packets at the member', () => atMember.length >= 30);
    expect(atMember).toEqual(sent);

    // The other way: the member publishes; the host, already ready, is told consumer.created.
    const created = host.next('consumer.created');
    memberMic = await publishMic(member, memberJoined);
    const consumer = await created;
    expect(consumer).toMatchObject({ producerId: memberMic.producerId, peerId: memberJoined.self.peerId });
    const atHost = await receive(host, hostJoined, consumer);
    await host.call('consumer.resume', { consumerIds: [consumer.consumerId] });
    const back = await memberMic.send(30, 'member');
    await waitFor('30 packets at the host', () => atHost.length >= 30);
    expect(atHost).toEqual(back);
  }, 30_000);

  it('the host mutes the member: their mic producer is paused server-side, everyone is told byHost', async () => {
    const told = host.next('producer.paused');
    const toldMember = member.next('producer.paused');
    // A member is not the host.
    expect(await member.raw('host.mute', { peerId: hostJoined.self.peerId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await host.call('host.mute', { peerId: memberJoined.self.peerId });
    const expected = {
      peerId: memberJoined.self.peerId,
      producerId: memberMic.producerId,
      source: 'mic',
      byHost: true,
    };
    expect(await told).toEqual(expected);
    expect(await toldMember).toEqual(expected);
    const media = t.app.get(MediaService);
    expect(
      (await media.room(meetingId)).producerOf(memberJoined.self.peerId, memberMic.producerId).paused,
    ).toBe(true);
    // The member unmutes themself.
    const resumed = host.next('producer.resumed');
    await member.call('media.resume', { producerId: memberMic.producerId });
    expect(await resumed).toEqual({
      peerId: memberJoined.self.peerId,
      producerId: memberMic.producerId,
      source: 'mic',
    });
  });

  it('chat is persisted, broadcast, and in the next joiner’s join answer', async () => {
    const received = member.next('chat.received');
    const message = await host.call('chat.send', { text: '  大家好，开始学习  ' });
    expect(message).toMatchObject({ meetingId, text: '大家好，开始学习', name: '李红梅' });
    expect(await received).toEqual(message);
    const rows: { text: string }[] = await t.ds.query('SELECT text FROM chat_message WHERE meeting_id = $1', [
      meetingId,
    ]);
    expect(rows).toEqual([{ text: '大家好，开始学习' }]);
    const third = await client('13800000012');
    const joined = await third.call('room.join', { meetingId });
    if (joined.status !== 'joined') throw new Error('third should be seated');
    expect(joined.chat).toEqual([message]);
    expect(joined.peers.map((p) => p.name).sort()).toEqual(['刘洋', '李红梅'].sort());
    await third.call('room.leave', {});
  });

  it('a dropped member takes its seat back with resumePeerId: same peer, no duplicate, no leave/join churn', async () => {
    const peerId = memberJoined.self.peerId;
    const leftBefore = host.seen('peer.left').length;
    const joinedBefore = host.seen('peer.joined').length;
    const micClosed = host.next('producer.closed', (p) => p.producerId === memberMic.producerId);
    member.socket.disconnect();
    await sleep(300);
    const rooms = t.app.get(RoomRegistry);
    expect(rooms.participants(meetingId).map((p) => p.peerId)).toContain(peerId); // still seated (grace)

    const back = await client('member1');
    const ack = await back.call('room.join', { meetingId, resumePeerId: peerId });
    if (ack.status !== 'joined') throw new Error('should be seated again');
    expect(ack.resumed).toBe(true);
    expect(ack.self.peerId).toBe(peerId);
    expect(ack.self.producers).toEqual([]);
    expect(await micClosed).toMatchObject({ peerId, byHost: false });
    const ids = rooms.participants(meetingId).map((p) => p.peerId);
    expect(ids.filter((id) => id === peerId)).toHaveLength(1);
    expect(ids).toHaveLength(2);
    await sleep((GRACE_SECONDS + 0.5) * 1000); // the old socket's grace period passes: nothing happens
    expect(host.seen('peer.left').length).toBe(leftBefore);
    expect(host.seen('peer.joined').length).toBe(joinedBefore);
    expect(
      rooms
        .participants(meetingId)
        .map((p) => p.peerId)
        .sort(),
    ).toEqual(ids.sort());
    member = back;
    memberJoined = ack;
  }, 15_000);

  it('a dropped member who does not come back leaves after the grace period', async () => {
    const peerId = memberJoined.self.peerId;
    const left = host.next('peer.left', (p) => p.peerId === peerId, (GRACE_SECONDS + 3) * 1000);
    member.socket.disconnect();
    expect(await left).toEqual({ peerId });
    expect(
      t.app
        .get(RoomRegistry)
        .participants(meetingId)
        .map((p) => p.peerId),
    ).toEqual([hostJoined.self.peerId]);
  }, 15_000);

  it('the host ends the meeting for all: room.ended, the meeting ended and audited', async () => {
    const other = await client('member1');
    await other.call('room.join', { meetingId });
    const ended = other.next('room.ended');
    await host.call('host.end', {});
    expect(await ended).toEqual({ by: hostJoined.self.peerId });
    const res = await t
      .http()
      .get(`/api/meetings/${meetingId}`)
      .set({ Authorization: `Bearer ${tokens.member1}` });
    expect(res.body).toMatchObject({ status: 'ended', participants: 0, endedAt: expect.any(String) });
    const audit: { action: string; after: { reason?: string } }[] = await t.ds.query(
      `SELECT action, after FROM audit_event WHERE entity_id = $1 ORDER BY id`,
      [meetingId],
    );
    expect(audit.map((a) => [a.action, a.after.reason])).toEqual([
      ['meeting.open', undefined],
      ['host.mute', undefined], // the host muted the member earlier in this room (audited)
      ['meeting.end', 'host'],
    ]);
    expect(await other.raw('room.join', { meetingId })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });
});

describe('a join that carries the device’s capabilities (asked for ahead with media.capabilities)', () => {
  it('answers the consumers with the seat: media flows after join, connect and resume — no room.ready', async () => {
    const meetingId = await openMeeting({ title: '快速入会' });
    const host = await client('secretary1');
    const hostJoined = await host.call('room.join', { meetingId });
    if (hostJoined.status !== 'joined') throw new Error('host should be seated');
    await host.call('room.ready', { rtpCapabilities: OPUS_CAPS });
    const hostMic = await publishMic(host, hostJoined);

    const member = await client('member1');
    const { routerRtpCapabilities } = await member.call('media.capabilities', {});
    expect(routerRtpCapabilities).toEqual(hostJoined.routerRtpCapabilities);
    const ahead = member.trips;
    const joined = await member.call('room.join', { meetingId, rtpCapabilities: OPUS_CAPS });
    if (joined.status !== 'joined') throw new Error('member should be seated');
    expect(joined.consumers).toEqual([
      expect.objectContaining({ producerId: hostMic.producerId, kind: 'audio' }),
    ]);
    const consumer = joined.consumers![0];
    const atMember = await receive(member, joined, consumer);
    await member.call('consumer.resume', { consumerIds: [consumer.consumerId] });
    expect(member.trips - ahead).toBe(3);
    const sent = await hostMic.send(30, 'host');
    await waitFor('30 packets at the member', () => atMember.length >= 30);
    expect(atMember).toEqual(sent);
    // A join without them is answered as before: the consumers come with room.ready.
    const plain = await (await client('13800000012')).call('room.join', { meetingId });
    expect(plain.status === 'joined' && plain.consumers).toBe(undefined);
  }, 30_000);
});

describe('the waiting room', () => {
  it('a member waits until the host admits them; a second socket of the same person replaces the first', async () => {
    const meetingId = await openMeeting({ waitingRoom: true });
    const host = await client('secretary1');
    await host.call('room.join', { meetingId });
    const member = await client('member1');
    const waiting = host.next('lobby.waiting', (p) => p.waiting.length === 1);
    const ack = await member.call('room.join', { meetingId });
    expect(ack).toEqual({ status: 'waiting', room: expect.objectContaining({ waitingRoom: true }) });
    const [waiter] = (await waiting).waiting;
    expect(waiter).toMatchObject({ name: '刘洋' });
    expect(await member.raw('chat.send', { text: 'hi' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const admitted = member.next('lobby.admitted');
    await host.call('lobby.admit', { peerId: waiter.peerId });
    expect(await admitted).toEqual({ meetingId });
    const seated = await member.call('room.join', { meetingId });
    expect(seated.status).toBe('joined');
    if (seated.status !== 'joined') return;

    const replaced = member.next('self.removed');
    const second = await client('member1');
    const again = await second.call('room.join', { meetingId });
    expect(again).toMatchObject({ status: 'joined', resumed: true, self: { peerId: seated.self.peerId } });
    expect(await replaced).toEqual({ by: seated.self.peerId, reason: 'replaced' });
    expect(t.app.get(RoomRegistry).participants(meetingId)).toHaveLength(2);
    await host.call('host.end', {});
  });
});
