/**
 * Host controls over `/rtc` against the whole app (real PostgreSQL, a real mediasoup worker): stop video,
 * remove, lock and the lobby, hand over host, lower a hand, ICE restart and tile sizes. Loopback only.
 */
import { MediaService } from '../media/media.service';
import { demoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import {
  AV_CAPS,
  produceCamera,
  RtcKit,
  sendOf,
  type Joined,
  type RtcTestClient,
} from '../test-support/rtc-client';
import { waitFor } from '../test-support/werift';
import { RoomRegistry } from './room-registry';

let t: TestApp;
let kit: RtcKit;
const tokens: Record<string, string> = {};
const LOGINS = ['secretary1', 'member1', '13800000012', '13800000016'] as const;

beforeAll(async () => {
  t = await startTestApp({ listen: true, env: { RTC_RECONNECT_GRACE_SECONDS: '3' } });
  kit = new RtcKit(t.baseUrl);
  const { branchA } = await demoUnits(t.ds);
  for (const login of LOGINS) tokens[login] = (await t.login(login)).session.accessToken;
  meetingId = await t.openLive(tokens.secretary1, branchA, '主持人控制');
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

const forbidden = { ok: false, error: expect.objectContaining({ code: 'forbidden' }) };

let meetingId: string;
let host: RtcTestClient;
let hostJoined: Joined;
let member: RtcTestClient;
let memberJoined: Joined;
let third: RtcTestClient;
let thirdJoined: Joined;

describe('host controls', () => {
  beforeAll(async () => {
    host = await kit.client(tokens.secretary1);
    hostJoined = await host.join(meetingId);
    member = await kit.client(tokens.member1);
    memberJoined = await member.join(meetingId);
    third = await kit.client(tokens['13800000012']);
    thirdJoined = await third.join(meetingId);
    for (const c of [host, member, third]) await c.call('room.ready', { rtpCapabilities: AV_CAPS });
  });

  it('a member calling any host control is refused with forbidden, and nothing changes', async () => {
    const peerId = hostJoined.self.peerId;
    expect(await member.raw('host.mute', { peerId })).toEqual(forbidden);
    expect(await member.raw('host.mute', {})).toEqual(forbidden);
    expect(await member.raw('host.stopVideo', { peerId })).toEqual(forbidden);
    expect(await member.raw('host.remove', { peerId })).toEqual(forbidden);
    expect(await member.raw('host.lock', { locked: true })).toEqual(forbidden);
    expect(await member.raw('host.transfer', { peerId: memberJoined.self.peerId })).toEqual(forbidden);
    expect(await member.raw('host.lowerHand', { peerId })).toEqual(forbidden);
    expect(await member.raw('host.end', {})).toEqual(forbidden);
    expect(await member.raw('lobby.admit', { peerId })).toEqual(forbidden);
    expect(await member.raw('lobby.deny', { peerId })).toEqual(forbidden);
    expect(t.app.get(RoomRegistry).participants(meetingId)).toHaveLength(3);
    expect(host.seen('room.changed')).toEqual([]);
  });

  it('consumer.tile picks the simulcast layer of a video consumer; bad sizes and unknown consumers are refused', async () => {
    // A simulcast VP8 camera (produced without sending media): the host, ready for video, gets a consumer.
    const created = host.next('consumer.created', (c) => c.kind === 'video');
    const cameraId = await produceCamera(member, memberJoined);
    const consumer = await created;
    expect(consumer).toMatchObject({
      producerId: cameraId,
      peerId: memberJoined.self.peerId,
      source: 'camera',
    });
    const media = await t.app.get(MediaService).room(meetingId);
    const mc = media.consumer(hostJoined.self.peerId, consumer.consumerId);
    expect(mc.type).toBe('simulcast');

    await host.call('consumer.tile', { consumerId: consumer.consumerId, height: 120 });
    await waitFor('the lowest layer preferred', () => mc.preferredLayers?.spatialLayer === 0);
    expect(mc.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 2 });
    await host.call('consumer.tile', { consumerId: consumer.consumerId, height: 1080 });
    await waitFor('the highest layer preferred', () => mc.preferredLayers?.spatialLayer === 2);
    await host.call('consumer.resume', { consumerIds: [consumer.consumerId] });
    expect(mc.paused).toBe(false);
    await host.call('consumer.tile', { consumerId: consumer.consumerId, height: 0 }); // hidden tile
    await waitFor('the hidden tile at layer 0/0', () => mc.preferredLayers?.temporalLayer === 0);
    expect(mc.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 0 });
    // Off screen: not received at all; back on screen: received again.
    expect(mc.paused).toBe(true);
    await host.call('consumer.tile', { consumerId: consumer.consumerId, height: 200 });
    expect(mc.paused).toBe(false);

    for (const height of [-1, 1.5, 99999])
      expect(await host.raw('consumer.tile', { consumerId: consumer.consumerId, height })).toMatchObject({
        ok: false,
        error: { code: 'validation_failed', issues: [expect.objectContaining({ path: 'height' })] },
      });
    expect(await host.raw('consumer.tile', { consumerId: 'nope', height: 360 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    // The member's own consumers do not include the host's: someone else's consumer id is not found either.
    expect(await member.raw('consumer.tile', { consumerId: consumer.consumerId, height: 360 })).toMatchObject(
      {
        ok: false,
        error: { code: 'not_found' },
      },
    );
  });

  it('host.stopVideo closes the member’s camera: everyone is told producer.closed byHost', async () => {
    const camera = (await t.app.get(MediaService).room(meetingId)).peers
      .get(memberJoined.self.peerId)
      ?.producerFor('camera');
    if (!camera) throw new Error('the member has no camera producer');
    const expected = {
      peerId: memberJoined.self.peerId,
      producerId: camera.id,
      source: 'camera',
      byHost: true,
    };
    const atHost = host.next('producer.closed');
    const atMember = member.next('producer.closed');
    const atThird = third.next('producer.closed');
    const consumerClosed = third.next('consumer.closed');
    await host.call('host.stopVideo', { peerId: memberJoined.self.peerId });
    expect(await atHost).toEqual(expected);
    expect(await atMember).toEqual(expected);
    expect(await atThird).toEqual(expected);
    expect(await consumerClosed).toMatchObject({ producerId: camera.id });
    expect(camera.closed).toBe(true);
    // Nothing to stop the second time; an unknown peer is not found.
    await host.call('host.stopVideo', { peerId: memberJoined.self.peerId });
    expect(await host.raw('host.stopVideo', { peerId: 'nobody' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    // The member may turn the camera on again, and it is not a host action then.
    const reopened = host.next('consumer.created', (c) => c.kind === 'video');
    await produceCamera(member, memberJoined);
    expect(await reopened).toMatchObject({ peerId: memberJoined.self.peerId, source: 'camera' });
  });

  it('host.lowerHand lowers a raised hand: hand.changed raised:false for everyone', async () => {
    const raised = host.next('hand.changed');
    await member.call('hand.raise', {});
    expect(await raised).toEqual({ peerId: memberJoined.self.peerId, raised: true });
    const loweredAtMember = member.next('hand.changed');
    const loweredAtThird = third.next('hand.changed', (p) => !p.raised);
    await host.call('host.lowerHand', { peerId: memberJoined.self.peerId });
    expect(await loweredAtMember).toEqual({ peerId: memberJoined.self.peerId, raised: false });
    expect(await loweredAtThird).toEqual({ peerId: memberJoined.self.peerId, raised: false });
    expect(
      t.app
        .get(RoomRegistry)
        .participants(meetingId)
        .every((p) => !p.handRaised),
    ).toBe(true);
  });

  it('transport.restartIce answers new ICE parameters for the caller’s own transports only', async () => {
    for (const transport of [sendOf(memberJoined), memberJoined.recvTransport]) {
      const { iceParameters } = await member.call('transport.restartIce', { transportId: transport.id });
      expect(iceParameters.usernameFragment).toEqual(expect.any(String));
      expect(iceParameters.password).not.toBe(transport.iceParameters.password);
      expect(iceParameters.usernameFragment).not.toBe(transport.iceParameters.usernameFragment);
    }
    expect(await member.raw('transport.restartIce', { transportId: sendOf(hostJoined).id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await member.raw('transport.restartIce', {})).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
  });

  it('host.remove: the member is told self.removed and disconnected, others see peer.left, a rejoin is refused', async () => {
    const peerId = thirdJoined.self.peerId;
    const removed = third.next('self.removed');
    const disconnected = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the removed socket was not disconnected')), 5000);
      third.socket.once('disconnect', (reason) => {
        clearTimeout(timer);
        resolve(reason);
      });
    });
    const leftAtHost = host.next('peer.left', (p) => p.peerId === peerId);
    const leftAtMember = member.next('peer.left', (p) => p.peerId === peerId);
    expect(await host.raw('host.remove', { peerId: hostJoined.self.peerId })).toEqual(forbidden); // not oneself
    await host.call('host.remove', { peerId });
    expect(await removed).toMatchObject({ by: hostJoined.self.peerId });
    expect(await leftAtHost).toEqual({ peerId });
    expect(await leftAtMember).toEqual({ peerId });
    expect(await disconnected).toBe('io server disconnect');
    expect(
      t.app
        .get(RoomRegistry)
        .participants(meetingId)
        .map((p) => p.peerId),
    ).not.toContain(peerId);

    // One audit line: who removed whom, under the meeting.
    const [line] = await t.ds.query(
      `SELECT actor_id, after FROM audit_event WHERE action = 'host.remove' AND entity_id = $1`,
      [meetingId],
    );
    expect(line).toEqual({ actor_id: hostJoined.self.userId, after: { userId: expect.any(String) } });

    const again = await kit.client(tokens['13800000012']);
    expect(await again.raw('room.join', { meetingId })).toEqual(forbidden);
    expect(await again.raw('room.join', { meetingId, resumePeerId: peerId })).toEqual(forbidden);
    again.socket.disconnect();
  });

  it('host.lock: a new joiner waits in the lobby; lobby.deny sends them away', async () => {
    const changedAtMember = member.next('room.changed');
    await host.call('host.lock', { locked: true });
    expect(
      await t.ds.query(`SELECT after FROM audit_event WHERE action = 'host.lock' AND entity_id = $1`, [
        meetingId,
      ]),
    ).toEqual([{ after: { locked: true } }]);
    expect(await changedAtMember).toMatchObject({
      meetingId,
      locked: true,
      hostUserId: hostJoined.self.userId,
    });

    const joinsSeen = member.seen('peer.joined').length;
    const late = await kit.client(tokens['13800000016']);
    const waiting = host.next('lobby.waiting', (p) => p.waiting.length === 1);
    const ack = await late.call('room.join', { meetingId });
    expect(ack).toEqual({ status: 'waiting', room: expect.objectContaining({ locked: true }) });
    const [waiter] = (await waiting).waiting;
    expect(waiter).toMatchObject({ name: '赵磊' });
    expect(t.app.get(RoomRegistry).participants(meetingId)).toHaveLength(2);
    expect(member.seen('peer.joined')).toHaveLength(joinsSeen); // a waiter is not a participant
    expect(await late.raw('hand.raise', {})).toEqual(forbidden);

    const denied = late.next('lobby.denied');
    const emptied = host.next('lobby.waiting', (p) => p.waiting.length === 0);
    await host.call('lobby.deny', { peerId: waiter.peerId });
    expect(await denied).toEqual({ meetingId });
    await emptied;
    // Denied is not in the room; a deny of nobody is not found.
    expect(await late.raw('hand.raise', {})).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await host.raw('lobby.deny', { peerId: waiter.peerId })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const unlocked = member.next('room.changed');
    await host.call('host.lock', { locked: false });
    expect(await unlocked).toMatchObject({ locked: false });
    late.socket.disconnect();
  });

  it('host.transfer: room.changed names the new host, who can use host controls; the old host cannot', async () => {
    const atHost = host.next('room.changed');
    const atMember = member.next('room.changed');
    await host.call('host.transfer', { peerId: memberJoined.self.peerId });
    const newHost = memberJoined.self.userId;
    expect(await atHost).toMatchObject({ meetingId, hostUserId: newHost });
    expect(await atMember).toMatchObject({ meetingId, hostUserId: newHost });
    const [row]: { host_id: string }[] = await t.ds.query('SELECT host_id FROM meeting WHERE id = $1', [
      meetingId,
    ]);
    expect(row.host_id).toBe(newHost);

    expect(await host.raw('host.lock', { locked: true })).toEqual(forbidden);
    expect(await host.raw('host.mute', {})).toEqual(forbidden);
    expect(await host.raw('host.transfer', { peerId: hostJoined.self.peerId })).toEqual(forbidden);
    const lowered = member.next('hand.changed', (p) => !p.raised);
    await host.call('hand.raise', {});
    await member.call('host.lowerHand', { peerId: hostJoined.self.peerId });
    expect(await lowered).toEqual({ peerId: hostJoined.self.peerId, raised: false });

    // The participants list shows the roles as they are now.
    const roles = Object.fromEntries(
      t.app
        .get(RoomRegistry)
        .participants(meetingId)
        .map((p) => [p.peerId, p.role]),
    );
    expect(roles).toEqual({ [hostJoined.self.peerId]: 'member', [memberJoined.self.peerId]: 'host' });
    await member.call('host.end', {});
  });
});
