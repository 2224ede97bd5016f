import { caller, rtcUnits } from '../test-support/rtc-fakes';

describe('LectureRolesService', () => {
  let u: ReturnType<typeof rtcUnits>;
  afterEach(() => u.teardown());

  async function lecture() {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host', type: 'lecture', lecturerId: 'lec' });
    const ids: Record<string, string> = {};
    for (const user of ['host', 'lec', 'u', 'v']) {
      const r = await u.join(`s-${user}`, user);
      ids[user] = r.self.peerId;
      if (user === 'u') expect(r.sendTransport).toBeNull(); // a listener joins receive-only
    }
    return ids;
  }
  const room = () => u.registry.room('m1')!;
  const sendOf = (socketId: string) =>
    u.wire.sent
      .filter((s) => s.to === socketId && s.event === 'lecture.send')
      .map((s) => s.payload as { sendTransport: unknown; audioOnly: boolean });

  it('the lecturer gives a listener the floor: an audio-only send transport, the hand lowered, everyone told', async () => {
    const ids = await lecture();
    u.chat.hand(caller('s-u', 'u'), true);
    await u.lecture.giveFloor(caller('s-lec', 'lec'), ids.u);
    expect(sendOf('s-u')).toEqual([
      expect.objectContaining({ audioOnly: true, sendTransport: expect.anything() }),
    ]);
    expect(room().seats.get(ids.u)!.handRaised).toBe(false);
    expect(room().lecture!.floorPeerIds.has(ids.u)).toBe(true);
    expect(u.eventsTo('meeting:m1')).toContain('lecture.changed');
  });

  it('taking the floor back closes the send transport and tells the listener', async () => {
    const ids = await lecture();
    await u.lecture.giveFloor(caller('s-host', 'host'), ids.u);
    await u.lecture.takeFloor(caller('s-host', 'host'), ids.u);
    expect(sendOf('s-u').at(-1)).toEqual({ sendTransport: null, audioOnly: true });
    expect(room().seats.get(ids.u)!.sendTransportId).toBe('');
    expect(u.media.calls.some((c) => c.startsWith(`closeTransport:${ids.u}`))).toBe(true);
  });

  it('a listener cannot give the floor; a presenter cannot be given it', async () => {
    const ids = await lecture();
    await expect(u.lecture.giveFloor(caller('s-v', 'v'), ids.u)).rejects.toMatchObject({
      messageKey: 'lecture.lecturerOnly',
    });
    await expect(u.lecture.giveFloor(caller('s-lec', 'lec'), ids.host)).rejects.toMatchObject({
      messageKey: 'lecture.isPresenter',
    });
  });

  it('co-presenters: added by the host with a full send transport; the lecturer cannot be removed', async () => {
    const ids = await lecture();
    await expect(u.lecture.addPresenter(caller('s-lec', 'lec'), ids.u)).rejects.toMatchObject({
      messageKey: 'rtc.hostOnly',
    });
    await u.lecture.addPresenter(caller('s-host', 'host'), ids.u);
    expect(sendOf('s-u')).toEqual([expect.objectContaining({ audioOnly: false })]);
    await u.lecture.removePresenter(caller('s-host', 'host'), ids.u);
    expect(sendOf('s-u').at(-1)).toEqual({ sendTransport: null, audioOnly: true });
    await expect(u.lecture.removePresenter(caller('s-host', 'host'), ids.lec)).rejects.toMatchObject({
      messageKey: 'lecture.cannotRemoveLecturer',
    });
  });

  it('a new host presents; the old one, no longer a presenter, stops sending', async () => {
    const ids = await lecture();
    await u.host.transfer(caller('s-host', 'host'), ids.v);
    expect(sendOf('s-v')).toEqual([expect.objectContaining({ audioOnly: false })]);
    expect(sendOf('s-host')).toEqual([{ sendTransport: null, audioOnly: true }]);
  });

  it('a listener leaving with the floor frees it for everyone to see', async () => {
    const ids = await lecture();
    await u.lecture.giveFloor(caller('s-lec', 'lec'), ids.u);
    const before = u.eventsTo('meeting:m1').filter((e) => e === 'lecture.changed').length;
    await u.seating.leave(caller('s-u', 'u'));
    expect(room().lecture!.floorPeerIds.size).toBe(0);
    expect(u.eventsTo('meeting:m1').filter((e) => e === 'lecture.changed')).toHaveLength(before + 1);
  });
});
