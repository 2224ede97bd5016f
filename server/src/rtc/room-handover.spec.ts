import type { RoomJoined } from '@branchmeet/shared';
import type { NodeInfo, NodeRegistry } from '../cluster/cluster.types';
import type { AppConfig } from '../config/config';
import { caller, rtcUnits } from '../test-support/rtc-fakes';
import { RoomHandover } from './room-handover';
import type { RoomSnapshot } from './room-snapshot';

type Joined = Extract<RoomJoined, { status: 'joined' }>;

const node = (id: string, peers: number, draining = false): NodeInfo => ({
  id,
  url: `http://${id}.test:3000`,
  media: { address: '127.0.0.1', portBase: 40000 },
  load: { rooms: peers > 0 ? 1 : 0, peers, workers: 1 },
  draining,
  startedAt: 0,
});

/** The room units of node-1 (on the single-node cluster's leases and mirror) and the nodes it sees. */
describe('RoomHandover (a node stopping hands its rooms over)', () => {
  let u: ReturnType<typeof rtcUnits>;
  let stored: number;
  afterEach(() => u.teardown());

  function handover(nodes: NodeInfo[], clustered = true) {
    const registry = { nodeId: 'node-1', list: () => Promise.resolve(nodes) } as NodeRegistry;
    stored = 0;
    u.bus.answer('segmentsStored', () => {
      stored++;
      return Promise.resolve();
    });
    const config = { REDIS_URL: clustered ? 'redis://127.0.0.1:6379' : undefined } as AppConfig;
    return new RoomHandover(u.registry, u.ownership, u.seating, u.hub, u.bus, registry, config);
  }

  async function joined(meetingId: string, socketId: string, userId: string): Promise<Joined> {
    const r = await u.seating.join(caller(socketId, userId), { meetingId });
    if (r.status !== 'joined') throw new Error(`expected joined, got ${r.status}`);
    return r;
  }

  it('each room closes here without ending its meeting, its state and lease go to the least-loaded other node, and its people are told where', async () => {
    u = rtcUnits({ graceSeconds: 60 });
    u.meetings.add({ id: 'm1', hostId: 'host' });
    u.meetings.add({ id: 'm2', hostId: 'host' });
    const host = await joined('m1', 's-host', 'host');
    const member = await joined('m1', 's-m', 'm');
    await u.host.lock(caller('s-host', 'host'), true);
    await joined('m2', 's-other', 'host');
    const before = u.ownership.leaseOf('m1')!;
    // node-2 is busier than node-3 at first; node-4 is stopping too.
    const h = handover([node('node-1', 3), node('node-2', 1), node('node-3', 0), node('node-4', 0, true)]);

    const outcomes = await h.drain();
    expect(Object.fromEntries(outcomes)).toEqual({ m1: 'moved', m2: 'moved' });
    // The first room goes to node-3 (least loaded); counting it there, the second to node-2.
    const m1 = await u.cluster.whereIs('m1');
    expect(m1).toMatchObject({ nodeId: 'node-3', state: 'assigned' });
    expect(m1!.epoch).toBeGreaterThan(before.epoch);
    expect(await u.cluster.whereIs('m2')).toMatchObject({ nodeId: 'node-2', state: 'assigned' });
    // The new owner restores the room as it was: seats (same peer ids) and the lock.
    const saved = (await u.cluster.load<RoomSnapshot>('m1'))?.state;
    expect(saved?.seats.map((s) => s.peerId).sort()).toEqual([host.self.peerId, member.self.peerId].sort());
    expect(saved?.locked).toBe(true);
    // Nothing ended; the rooms are gone from this node, their media closed as moved, presence stored first.
    expect(u.meetings.ended).toEqual([]);
    expect(u.registry.room('m1')).toBeUndefined();
    expect(u.media.calls).toEqual(expect.arrayContaining(['closeRoom:m1:moved', 'closeRoom:m2:moved']));
    expect(stored).toBe(2);
    for (const socketId of ['s-host', 's-m'])
      expect(u.wire.sent).toContainEqual({
        to: socketId,
        event: 'room.moved',
        payload: { meetingId: 'm1', nodeId: 'node-3', url: 'http://node-3.test:3000' },
        except: undefined,
      });
    // Their sockets stay up (the app's own socket may be one of them): the clients move by themselves.
    expect(u.wire.disconnected).toEqual([]);
    // The old epoch is dead: this node can no longer write the room.
    await expect(u.cluster.save('m1', before.epoch, {})).rejects.toMatchObject({
      code: 'cluster.staleEpoch',
    });
  });

  it('with no other node the lease is released (the next join anywhere restores the room); a stopping node takes no meeting up', async () => {
    u = rtcUnits({ graceSeconds: 60 });
    u.meetings.add({ id: 'm1', hostId: 'host' });
    u.meetings.add({ id: 'm2', hostId: 'host' });
    await joined('m1', 's-host', 'host');
    const h = handover([node('node-1', 1)]);
    expect(Object.fromEntries(await h.drain())).toEqual({ m1: 'released' });
    expect(await u.cluster.whereIs('m1')).toBeNull();
    expect((await u.cluster.load<RoomSnapshot>('m1'))?.state.seats).toHaveLength(1);
    expect(u.eventsTo('s-host')).not.toContain('room.moved');
    // Draining, this node serves no meeting it does not hold: a join is refused for now, nothing is claimed.
    await expect(u.seating.join(caller('s-late', 'host'), { meetingId: 'm2' })).rejects.toMatchObject({
      code: 'unavailable',
    });
    expect(await u.cluster.whereIs('m2')).toBeNull();
    expect(u.meetings.ended).toEqual([]);
  });

  it('without REDIS_URL (one process) nothing is handed over: the node stops as it always did', async () => {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host' });
    await joined('m1', 's-host', 'host');
    const h = handover([node('node-1', 1), node('node-2', 0)], false);
    expect((await h.drain()).size).toBe(0);
    expect(u.registry.room('m1')).toBeDefined();
    expect(await u.cluster.whereIs('m1')).toMatchObject({ nodeId: 'node-1', state: 'held' });
  });
});
