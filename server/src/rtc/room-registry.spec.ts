import { LocalCluster } from '../cluster/local-cluster';
import type { AppConfig } from '../config/config';
import { caller, localRoomCalls } from '../test-support/rtc-fakes';
import { RoomRegistry } from './room-registry';
import { newRoom, newSeat } from './room-state';

const meeting = {
  id: 'm1',
  title: 'T',
  hostId: 'host',
  type: 'lecture',
  lecturerId: 'lec',
  settings: { waitingRoom: false, locked: false },
};

function seated() {
  const cluster = new LocalCluster({
    id: 'n1',
    url: 'http://n1',
    media: { address: '127.0.0.1', portBase: 1 },
  });
  const calls = localRoomCalls(cluster, {} as AppConfig);
  const registry = new RoomRegistry(calls);
  registry.onModuleInit();
  const room = newRoom(meeting);
  registry.install(room);
  for (const [peerId, userId, socketId] of [
    ['p-host', 'host', 's-host'],
    ['p-u', 'u', 's-u'],
  ]) {
    room.seats.set(peerId, { ...newSeat(peerId, userId, userId, false), socketId });
    registry.setPlace(socketId, { meetingId: 'm1', peerId, waiting: false });
  }
  registry.setPlace('s-wait', { meetingId: 'm1', peerId: 'p-w', waiting: true });
  return { calls, registry, room };
}

describe('RoomRegistry', () => {
  it('holds one room per meeting and forgets only that room', () => {
    const { registry, room } = seated();
    expect(registry.room('m1')).toBe(room);
    registry.forget(room);
    expect(registry.room('m1')).toBeUndefined();
    const again = newRoom(meeting);
    registry.install(again);
    registry.forget(room); // the old one: the new room stays
    expect(registry.room('m1')).toBe(again);
    expect(registry.isLive(room)).toBe(false);
  });

  it('tells its listener of a change of a live room only', () => {
    const { registry, room } = seated();
    const changed: string[] = [];
    registry.onChanged((r) => changed.push(r.meetingId));
    registry.changed(room);
    registry.forget(room);
    registry.changed(room);
    expect(changed).toEqual(['m1']);
  });

  it('resolves a caller to their seat; a waiter, a stranger and a non-host are refused', () => {
    const { registry, room } = seated();
    expect(registry.seated(caller('s-u', 'u')).seat.peerId).toBe('p-u');
    expect(registry.hosting(caller('s-host', 'host')).room).toBe(room);
    const key = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { messageKey: string }).messageKey;
      }
    };
    expect(key(() => registry.seated(caller('s-wait', 'w')))).toBe('rtc.waitingForHost');
    expect(key(() => registry.seated(caller('s-none', 'x')))).toBe('rtc.notInRoom');
    expect(key(() => registry.hosting(caller('s-u', 'u')))).toBe('rtc.hostOnly');
  });

  it('answers who is in the room and how many (room calls), until it stops', async () => {
    const { calls, registry } = seated();
    expect(await calls.call('m1', 'room.users', {})).toEqual(['host', 'u']);
    expect(await calls.call('m1', 'room.count', {})).toBe(2);
    expect(await calls.call('other', 'room.users', {})).toEqual([]);
    expect(await calls.call('other', 'room.count', {})).toBe(0);
    registry.onModuleDestroy();
    await expect(calls.call('m1', 'room.users', {})).rejects.toThrow(/no handler/);
  });

  it('describes a caller to the lecture Q&A: whether they lead the lecture', () => {
    const { registry } = seated();
    expect(registry.qaSeat(caller('s-host', 'host'))).toMatchObject({ lecture: true, leadsLecture: true });
    expect(registry.qaSeat(caller('s-u', 'u'))).toMatchObject({
      meetingId: 'm1',
      lecture: true,
      leadsLecture: false,
    });
  });
});
