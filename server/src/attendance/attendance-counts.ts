import { RATE_STATUSES, attendanceRate, type AttendanceStatus } from '@branchmeet/shared';

/**
 * 应到 / 实到 / 早退 / 请假 / 缺席 / 补学 of a meeting (or of many: person-times). 实到 is everyone who was there
 * (present, late or left early); a member who missed it and made it up (补学) is counted apart, neither 实到
 * nor 缺席. The rate counts present, late and 补学 (RATE_STATUSES): left early and absent do not, excused is
 * shown apart.
 */
export interface AttendanceCounts {
  expected: number;
  present: number;
  leftEarly: number;
  excused: number;
  absent: number;
  makeUp: number;
  /** Counted toward the rate. */
  attended: number;
  /** attended / 应到 in percent, one decimal (0 when nobody was expected). */
  rate: number;
}

export const percent = attendanceRate;

/** What the rate counts, written where the rate is in exports and the ledger (the same rule as RATE_STATUSES). */
export const RATE_RULE_ZH = '出席率 =（出席 + 迟到 + 补学）÷ 应到；早退、缺席不计入，请假单列';

export function attendanceCounts(records: readonly { status: AttendanceStatus }[]): AttendanceCounts {
  let excused = 0;
  let absent = 0;
  let makeUp = 0;
  let leftEarly = 0;
  let attended = 0;
  for (const r of records) {
    if (r.status === 'excused') excused++;
    else if (r.status === 'absent') absent++;
    else if (r.status === 'make_up') makeUp++;
    else if (r.status === 'left_early') leftEarly++;
    if (RATE_STATUSES.includes(r.status)) attended++;
  }
  const expected = records.length;
  const present = expected - excused - absent - makeUp;
  return {
    expected,
    present,
    leftEarly,
    excused,
    absent,
    makeUp,
    attended,
    rate: percent(attended, expected),
  };
}
