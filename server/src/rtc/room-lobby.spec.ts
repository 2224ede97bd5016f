import { caller, rtcUnits } from '../test-support/rtc-fakes';

describe('RoomLobby', () => {
  let u: ReturnType<typeof rtcUnits>;
  afterEach(() => u.teardown());

  async function waitingRoom() {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host', settings: { waitingRoom: true, locked: false } });
    await u.seating.join(caller('s-host', 'host'), { meetingId: 'm1' });
    const r = await u.seating.join(caller('s-w', 'w'), { meetingId: 'm1' });
    expect(r.status).toBe('waiting');
    const [waiter] = [...u.registry.room('m1')!.lobby.values()];
    return waiter;
  }

  it('the host sees who waits; a waiter may do nothing in the room', async () => {
    await waitingRoom();
    expect(u.eventsTo('s-host')).toEqual(['lobby.waiting']);
    expect(() => u.chat.hand(caller('s-w', 'w'), true)).toThrow(
      expect.objectContaining({ messageKey: 'rtc.waitingForHost' }),
    );
  });

  it('admitted, the waiter is told and enters directly from then on', async () => {
    const waiter = await waitingRoom();
    expect(u.lobby.decide(caller('s-host', 'host'), waiter.peerId, true)).toBeNull();
    expect(u.eventsTo('s-w')).toEqual(['lobby.admitted']);
    expect(u.registry.room('m1')!.admitted.has('w')).toBe(true);
    const again = await u.seating.join(caller('s-w2', 'w'), { meetingId: 'm1' });
    expect(again.status).toBe('joined');
  });

  it('denied, the waiter is told and forgotten; only the host decides', async () => {
    const waiter = await waitingRoom();
    await u.seating.join(caller('s-u', 'u'), { meetingId: 'm1' }).catch(() => undefined);
    expect(() => u.lobby.decide(caller('s-host', 'host'), 'nobody', false)).toThrow(
      expect.objectContaining({ messageKey: 'rtc.peerNotFound' }),
    );
    u.lobby.decide(caller('s-host', 'host'), waiter.peerId, false);
    expect(u.eventsTo('s-w')).toEqual(['lobby.denied']);
    expect(u.registry.place('s-w')).toBeUndefined();
    expect(u.registry.room('m1')!.lobby.size).toBe(1); // the second newcomer still waits
  });

  it('a waiter who drops or leaves is gone from the list the host sees', async () => {
    await waitingRoom();
    u.seating.disconnected('s-w');
    expect(u.registry.room('m1')!.lobby.size).toBe(0);
    expect(u.eventsTo('s-host')).toEqual(['lobby.waiting', 'lobby.waiting']);
  });

  it('the meeting ending tells the waiters too', async () => {
    await waitingRoom();
    await u.host.end(caller('s-host', 'host'));
    expect(u.eventsTo('s-w')).toEqual(['room.ended']);
  });
});
