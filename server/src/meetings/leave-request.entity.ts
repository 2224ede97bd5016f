import type { LeaveStatus, LeaveType } from '@branchmeet/shared';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A member's request for leave (请假) from a meeting, and the manager's decision. */
@Entity('leave_request')
@Index(['meetingId', 'userId'])
export class LeaveRequestEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  @Column({ name: 'leave_type', type: 'varchar', length: 10, default: 'personal' })
  type: LeaveType;

  @Column({ type: 'varchar', length: 10, default: 'pending' })
  status: LeaveStatus;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ name: 'decision_note', type: 'varchar', length: 500, nullable: true })
  decisionNote: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
