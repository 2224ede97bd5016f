import { DEFAULT_ATTENDANCE_RULES } from './attendance-rules';
import { computeAttendance, type AttendanceInput, type PresenceInterval } from './compute-attendance';

const T0 = Date.parse('2026-03-01T09:00:00Z');
/** A time `min` minutes after the meeting's start. */
const at = (min: number) => new Date(T0 + min * 60_000);
const seg = (userId: string, from: number, to: number | null): PresenceInterval => ({
  userId,
  joinedAt: at(from),
  leftAt: to === null ? null : at(to),
});

/** A 60-minute meeting with the default rules (late after 5 minutes, present from 50%). */
function run(segments: PresenceInterval[], extra: Partial<AttendanceInput> = {}) {
  const expected = [...new Set(['a', 'b', 'c', ...segments.map((s) => s.userId)])];
  return computeAttendance({
    start: at(0),
    end: at(60),
    expected,
    segments,
    rules: DEFAULT_ATTENDANCE_RULES,
    ...extra,
  });
}
const one = (userId: string, segments: PresenceInterval[], extra?: Partial<AttendanceInput>) => {
  const r = run(segments, extra).find((x) => x.userId === userId);
  if (!r) throw new Error(`no record for ${userId}`);
  return r;
};

describe('computeAttendance', () => {
  it('a member there from start to end is present, one join, the whole hour', () => {
    expect(one('a', [seg('a', 0, 60)])).toEqual({
      userId: 'a',
      firstJoin: at(0),
      lastLeave: at(60),
      joinCount: 1,
      totalSeconds: 3600,
      status: 'present',
    });
  });

  it('two devices overlapping are merged: time is never counted twice, one join', () => {
    const r = one('a', [seg('a', 0, 40), seg('a', 10, 50)]);
    expect(r).toMatchObject({ joinCount: 1, totalSeconds: 50 * 60, firstJoin: at(0), lastLeave: at(50) });
  });

  it('a device inside another one adds nothing', () => {
    expect(one('a', [seg('a', 0, 60), seg('a', 20, 30)])).toMatchObject({ joinCount: 1, totalSeconds: 3600 });
  });

  it('a reconnect gap splits the stay into two joins and the gap is not counted', () => {
    const r = one('a', [seg('a', 30, 45), seg('a', 0, 20)]);
    expect(r).toMatchObject({ joinCount: 2, totalSeconds: 35 * 60, firstJoin: at(0), lastLeave: at(45) });
    expect(r.status).toBe('present');
  });

  it('segments touching end to start are one stay', () => {
    expect(one('a', [seg('a', 0, 20), seg('a', 20, 40)])).toMatchObject({ joinCount: 1, totalSeconds: 2400 });
  });

  it('late: first join more than N minutes after the start; exactly N minutes is on time', () => {
    expect(one('a', [seg('a', 5, 60)]).status).toBe('present');
    expect(one('a', [{ userId: 'a', joinedAt: new Date(at(5).getTime() + 1), leftAt: at(60) }]).status).toBe(
      'late',
    );
  });

  it('present from exactly P% of the duration; a millisecond less is left_early', () => {
    expect(one('a', [seg('a', 0, 30)]).status).toBe('present');
    expect(one('a', [{ userId: 'a', joinedAt: at(0), leftAt: new Date(at(30).getTime() - 1) }]).status).toBe(
      'left_early',
    );
  });

  it('late and too short is left_early; late and long enough is late', () => {
    expect(one('a', [seg('a', 10, 30)]).status).toBe('left_early');
    expect(one('a', [seg('a', 10, 60)]).status).toBe('late');
  });

  it('never joined: absent, or excused with an approved leave', () => {
    const records = run([seg('a', 0, 60)], { excused: ['c'] });
    expect(records.find((r) => r.userId === 'b')).toEqual({
      userId: 'b',
      firstJoin: null,
      lastLeave: null,
      joinCount: 0,
      totalSeconds: 0,
      status: 'absent',
    });
    expect(records.find((r) => r.userId === 'c')?.status).toBe('excused');
  });

  it('an approved leave excuses a short stay, but not a full one', () => {
    expect(one('a', [seg('a', 0, 10)], { excused: ['a'] }).status).toBe('excused');
    expect(one('a', [seg('a', 0, 60)], { excused: ['a'] }).status).toBe('present');
  });

  it('an open segment counts up to the end of the meeting', () => {
    expect(one('a', [seg('a', 20, null)])).toMatchObject({ lastLeave: at(60), totalSeconds: 2400 });
  });

  it('time outside the meeting is not counted', () => {
    expect(one('a', [seg('a', -10, 10), seg('a', 50, 70)])).toMatchObject({ totalSeconds: 20 * 60 });
  });

  it('a zero-length meeting: whoever joined is present, the others absent', () => {
    const records = computeAttendance({
      start: at(0),
      end: at(0),
      expected: ['a', 'b'],
      segments: [seg('a', 0, 0)],
      rules: DEFAULT_ATTENDANCE_RULES,
    });
    expect(records.map((r) => [r.userId, r.status, r.joinCount, r.totalSeconds])).toEqual([
      ['a', 'present', 1, 0],
      ['b', 'absent', 0, 0],
    ]);
  });

  it('segments of people not expected are ignored; every expected member gets exactly one record', () => {
    const records = computeAttendance({
      start: at(0),
      end: at(60),
      expected: ['a', 'b', 'a'],
      segments: [seg('x', 0, 60), seg('a', 0, 60)],
      rules: DEFAULT_ATTENDANCE_RULES,
    });
    expect(records.map((r) => r.userId)).toEqual(['a', 'b']);
  });

  it('scaled rules (fractions of a minute) work the same', () => {
    const r = computeAttendance({
      start: at(0),
      end: new Date(T0 + 10_000),
      expected: ['a'],
      segments: [{ userId: 'a', joinedAt: new Date(T0 + 4_000), leftAt: new Date(T0 + 10_000) }],
      rules: { lateAfterMinutes: 3 / 60, presentMinPercent: 50 },
    });
    expect(r[0]).toMatchObject({ status: 'late', totalSeconds: 6 });
  });
});
