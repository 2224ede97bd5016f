import { DEFAULT_ATTENDANCE_RULES } from './attendance-rules';
import {
  computeAttendance,
  restatus,
  type AttendanceInput,
  type PresenceInterval,
} from './compute-attendance';

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
      totalMs: 3_600_000,
      totalSeconds: 3600,
      status: 'present',
      makeUpAt: null,
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

  it('late and too short but there to the end is late (the short time shown), not left early', () => {
    // 11.5 minutes late into a 20-minute meeting, stayed to the end: 8.5 of 20 minutes, below 50%.
    const r = computeAttendance({
      start: at(0),
      end: at(20),
      expected: ['a'],
      segments: [seg('a', 11.5, null)],
      rules: DEFAULT_ATTENDANCE_RULES,
    })[0];
    expect({ status: r.status, totalSeconds: r.totalSeconds }).toEqual({ status: 'late', totalSeconds: 510 });
    expect(one('a', [seg('a', 10, 60)]).status).toBe('late');
  });

  it('left early only when the person left before the end', () => {
    expect(one('a', [seg('a', 10, 30)]).status).toBe('left_early'); // late, then gone at 30 of 60
    expect(one('a', [seg('a', 0, 20)]).status).toBe('left_early');
    // On time, away from 5 to 57: back for the end, but away for most of it.
    expect(one('a', [seg('a', 0, 5), seg('a', 57, 60)]).status).toBe('left_early');
    // In once, within the late threshold of a 6-minute meeting, there to the end: late, not left early.
    const short = computeAttendance({
      start: at(0),
      end: at(6),
      expected: ['a'],
      segments: [seg('a', 4, null)],
      rules: DEFAULT_ATTENDANCE_RULES,
    })[0];
    expect(short.status).toBe('late');
    // Left a moment (under a second) before the end as the closes were written: there to the end.
    const r = one('a', [{ userId: 'a', joinedAt: at(40), leftAt: new Date(at(60).getTime() - 500) }]);
    expect(r.status).toBe('late');
  });

  it('never joined: absent, or excused with an approved leave', () => {
    const records = run([seg('a', 0, 60)], { excused: ['c'] });
    expect(records.find((r) => r.userId === 'b')).toEqual({
      userId: 'b',
      firstJoin: null,
      lastLeave: null,
      joinCount: 0,
      totalMs: 0,
      totalSeconds: 0,
      status: 'absent',
      makeUpAt: null,
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

  it('time outside the meeting is not counted; nobody leaves after the end', () => {
    expect(one('a', [seg('a', -10, 10), seg('a', 50, 70)])).toMatchObject({
      totalSeconds: 20 * 60,
      firstJoin: at(-10),
      lastLeave: at(60),
    });
  });

  describe('make-up study (补学)', () => {
    const done = (userId: string, min: number) => ({ userId, at: at(min) });

    it('turns absent, excused and left early into make_up, and records when', () => {
      const records = run([seg('a', 0, 10)], {
        excused: ['b'],
        makeUp: [done('a', 90), done('b', 120), done('c', 70)],
      });
      expect(records.map((r) => [r.userId, r.status, r.makeUpAt])).toEqual([
        ['a', 'make_up', at(90)],
        ['b', 'make_up', at(120)],
        ['c', 'make_up', at(70)],
      ]);
      // The presence facts stay as they were.
      expect(records[0]).toMatchObject({
        joinCount: 1,
        totalSeconds: 600,
        firstJoin: at(0),
        lastLeave: at(10),
      });
    });

    it('does not change a member who attended (present or late); the time is kept', () => {
      const records = run([seg('a', 0, 60), seg('b', 10, 60)], { makeUp: [done('a', 80), done('b', 80)] });
      expect(records.map((r) => [r.userId, r.status, r.makeUpAt])).toEqual([
        ['a', 'present', at(80)],
        ['b', 'late', at(80)],
        ['c', 'absent', null],
      ]);
    });

    it('the earliest completion counts; members not expected are ignored', () => {
      const records = run([], { makeUp: [done('c', 100), done('c', 75), done('x', 70)] });
      expect(records.find((r) => r.userId === 'c')).toMatchObject({ status: 'make_up', makeUpAt: at(75) });
      expect(records.map((r) => r.userId)).not.toContain('x');
    });
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

  it('restatus derives from stored facts exactly what computeAttendance derives from the presence', () => {
    const segments = [seg('a', 0, 30), seg('b', 6, 60), seg('c', 0, 10)];
    const first = run(segments, { rules: { lateAfterMinutes: 5, presentMinPercent: 50 } });
    const ctx = {
      start: at(0),
      end: at(60),
      rules: { lateAfterMinutes: 10, presentMinPercent: 60 },
      excused: ['c'],
      makeUp: [{ userId: 'a', at: at(100) }],
    };
    expect(restatus(first, ctx)).toEqual(run(segments, ctx));
    expect(restatus(first, ctx).map((r) => r.status)).toEqual(['make_up', 'present', 'excused']);
  });
});
