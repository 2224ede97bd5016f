import type { AttendanceStatus, AttendeeKind } from '@branchmeet/shared';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One person's final attendance of an ended meeting (an expected member, or an observer: not counted). */
@Entity('attendance_record')
@Index(['userId'])
export class AttendanceRecordEntity {
  @PrimaryColumn({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 10 })
  kind: AttendeeKind;

  /** The order of the records (the branch's roster order when the meeting ended). */
  @Column({ type: 'int' })
  position: number;

  @Column({ name: 'first_join', type: 'timestamptz', nullable: true })
  firstJoin: Date | null;

  @Column({ name: 'last_leave', type: 'timestamptz', nullable: true })
  lastLeave: Date | null;

  @Column({ name: 'join_count', type: 'int' })
  joinCount: number;

  /** Time in the meeting, milliseconds (what the rules compare; shown rounded to seconds). */
  @Column({ name: 'total_ms', type: 'bigint' })
  totalMs: string;

  @Column({ type: 'varchar', length: 12 })
  status: AttendanceStatus;

  /** When the make-up study (补学) was completed; kept across recomputations. */
  @Column({ name: 'make_up_at', type: 'timestamptz', nullable: true })
  makeUpAt: Date | null;
}
