import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  RecordingEntity,
  RecordingRunEntity,
  RecordingWatchEntity,
  type RecordingRunEnd,
} from './recording.entity';
import type { Span } from './watch-credit';

/** A recording to store (its storage key is set once the file is in place). */
export type NewRecording = Omit<RecordingEntity, 'id' | 'createdAt' | 'storageKey'>;

/** A run as it starts. */
export type NewRun = Pick<
  RecordingRunEntity,
  'meetingId' | 'unitId' | 'nodeId' | 'part' | 'startedBy' | 'startedAt' | 'workFile'
>;

/** A run its node died with: what recovering its part needs. */
export type CrashedRun = Pick<
  RecordingRunEntity,
  'id' | 'meetingId' | 'unitId' | 'nodeId' | 'part' | 'startedBy' | 'startedAt'
> & { workFile: string };

/**
 * The SQL of the recordings feature: stored recordings (recording), the recorder's runs (recording_run) and
 * replay progress (recording_watch).
 */
@Injectable()
export class RecordingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  transaction<T>(run: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(run);
  }

  find(id: string): Promise<RecordingEntity | null> {
    return this.dataSource.getRepository(RecordingEntity).findOneBy({ id });
  }

  /** The recordings of a meeting, oldest first. */
  ofMeeting(meetingId: string, em: EntityManager = this.dataSource.manager): Promise<RecordingEntity[]> {
    return em.find(RecordingEntity, { where: { meetingId }, order: { startedAt: 'ASC' } });
  }

  insert(em: EntityManager, row: NewRecording): Promise<RecordingEntity> {
    return em.save(em.create(RecordingEntity, { ...row, storageKey: '' }));
  }

  async setStorageKey(em: EntityManager, id: string, storageKey: string): Promise<void> {
    await em.update(RecordingEntity, { id }, { storageKey });
  }

  async delete(em: EntityManager, id: string): Promise<void> {
    await em.delete(RecordingEntity, { id });
  }

  /** One person's watch of a recording, locked until the transaction ends (reports are credited in turn). */
  lockWatch(em: EntityManager, recordingId: string, userId: string): Promise<RecordingWatchEntity | null> {
    return em.findOne(RecordingWatchEntity, {
      where: { recordingId, userId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async saveWatch(em: EntityManager, watch: RecordingWatchEntity): Promise<void> {
    await em.upsert(RecordingWatchEntity, watch, ['recordingId', 'userId']);
  }

  /** The watched spans of one person over these recordings. */
  async watchedSpans(em: EntityManager, userId: string, recordingIds: string[]): Promise<Span[][]> {
    if (recordingIds.length === 0) return [];
    const rows = await em.query<{ spans: Span[] }[]>(
      `SELECT spans FROM recording_watch WHERE user_id = $1 AND recording_id = ANY($2)`,
      [userId, recordingIds],
    );
    return rows.map((r) => r.spans);
  }

  // ── recorder runs ──
  openRun(em: EntityManager, run: NewRun): Promise<RecordingRunEntity> {
    return em.save(
      em.create(RecordingRunEntity, { ...run, endedAt: null, endReason: null, recordingId: null }),
    );
  }

  /**
   * Closes a run still open, or one another node closed as `crash` because it thought the node dead (the
   * node's own account wins); false when it was closed otherwise.
   */
  async closeRun(
    em: EntityManager,
    id: string,
    end: { at: Date; reason: RecordingRunEnd; recordingId?: string | null },
  ): Promise<boolean> {
    const res = await em
      .createQueryBuilder()
      .update(RecordingRunEntity)
      .set({ endedAt: end.at, endReason: end.reason, recordingId: end.recordingId ?? null })
      .where("id = :id AND (ended_at IS NULL OR end_reason = 'crash')", { id })
      .execute();
    return (res.affected ?? 0) > 0;
  }

  /** The meeting's newest run. */
  lastRun(meetingId: string): Promise<RecordingRunEntity | null> {
    return this.dataSource
      .getRepository(RecordingRunEntity)
      .findOne({ where: { meetingId }, order: { startedAt: 'DESC', part: 'DESC' } });
  }

  /** The runs of one meeting, oldest first (tests, diagnostics). */
  runsOf(meetingId: string): Promise<RecordingRunEntity[]> {
    return this.dataSource
      .getRepository(RecordingRunEntity)
      .find({ where: { meetingId }, order: { startedAt: 'ASC', part: 'ASC' } });
  }

  /**
   * Closes the open runs of dead nodes as `crash`, now: those of `nodeId` (this node's own, left by its
   * previous life), or of every node not in `liveNodeIds`. Returns the meetings whose run was closed.
   */
  /**
   * Runs closed as `crash` whose file was neither stored nor taken on yet (within the last week), with the nodes
   * they ran on.
   */
  async crashedRuns(): Promise<CrashedRun[]> {
    return this.dataSource.getRepository(RecordingRunEntity).query(
      `SELECT id, meeting_id AS "meetingId", unit_id AS "unitId", node_id AS "nodeId", part,
              started_by AS "startedBy", started_at AS "startedAt", work_file AS "workFile"
         FROM recording_run
        WHERE end_reason = 'crash' AND recording_id IS NULL AND work_file IS NOT NULL
          AND started_at > now() - interval '7 days'
        ORDER BY started_at`,
    );
  }

  /** Takes on the recovery of a crashed run's file (once, whichever node asks first): false if taken already. */
  async takeCrashedRun(id: string, workFile: string): Promise<boolean> {
    const [, count]: [unknown, number] = await this.dataSource.query(
      `UPDATE recording_run SET work_file = NULL
        WHERE id = $1 AND work_file = $2 AND end_reason = 'crash' AND recording_id IS NULL`,
      [id, workFile],
    );
    return count === 1;
  }

  async closeRunsOfDeadNodes(dead: { nodeId: string } | { liveNodeIds: string[] }): Promise<string[]> {
    const [where, param] =
      'nodeId' in dead ? ['node_id = $1', dead.nodeId] : ['node_id <> ALL($1::varchar[])', dead.liveNodeIds];
    // An UPDATE answers [rows, count] here.
    const [rows]: [{ meeting_id: string }[], number] = await this.dataSource.query(
      `UPDATE recording_run SET ended_at = now(), end_reason = 'crash'
        WHERE ended_at IS NULL AND ${where} RETURNING meeting_id`,
      [param],
    );
    return rows.map((r) => r.meeting_id);
  }
}
