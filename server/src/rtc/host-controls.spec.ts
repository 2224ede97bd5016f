import { caller, rtcUnits } from '../test-support/rtc-fakes';

describe('HostControls', () => {
  let u: ReturnType<typeof rtcUnits>;
  afterEach(() => u.teardown());

  async function room() {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host' });
    const host = await u.join('s-host', 'host');
    const member = await u.join('s-u', 'u');
    return { host: host.self.peerId, member: member.self.peerId };
  }
  const byHostOf = (event: string) =>
    u.wire.sent.filter((s) => s.event === event).map((s) => (s.payload as { byHost: boolean }).byHost);

  it('only the host controls; a host removing themself is told so, not "only the host"', async () => {
    const peers = await room();
    await expect(u.host.mute(caller('s-u', 'u'), undefined)).rejects.toMatchObject({
      messageKey: 'rtc.hostOnly',
    });
    await expect(u.host.remove(caller('s-host', 'host'), peers.host)).rejects.toMatchObject({
      code: 'forbidden',
      messageKey: 'rtc.cannotRemoveSelf',
    });
  });

  it('mutes everyone but the host: their microphones paused, marked byHost, audited', async () => {
    const peers = await room();
    u.media.addProducer('m1', peers.member, 'mic');
    u.media.addProducer('m1', peers.host, 'mic');
    await u.host.mute(caller('s-host', 'host'), undefined);
    expect(byHostOf('producer.paused')).toEqual([true]);
    expect(u.meetings.audited).toEqual([{ action: 'host.mute', details: { all: true, count: 1 } }]);
  });

  it('stopping a camera that fails to close leaves no byHost mark behind', async () => {
    const peers = await room();
    const camera = u.media.addProducer('m1', peers.member, 'camera');
    u.media.failNext[`close:${camera}`] = new Error('sfu hiccup');
    await expect(u.host.stopVideo(caller('s-host', 'host'), peers.member)).rejects.toThrow('sfu hiccup');
    await u.relay.ownProducer(caller('s-u', 'u'), camera, 'close'); // the member closes it themself
    expect(byHostOf('producer.closed')).toEqual([false]);
    const again = u.media.addProducer('m1', peers.member, 'camera');
    await u.host.stopVideo(caller('s-host', 'host'), peers.member);
    expect(u.media.producers.has(again)).toBe(false);
    expect(byHostOf('producer.closed')).toEqual([false, true]);
  });

  it('removes a participant: told, disconnected, seat gone, cannot come back', async () => {
    const peers = await room();
    await u.host.remove(caller('s-host', 'host'), peers.member);
    expect(u.eventsTo('s-u')).toContain('self.removed');
    expect(u.wire.disconnected).toEqual(['s-u']);
    expect(u.registry.participants('m1').map((p) => p.peerId)).toEqual([peers.host]);
    await expect(u.seating.join(caller('s-u2', 'u'), { meetingId: 'm1' })).rejects.toMatchObject({
      messageKey: 'rtc.removedFromMeeting',
    });
  });

  it('hands the room over: everyone hears room.changed, the new host then controls', async () => {
    const peers = await room();
    await u.host.transfer(caller('s-host', 'host'), peers.member);
    expect(u.eventsTo('meeting:m1')).toContain('room.changed');
    expect(u.host.lowerHand(caller('s-u', 'u'), peers.host)).toBeNull();
    await u.host.lock(caller('s-u', 'u'), true);
    expect(u.registry.room('m1')!.locked).toBe(true);
  });

  it('ends the meeting: the others now, the host just after its acknowledgement; the room closes', async () => {
    await room();
    await u.host.end(caller('s-host', 'host'));
    expect(u.meetings.ended).toMatchObject([{ meetingId: 'm1', by: 'host', reason: 'host' }]);
    expect(u.wire.sent).toContainEqual(
      expect.objectContaining({ to: 'meeting:m1', except: 's-host', event: 'room.ended' }),
    );
    expect(u.eventsTo('s-host')).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(u.eventsTo('s-host')).toEqual(['room.ended']);
    expect(u.media.calls).toContain('closeRoom:m1:ended');
    expect(u.registry.room('m1')).toBeUndefined();
  });
});
