import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One Yjs update since the last merge into `minutes.ydoc`: written before it is acknowledged or relayed. */
@Entity('minutes_update')
@Index(['meetingId', 'id'])
export class MinutesUpdateEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  @Column({ type: 'bytea' })
  update: Buffer;

  /** Who wrote it (null: the server, e.g. a vote's result or a new agenda item). */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
