import type { MeetingStatus } from '@branchmeet/shared';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type { MeetingStatus };

/**
 * Room settings: the waiting room and the lock change during the meeting; the others are chosen when scheduling
 * (absent in rows of meetings opened before scheduling existed: read as false).
 */
export interface MeetingSettings {
  waitingRoom: boolean;
  locked: boolean;
  muteOnEntry?: boolean;
  recordingAllowed?: boolean;
}

/**
 * A meeting of a branch: scheduled (or opened ad hoc, live at once) → live → ended, or scheduled → cancelled.
 * `started_at` is the actual start once live; while scheduled it holds the planned start.
 */
@Entity('meeting')
@Index(['unitId', 'status'])
@Index('ix_meeting_unit_scheduled_start', ['unitId', 'scheduledStart'])
export class MeetingEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'unit_id', type: 'uuid' })
  unitId: string;

  /** 三会一课 type (branch_assembly, committee_meeting...); 'other' for an ad hoc meeting. */
  @Column({ type: 'varchar', length: 30, default: 'other' })
  type: string;

  @Column({ type: 'varchar', length: 100 })
  title: string;

  @Column({ name: 'host_id', type: 'uuid' })
  hostId: string;

  @Column({ type: 'varchar', length: 10 })
  status: MeetingStatus;

  /** The party group of a group meeting (党小组会). */
  @Column({ name: 'group_id', type: 'uuid', nullable: true })
  groupId: string | null;

  /** The planned start and end (null for a meeting opened ad hoc). */
  @Column({ name: 'scheduled_start', type: 'timestamptz', nullable: true })
  scheduledStart: Date | null;

  @Column({ name: 'scheduled_end', type: 'timestamptz', nullable: true })
  scheduledEnd: Date | null;

  @Column({ name: 'recorder_id', type: 'uuid', nullable: true })
  recorderId: string | null;

  @Column({ name: 'lecturer_id', type: 'uuid', nullable: true })
  lecturerId: string | null;

  /** The occurrences of a repeating meeting (a monthly 主题党日) share one series id. */
  @Column({ name: 'series_id', type: 'uuid', nullable: true })
  @Index('ix_meeting_series')
  seriesId: string | null;

  /** Agenda items (议题), in order. */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  agenda: string[];

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ type: 'jsonb', default: () => `'{"waitingRoom": false, "locked": false}'` })
  settings: MeetingSettings;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
