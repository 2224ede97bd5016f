import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An outside guest (no account) who came in by an invite link: one meeting, role `guest`, never expected. */
@Entity('meeting_guest')
@Index(['meetingId'])
export class MeetingGuestEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  @Column({ name: 'invite_id', type: 'uuid' })
  inviteId: string;

  @Column({ type: 'varchar', length: 50 })
  name: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
