import type { NotificationKind } from '@branchmeet/shared';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An in-app notification for one person. `params` are what the client needs to word it in the reader's
 * language (the meeting's title and time, a decision...). `dedupeKey` makes a notification that must be sent
 * once (the reminder before a meeting) idempotent: (user_id, dedupe_key) is unique.
 */
@Entity('notification')
@Index(['userId', 'createdAt'])
export class NotificationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 30 })
  kind: NotificationKind;

  @Column({ name: 'meeting_id', type: 'uuid', nullable: true })
  meetingId: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  params: Record<string, string | number | null>;

  @Column({ name: 'dedupe_key', type: 'varchar', length: 200, nullable: true })
  dedupeKey: string | null;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
