import { unattendedEndsAt, type UnattendedMeeting } from './unattended-end';

const MIN = 60_000;
const start = new Date('2026-12-06T06:00:00Z');
const waits = { emptyMs: 4 * MIN, unenteredMs: 120 * MIN };
const at = (minutes: number) => new Date(start.getTime() + minutes * MIN);

function meeting(over: Partial<UnattendedMeeting>): UnattendedMeeting {
  return { id: 'm1', lastActivity: start, everSeated: false, startedAt: start, scheduledEnd: null, ...over };
}

describe('when the reaper ends a live meeting nobody is seated in', () => {
  it('one people were in and left ends the empty wait after they left, as before', () => {
    expect(unattendedEndsAt(meeting({ everSeated: true, lastActivity: at(50) }), waits)).toEqual(at(54));
  });

  it('one nobody ever entered (a secretary waiting on the pre-join page) waits much longer after it went live', () => {
    expect(unattendedEndsAt(meeting({}), waits)).toEqual(at(120));
    // Not at the empty wait the old rule used (its start plus a few minutes).
    expect(unattendedEndsAt(meeting({}), waits).getTime()).toBeGreaterThan(at(4).getTime());
  });

  it('one nobody entered yet stays live at least until its planned end', () => {
    expect(unattendedEndsAt(meeting({ scheduledEnd: at(180) }), waits)).toEqual(at(180));
    // A planned end sooner than the wait does not cut it short.
    expect(unattendedEndsAt(meeting({ scheduledEnd: at(60) }), waits)).toEqual(at(120));
  });

  it('a planned end does not keep alive one whose people have left', () => {
    const left = meeting({ everSeated: true, lastActivity: at(30), scheduledEnd: at(180) });
    expect(unattendedEndsAt(left, waits)).toEqual(at(34));
  });
});
