import { caller, rtcUnits } from '../test-support/rtc-fakes';

describe('RoomSeating', () => {
  let u: ReturnType<typeof rtcUnits>;
  afterEach(() => u.teardown());

  it('seats a newcomer: transports, the others told peer.joined, the recording state asked on the bus', async () => {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host' });
    u.bus.answer('recordingState', (meetingId) => ({
      meetingId,
      recording: true,
      startedAt: null,
      available: true,
      unavailableReason: null,
    }));
    const host = await u.join('s-host', 'host');
    expect(host.self.role).toBe('host');
    expect(host.sendTransport?.id).toMatch(/^send-/);
    expect(host.recording?.recording).toBe(true);
    const member = await u.join('s-u', 'u');
    expect(member.peers.map((p) => p.peerId)).toEqual([host.self.peerId]);
    expect(u.wire.sent).toContainEqual(
      expect.objectContaining({ to: 'meeting:m1', except: 's-u', event: 'peer.joined' }),
    );
    expect(u.registry.participants('m1')).toHaveLength(2);
    expect(await u.calls.call('m1', 'room.count', {})).toBe(2);
  });

  it('a second socket of the same person takes the seat over; the old socket is told and closed', async () => {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host' });
    const first = await u.join('s1', 'u');
    const second = await u.join('s2', 'u');
    expect(second.self.peerId).toBe(first.self.peerId);
    expect(second.resumed).toBe(true);
    expect(u.eventsTo('s1')).toEqual(['self.removed']);
    expect(u.wire.disconnected).toEqual(['s1']);
    expect(u.eventsTo('meeting:m1')).not.toContain('peer.left');
  });

  it('a dropped seat is kept for the grace period and taken back with resumePeerId', async () => {
    u = rtcUnits({ graceSeconds: 60 });
    u.meetings.add({ id: 'm1', hostId: 'host' });
    await u.join('s-host', 'host');
    const member = await u.join('s1', 'u');
    u.seating.disconnected('s1');
    expect(u.seating.inGrace).toBe(1);
    expect(u.registry.participants('m1')).toHaveLength(2);
    const back = await u.join('s2', 'u', { resumePeerId: member.self.peerId });
    expect(back.self.peerId).toBe(member.self.peerId);
    expect(u.seating.inGrace).toBe(0);
  });

  it('without grace a dropped seat leaves at once; the empty room ends the meeting and closes (room.closed)', async () => {
    u = rtcUnits({ graceSeconds: 0, emptyEndSeconds: 0 });
    u.meetings.add({ id: 'm1', hostId: 'host' });
    const closed: string[] = [];
    u.bus.on('room.closed', (e) => closed.push(e.meetingId));
    const host = await u.join('s-host', 'host');
    u.seating.disconnected('s-host', new Date(1234));
    await u.registry.serial('m1', () => Promise.resolve());
    await new Promise((r) => setImmediate(r));
    expect(u.media.calls).toContain(`leave:${host.self.peerId}:disconnected`);
    expect(u.meetings.ended).toEqual([{ meetingId: 'm1', by: null, reason: 'empty', at: new Date(1234) }]);
    expect(closed).toEqual(['m1']);
    expect(u.registry.room('m1')).toBeUndefined();
  });

  it('an empty room waits for MEETING_EMPTY_END_SECONDS; someone coming back keeps the meeting going', async () => {
    jest.useFakeTimers();
    try {
      u = rtcUnits({ emptyEndSeconds: 30 });
      u.meetings.add({ id: 'm1', hostId: 'host' });
      await u.join('s1', 'host');
      await u.seating.leave(caller('s1', 'host'));
      await u.join('s2', 'host');
      jest.advanceTimersByTime(31_000);
      await Promise.resolve();
      expect(u.meetings.ended).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('a failed join gives the fresh seat back', async () => {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host' });
    const join = u.media.join.bind(u.media);
    u.media.join = () => Promise.reject(new Error('sfu down'));
    await expect(u.seating.join(caller('s1', 'host'), { meetingId: 'm1' })).rejects.toThrow('sfu down');
    expect(u.registry.participants('m1')).toEqual([]);
    expect(u.registry.place('s1')).toBeUndefined();
    u.media.join = join;
  });

  it('a person removed by the host cannot come back; a seated socket cannot join twice', async () => {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host' });
    await u.join('s1', 'host');
    await expect(u.seating.join(caller('s1', 'host'), { meetingId: 'm1' })).rejects.toMatchObject({
      messageKey: 'rtc.alreadyInRoom',
    });
    u.registry.room('m1')!.removed.add('u');
    await expect(u.seating.join(caller('s2', 'u'), { meetingId: 'm1' })).rejects.toMatchObject({
      messageKey: 'rtc.removedFromMeeting',
    });
  });
});
