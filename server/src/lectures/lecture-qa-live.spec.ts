import { caller, rtcUnits } from '../test-support/rtc-fakes';
import type { QaSeat } from './lecture-qa-live';

const seat = (over: Partial<QaSeat> = {}): QaSeat => ({
  meetingId: 'm1',
  socketId: 's1',
  userId: 'u',
  name: 'U',
  lecture: true,
  leadsLecture: false,
  ...over,
});

describe('LectureQaLive', () => {
  it('a question goes to everyone in the room but the asker', async () => {
    const u = rtcUnits();
    const q = await u.qa.ask(seat(), 'why?');
    expect(q).toMatchObject({ text: 'why?' });
    expect(u.wire.sent).toEqual([{ to: 'meeting:m1', except: 's1', event: 'qa.changed', payload: q }]);
    await u.qa.upvote(seat(), 'q1');
    expect(u.wire.sent).toHaveLength(2);
    u.teardown();
  });

  it('only in a lecture; only its lecturer or host marks answered', async () => {
    const u = rtcUnits();
    await expect(u.qa.ask(seat({ lecture: false }), 'x')).rejects.toMatchObject({
      messageKey: 'lecture.notLecture',
    });
    expect(() => u.qa.questions(seat({ lecture: false }))).toThrow(
      expect.objectContaining({ messageKey: 'lecture.notLecture' }),
    );
    await expect(u.qa.answer(seat(), 'q1')).rejects.toMatchObject({ messageKey: 'lecture.lecturerOnly' });
    await expect(u.qa.answer(seat({ leadsLecture: true }), 'q1')).resolves.toMatchObject({ answered: true });
    u.teardown();
  });

  it('the room tells who asks: seated, in which meeting, leading or not', async () => {
    const u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host', type: 'lecture', lecturerId: 'lec' });
    await u.seating.join(caller('s-lec', 'lec'), { meetingId: 'm1' });
    await u.qa.answer(u.registry.qaSeat(caller('s-lec', 'lec')), 'q1');
    expect(u.eventsTo('meeting:m1')).toContain('qa.changed');
    u.teardown();
  });
});
