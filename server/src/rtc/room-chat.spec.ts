import { caller, rtcUnits } from '../test-support/rtc-fakes';

/** A chat message sent to everyone in meeting m1 but its sender's socket. */
const toRoomBut = (socketId: string, payload: unknown) => ({
  to: 'meeting:m1',
  except: socketId,
  event: 'chat.received',
  payload,
});

describe('RoomChat', () => {
  let u: ReturnType<typeof rtcUnits>;
  afterEach(() => u.teardown());

  it('a message goes to everyone but its sender, who has it in the answer', async () => {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host' });
    await u.seating.join(caller('s1', 'host'), { meetingId: 'm1' });
    const message = await u.chat.chat(caller('s1', 'host'), 'hello');
    expect(message.text).toBe('hello');
    expect(u.wire.sent).toContainEqual(toRoomBut('s1', message));
  });

  it('in a lecture a listener’s message reaches the presenters only; theirs reach everyone; history follows suit', async () => {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host', type: 'lecture', lecturerId: 'lec' });
    await u.seating.join(caller('s-host', 'host'), { meetingId: 'm1' });
    await u.seating.join(caller('s-lec', 'lec'), { meetingId: 'm1' });
    await u.seating.join(caller('s-a', 'listener-a'), { meetingId: 'm1' });
    u.wire.sent.length = 0;

    const question = await u.chat.chat(caller('s-a', 'listener-a'), '老师，第三条怎么理解？');
    expect(question.audience).toBe('presenters');
    const toQuestion = u.wire.sent.filter((s) => s.event === 'chat.received').map((s) => s.to);
    expect(toQuestion.sort()).toEqual(['s-host', 's-lec']);

    u.wire.sent.length = 0;
    const answer = await u.chat.chat(caller('s-lec', 'lec'), '下课后统一回答');
    expect(answer.audience).toBe('all');
    expect(u.wire.sent).toContainEqual(toRoomBut('s-lec', answer));

    // Who joins later is shown what they may see: a listener the presenters' messages and its own.
    const b = await u.join('s-b', 'listener-b');
    expect(b.chat.map((m) => m.text)).toEqual(['下课后统一回答']);
    const again = await u.join('s-a2', 'listener-a');
    expect(again.chat.map((m) => m.text)).toEqual(['老师，第三条怎么理解？', '下课后统一回答']);
    const host = await u.join('s-host2', 'host');
    expect(host.chat.map((m) => m.audience)).toEqual(['presenters', 'all']);
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
