import type { MinutesFields, MinutesSignature, MinutesStatus } from '@branchmeet/shared';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * The minutes (会议记录) of one meeting. `fields` is what the platform knows (refreshed from the meeting and
 * its attendance while the minutes are editable, frozen from submission on). The written content lives in a Yjs
 * document: `ydoc` is its merged state up to the updates in `minutes_update`; the plain texts beside it are
 * derived from it for search and exports.
 */
@Entity('minutes')
@Index(['unitId', 'status'])
// A GIN trigram index (pg_trgm) made by hand in the migration: TypeORM leaves it alone.
@Index('ix_minutes_search_trgm', { synchronize: false })
export class MinutesEntity {
  @PrimaryColumn({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  @Column({ name: 'unit_id', type: 'uuid' })
  unitId: string;

  @Column({ type: 'varchar', length: 12, default: 'draft' })
  status: MinutesStatus;

  @Column({ type: 'jsonb' })
  fields: MinutesFields;

  /** Typed reasons of absent members (缺席原因), by user id. */
  @Column({ name: 'absence_reasons', type: 'jsonb', default: () => `'{}'` })
  absenceReasons: Record<string, string>;

  /** The Yjs document's merged state (Y.encodeStateAsUpdate) up to the rows of minutes_update. */
  @Column({ type: 'bytea' })
  ydoc: Buffer;

  /** The newest `minutes_update` row folded into `ydoc` (the rows up to it are gone); 0: none yet. */
  @Column({ name: 'folded_update_id', type: 'bigint', default: 0 })
  foldedUpdateId: string;

  @Column({ name: 'content_text', type: 'text', default: '' })
  contentText: string;

  @Column({ name: 'resolutions_text', type: 'text', default: '' })
  resolutionsText: string;

  /** Title, agenda, content and resolutions in one text: what the archive search matches (trigram index). */
  @Column({ name: 'search_text', type: 'text', default: '' })
  searchText: string;

  @Column({ name: 'host_signature', type: 'jsonb', nullable: true })
  hostSignature: MinutesSignature | null;

  @Column({ name: 'recorder_signature', type: 'jsonb', nullable: true })
  recorderSignature: MinutesSignature | null;

  /** The newest revision's number (0: never submitted). */
  @Column({ type: 'int', default: 0 })
  revision: number;

  @Column({ name: 'submitted_by', type: 'uuid', nullable: true })
  submittedBy: string | null;

  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  @Column({ name: 'reviewed_by', type: 'uuid', nullable: true })
  reviewedBy: string | null;

  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true })
  reviewedAt: Date | null;

  /** Why it was returned (status returned) or corrected (a correction waiting for review). */
  @Column({ name: 'review_reason', type: 'text', nullable: true })
  reviewReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
