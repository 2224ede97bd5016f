import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Why a meeting's final records were (re)computed: its end, a rule change, a leave decision, a make-up study, a correction. */
export const attendanceCauses = ['end', 'rules', 'leave', 'make_up', 'correction'] as const;
export type AttendanceCause = (typeof attendanceCauses)[number];

/**
 * The final attendance of an ended meeting: written once when it ends (with the rules of that moment), then
 * rewritten only by AttendanceService.recompute (a rule change, a leave decision, a make-up study), each time
 * audited. Its records are `attendance_record` rows.
 */
@Entity('meeting_attendance')
export class MeetingAttendanceEntity {
  @PrimaryColumn({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  @Column({ name: 'late_after_minutes', type: 'double precision' })
  lateAfterMinutes: number;

  @Column({ name: 'present_min_percent', type: 'double precision' })
  presentMinPercent: number;

  @Column({ name: 'computed_at', type: 'timestamptz' })
  computedAt: Date;

  @Column({ type: 'varchar', length: 10 })
  cause: AttendanceCause;
}
