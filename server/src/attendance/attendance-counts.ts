import type { AttendanceStatus } from '@branchmeet/shared';

/**
 * 应到 / 实到 / 请假 / 缺席 / 补学 of a meeting (or of many: person-times). 实到 is everyone who was there
 * (present, late or left early); a member who missed it and made it up (补学) is counted apart, neither 实到
 * nor 缺席.
 */
export interface AttendanceCounts {
  expected: number;
  present: number;
  excused: number;
  absent: number;
  makeUp: number;
  /** 实到 / 应到 in percent, one decimal (0 when nobody was expected). */
  rate: number;
}

export const percent = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 10 : 0);

export function attendanceCounts(records: readonly { status: AttendanceStatus }[]): AttendanceCounts {
  let excused = 0;
  let absent = 0;
  let makeUp = 0;
  for (const r of records) {
    if (r.status === 'excused') excused++;
    else if (r.status === 'absent') absent++;
    else if (r.status === 'make_up') makeUp++;
  }
  const expected = records.length;
  const present = expected - excused - absent - makeUp;
  return { expected, present, excused, absent, makeUp, rate: percent(present, expected) };
}
