import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A branch's own attendance rules (a branch without a row uses the server's defaults). */
@Entity('attendance_rule')
export class AttendanceRuleEntity {
  @PrimaryColumn({ name: 'unit_id', type: 'uuid' })
  unitId: string;

  @Column({ name: 'late_after_minutes', type: 'double precision' })
  lateAfterMinutes: number;

  @Column({ name: 'present_min_percent', type: 'double precision' })
  presentMinPercent: number;

  /** 三会一课: a meeting shorter than this does not count toward its type (null: the default, 30; 0: off). */
  @Column({ name: 'meeting_min_minutes', type: 'double precision', nullable: true })
  meetingMinMinutes: number | null;

  @Column({ name: 'updated_by', type: 'uuid' })
  updatedBy: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
