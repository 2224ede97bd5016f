import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A chat message sent in a meeting's room; kept with the meeting. */
@Entity('chat_message')
@Index(['meetingId', 'id'])
export class ChatMessageEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  /** The member who wrote it; null for a guest (`guest_id`). */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ name: 'guest_id', type: 'uuid', nullable: true })
  guestId: string | null;

  @Column({ type: 'varchar', length: 2000 })
  text: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
