import { caller, rtcUnits } from '../test-support/rtc-fakes';
import { MIRROR_DEBOUNCE_MS } from './room-ownership';
import { snapshotRoom, type RoomSnapshot } from './room-snapshot';

/** The room units on the single-node cluster (no Redis): leases, the mirror and takeover as a node sees them. */
describe('RoomOwnership', () => {
  let u: ReturnType<typeof rtcUnits>;
  afterEach(() => u.teardown());

  const mirrored = async () => (await u.cluster.load<RoomSnapshot>('m1'))?.state;
  const settle = () => new Promise((r) => setTimeout(r, MIRROR_DEBOUNCE_MS * 3));

  /**
   * Another node takes the meeting (this node's lease lapsed and was claimed again: the keeper finds it lost
   * and the room closes here), then gives it up, so that the next join here claims it again.
   */
  async function moveAwayAndBack(): Promise<void> {
    const lease = u.ownership.leaseOf('m1')!;
    await u.cluster.release('m1', lease.epoch);
    const { lease: theirs } = await u.cluster.claim('m1');
    await u.keeper.tick();
    await u.registry.serial('m1', async () => undefined);
    await u.cluster.release('m1', theirs.epoch);
  }

  it('the first join claims the meeting; its room is mirrored on every change and dropped when it ends', async () => {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host' });
    const host = await u.join('s-host', 'host');
    expect(await u.cluster.whereIs('m1')).toMatchObject({ nodeId: 'node-1', state: 'held' });
    await settle();
    expect((await mirrored())?.seats.map((s) => s.peerId)).toEqual([host.self.peerId]);

    await u.host.lock(caller('s-host', 'host'), true);
    const waiting = await u.seating.join(caller('s-u', 'u'), { meetingId: 'm1' });
    expect(waiting.status).toBe('waiting');
    await settle();
    expect(await mirrored()).toMatchObject({ locked: true, lobby: [{ userId: 'u' }] });

    await u.host.end(caller('s-host', 'host'));
    expect(await u.cluster.whereIs('m1')).toBeNull();
    expect(await mirrored()).toBeUndefined();
  });

  it('a meeting whose mirror exists is restored: the same seats, host, lock and lobby', async () => {
    u = rtcUnits({ graceSeconds: 60 });
    u.meetings.add({ id: 'm1', hostId: 'host' });
    const host = await u.join('s-host', 'host');
    const member = await u.join('s-m', 'm');
    await u.host.lock(caller('s-host', 'host'), true);
    await u.seating.join(caller('s-w', 'w'), { meetingId: 'm1' });
    await u.host.transfer(caller('s-host', 'host'), member.self.peerId);
    await settle();
    const before = await mirrored();
    expect(before).toMatchObject({ hostUserId: 'm', locked: true });

    // This node loses the meeting (another claimed it after the lease lapsed): the room closes here, the
    // meeting does not end, the people's sockets are closed so that their clients join again.
    await moveAwayAndBack();
    expect(u.registry.room('m1')).toBeUndefined();
    expect(u.wire.disconnected).toEqual(expect.arrayContaining(['s-host', 's-m', 's-w']));
    expect(u.meetings.ended).toEqual([]);

    // It comes back here (the new owner gave it up again): the room is the mirrored one.
    const back = await u.join('s-host2', 'host', { resumePeerId: host.self.peerId });
    expect(back).toMatchObject({ resumed: true, self: { peerId: host.self.peerId, role: 'member' } });
    expect(back.room).toMatchObject({ hostUserId: 'm', locked: true });
    expect(back.peers.map((p) => p.peerId)).toEqual([member.self.peerId]);
    const room = u.registry.room('m1')!;
    expect(snapshotRoom(room)).toEqual(before);
    // The one still away keeps the seat, and the one still waiting their place, for the grace period.
    expect(u.seating.inGrace).toBe(2);
    expect(u.registry.room('m1')?.lobby.size).toBe(1);
  });

  it('restored seats and waiters that do not come back leave when their grace period ends', async () => {
    u = rtcUnits({ graceSeconds: 0.2, emptyEndSeconds: 600 });
    u.meetings.add({ id: 'm1', hostId: 'host' });
    const host = await u.join('s-host', 'host');
    await u.join('s-m', 'm');
    await u.host.lock(caller('s-host', 'host'), true);
    await u.seating.join(caller('s-w', 'w'), { meetingId: 'm1' });
    await settle();
    await moveAwayAndBack();
    await u.join('s-host2', 'host', { resumePeerId: host.self.peerId });
    const room = u.registry.room('m1')!;
    expect([room.seats.size, room.lobby.size]).toEqual([2, 1]);
    await new Promise((r) => setTimeout(r, 400));
    expect([...room.seats.values()].map((s) => s.userId)).toEqual(['host']);
    expect(room.lobby.size).toBe(0);
    await settle();
    expect(await mirrored()).toMatchObject({ seats: [{ userId: 'host' }], lobby: [] });
  });
});
