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

/**
 * Why a recording run ended: stopped by the host or lecturer, the meeting ended, the room moved to another
 * node (lost lease, hand-over), the node shut down, the node died (closed by another node: the reaper, or the
 * node that took the room over).
 */
export type RecordingRunEnd = 'stopped' | 'ended' | 'moved' | 'shutdown' | 'crash';

/**
 * One run of the recorder on one node, from its start (a row at once, so a node's death leaves a trace) to its
 * end with a reason and, once its file is stored, that recording. A meeting whose room moves while recorded has
 * one run per part: the node that takes the room over starts the next part.
 */
@Entity('recording_run')
@Index(['meetingId'])
export class RecordingRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'meeting_id', type: 'uuid' })
  meetingId: string;

  @Column({ name: 'unit_id', type: 'uuid' })
  unitId: string;

  /** The node whose ffmpeg records it (NODE_ID). */
  @Column({ name: 'node_id', type: 'varchar', length: 64 })
  nodeId: string;

  /** 1 for the run the host started, then one more for each part resumed on another node. */
  @Column({ type: 'int' })
  part: number;

  /** Who started the recording (the first part's starter, for a resumed part too). */
  @Column({ name: 'started_by', type: 'uuid', nullable: true })
  startedBy: string | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ name: 'end_reason', type: 'varchar', length: 20, nullable: true })
  endReason: RecordingRunEnd | null;

  /** The stored file of this run (none when it could not be stored: a crash, a failure). */
  @Column({ name: 'recording_id', type: 'uuid', nullable: true })
  recordingId: string | null;

  /**
   * The file ffmpeg writes for this run, until it is stored; after a crash, what is recovered from (cleared when
   * recovery is taken on).
   */
  @Column({ name: 'work_file', type: 'text', nullable: true })
  workFile: string | null;
}
