import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { RecordingEntity, RecordingWatchEntity } from './recording.entity';
import type { Span } from './watch-credit';

/** A recording to store (its storage key is set once the file is in place). */
export type NewRecording = Omit<RecordingEntity, 'id' | 'createdAt' | 'storageKey'>;

/** The SQL of the recordings feature: stored recordings (recording) and replay progress (recording_watch). */
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
}
