import { caller, rtcUnits } from '../test-support/rtc-fakes';

describe('RoomChat', () => {
  let u: ReturnType<typeof rtcUnits>;
  afterEach(() => u.teardown());

  it('a message goes to everyone but its sender, who has it in the answer', async () => {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host' });
    await u.seating.join(caller('s1', 'host'), { meetingId: 'm1' });
    const message = await u.chat.chat(caller('s1', 'host'), 'hello');
    expect(message.text).toBe('hello');
    expect(u.wire.sent).toContainEqual({
      to: 'meeting:m1',
      except: 's1',
      event: 'chat.received',
      payload: message,
    });
  });

  it('a hand is raised and lowered once; a repeat is not broadcast again', async () => {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host' });
    await u.seating.join(caller('s1', 'host'), { meetingId: 'm1' });
    u.chat.hand(caller('s1', 'host'), true);
    u.chat.hand(caller('s1', 'host'), true);
    u.chat.hand(caller('s1', 'host'), false);
    expect(u.eventsTo('meeting:m1').filter((e) => e === 'hand.changed')).toHaveLength(2);
    expect(() => u.chat.hand(caller('s-x', 'x'), true)).toThrow(
      expect.objectContaining({ messageKey: 'rtc.notInRoom' }),
    );
  });
});
