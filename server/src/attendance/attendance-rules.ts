/**
 * A branch's attendance rules, set by its managers (attendance_rule); a branch that has set none uses the
 * server's defaults from the config (ATTENDANCE_LATE_AFTER_MINUTES and ATTENDANCE_PRESENT_MIN_PERCENT).
 *
 * - `lateAfterMinutes` N: a member whose first join is MORE than N minutes after the meeting's actual start is
 *   late (joining exactly N minutes after the start is on time). Fractions of a minute are allowed.
 * - `presentMinPercent` P: a member counts as there only with a total time in the meeting of AT LEAST P% of the
 *   meeting's duration (exactly P% is enough).
 */
export interface AttendanceRules {
  lateAfterMinutes: number;
  presentMinPercent: number;
}

export const DEFAULT_ATTENDANCE_RULES: AttendanceRules = { lateAfterMinutes: 5, presentMinPercent: 50 };

/**
 * The status of one expected member, derived in this order:
 * - `absent`: never joined (no presence segment at all) and no approved leave;
 * - `excused`: an approved leave and not `present`/`late` by the rules below (someone on leave who still
 *   attended long enough counts as attending);
 * - `late`: first join more than N minutes after the start with a total time of at least P%; or below P% but
 *   there until the end, having come in late or come in once (what they missed is the start: late and short is
 *   late, with the short time shown; it is not "left early");
 * - `left_early`: joined, the total time is below P% of the meeting's duration, and left before the end (or,
 *   on time, was away in between for most of it);
 * - `present`: total time at least P%, first join within N minutes of the start;
 * - `make_up` (补学): a member who would be `absent`, `excused` or `left_early` and has completed the make-up
 *   study of the meeting (watched its replay far enough, reported through AttendanceService.recompute).
 * A zero-length meeting: anyone who joined at all is present (0 ≥ P% of 0).
 */
export type AttendanceStatus = 'present' | 'late' | 'left_early' | 'absent' | 'excused' | 'make_up';
