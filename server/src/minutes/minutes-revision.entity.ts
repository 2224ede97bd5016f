import type { MinutesDocument } from '@branchmeet/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Every submission and correction of a meeting's minutes, kept whole: the document and its text. */
@Entity('minutes_revision')
export class MinutesRevisionEntity {
  @PrimaryColumn({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  @PrimaryColumn({ type: 'int' })
  number: number;

  @Column({ type: 'varchar', length: 12 })
  kind: 'submission' | 'correction';

  /** Why it was corrected (corrections only). */
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'jsonb' })
  document: MinutesDocument;

  /** The document as plain text, as exported: what the diff between revisions compares. */
  @Column({ type: 'text' })
  text: string;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
