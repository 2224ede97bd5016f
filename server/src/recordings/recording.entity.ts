import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** One recording run of a meeting: one WebM file (VP8 + Opus) in the recordings storage. */
@Entity('recording')
@Index(['meetingId'])
export class RecordingEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  /** The meeting's branch (authorisation and the audit log). */
  @Column({ name: 'unit_id', type: 'uuid' })
  unitId: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz' })
  endedAt: Date;

  /** ffprobe's duration of the file, milliseconds. */
  @Column({ name: 'duration_ms', type: 'int' })
  durationMs: number;

  @Column({ name: 'size_bytes', type: 'bigint' })
  sizeBytes: string;

  @Column({ name: 'mime_type', type: 'varchar', length: 60 })
  mimeType: string;

  /** `local` (RECORDINGS_DIR) or `s3` (RECORDINGS_S3_BUCKET). */
  @Column({ type: 'varchar', length: 10 })
  storage: 'local' | 's3';

  @Column({ name: 'storage_key', type: 'varchar', length: 300 })
  storageKey: string;

  /** Who started it. */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/**
 * What one person has watched of one recording: the covered spans of the timeline (seconds, merged) and the
 * last progress report, against which the next one is credited.
 */
@Entity('recording_watch')
export class RecordingWatchEntity {
  @PrimaryColumn({ name: 'recording_id', type: 'uuid' })
  recordingId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  spans: [number, number][];

  @Column({ name: 'last_position', type: 'float8' })
  lastPosition: number;

  @Column({ name: 'last_playing', type: 'boolean' })
  lastPlaying: boolean;

  @Column({ name: 'last_report_at', type: 'timestamptz' })
  lastReportAt: Date;
}
