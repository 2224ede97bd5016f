import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type MeetingStatus = 'live' | 'ended';

/** Room settings the host changes during the meeting. */
export interface MeetingSettings {
  waitingRoom: boolean;
  locked: boolean;
}

/** A meeting of a unit (for now opened ad hoc and live at once; scheduling comes with the meetings issue). */
@Entity('meeting')
@Index(['unitId', 'status'])
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
