import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  apiRoutes,
  ErrorCodes,
  type MakeUpProgress,
  type ProgressReport,
  type Recording,
  type RecordingList,
  type RecordingState,
} from '@branchmeet/shared';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { RoomCalls } from '../cluster/room-calls';
import { DomainError, Forbidden, NotFound } from '../common/domain-error';
import type { AppConfig } from '../config/config';
import { MeetingDirectory, type MeetingRow } from '../meetings/meeting-directory.service';
import { AccessService } from '../orgs/access.service';
import { MakeUpStudy } from './make-up-study';
import type { RecordingEntity } from './recording.entity';
import { RecordingLinks } from './recording-links';
import {
  LocalRecordingStorage,
  RECORDING_STORAGE,
  S3RecordingStorage,
  type ByteRange,
  type RecordingStorage,
} from './recording-storage';
import { RecordingsRepository } from './recordings.repository';

/**
 * The stored recordings of meetings and their replay, and the host's start/stop of a live meeting's recording:
 * authorised here, on whichever node took the request, then done by the node that holds the meeting's room
 * (RoomCalls `recording.control`, served by LiveRecordings there). Beside it: the file links
 * (recording-links.ts) and the make-up study credited from replay progress reports (make-up-study.ts).
 */
@Injectable()
export class RecordingsService {
  private readonly log = new Logger(RecordingsService.name);

  constructor(
    private readonly repo: RecordingsRepository,
    private readonly meetings: MeetingDirectory,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly makeUp: MakeUpStudy,
    private readonly links: RecordingLinks,
    private readonly calls: RoomCalls,
    @Inject(RECORDING_STORAGE) private readonly storage: RecordingStorage,
  ) {}

  // ── control ─────────────────────────────────────────────────────────────────────────────────────────────
  /** The host or the lecturer starts or stops the recording (the meeting must allow it); 503 while it moves. */
  async control(user: AuthUser, meetingId: string, action: 'start' | 'stop'): Promise<RecordingState> {
    const { meeting } = await this.meetings.authorise(user, meetingId, 'meeting.read');
    const lecturer = meeting.lecturerId ?? meeting.hostId;
    if (user.id !== meeting.hostId && user.id !== lecturer) throw Forbidden('recording.hostOnly');
    if (action === 'start' && !meeting.settings.recordingAllowed) throw Forbidden('recording.notAllowed');
    return this.calls.call(meetingId, 'recording.control', { action, actorId: user.id });
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────────────────────────
  async list(user: AuthUser, meetingId: string): Promise<RecordingList> {
    const { meeting } = await this.meetings.authorise(user, meetingId, 'meeting.read');
    const rows = await this.repo.ofMeeting(meetingId);
    const lecturer = meeting.lecturerId ?? meeting.hostId;
    return {
      items: await Promise.all(rows.map(async (r) => view(r, await this.links.token(user, r.id)))),
      state: await this.calls.call(meetingId, 'recording.state', {}),
      canControl: !!meeting.settings.recordingAllowed && (user.id === meeting.hostId || user.id === lecturer),
      canDelete: await this.mayDelete(user, meeting),
      progress: await this.makeUp.progress(this.repo.manager, user.id, meeting, rows),
    };
  }

  /** The file (or a byte range of it) of a recording the user may replay. */
  async file(
    user: AuthUser,
    recordingId: string,
    range?: ByteRange,
  ): Promise<{ stream: Readable; size: number; mimeType: string }> {
    const rec = await this.recording(user, recordingId);
    const size = Number(rec.sizeBytes);
    const stream = await this.storage.read(rec.storageKey, range).catch((e: unknown) => {
      this.log.error(`recording ${rec.id}: its file ${rec.storageKey} cannot be read: ${String(e)}`);
      throw NotFound('notFound.recording');
    });
    return { stream, size, mimeType: rec.mimeType };
  }

  async size(user: AuthUser, recordingId: string): Promise<{ size: number; mimeType: string }> {
    const rec = await this.recording(user, recordingId);
    return { size: Number(rec.sizeBytes), mimeType: rec.mimeType };
  }

  /** Deletes a recording (the meeting's host or the branch's managers); audited. */
  async remove(user: AuthUser, recordingId: string): Promise<void> {
    const rec = await this.recording(user, recordingId);
    const meeting = await this.meetings.get(rec.meetingId);
    if (!meeting) throw NotFound('notFound.recording');
    if (!(await this.mayDelete(user, meeting))) throw Forbidden('access.forbidden');
    await this.repo.transaction(async (em) => {
      await this.repo.delete(em, rec.id);
      await this.audit.append(em, {
        actorId: user.id,
        action: 'recording.delete',
        entityType: 'recording',
        entityId: rec.id,
        unitId: rec.unitId,
        before: {
          meetingId: rec.meetingId,
          startedAt: rec.startedAt.toISOString(),
          durationMs: rec.durationMs,
          sizeBytes: Number(rec.sizeBytes),
          storage: rec.storage,
          storageKey: rec.storageKey,
        },
      });
    });
    await this.storage
      .remove(rec.storageKey)
      .catch((e: unknown) =>
        this.log.warn(`recording ${rec.id}: the file could not be removed: ${String(e)}`),
      );
  }

  // ── replay progress and make-up (make-up-study.ts), file links (recording-links.ts) ───────────────────────
  /** A progress report of a recording the user may replay: credited towards their make-up study. */
  async report(
    user: AuthUser,
    recordingId: string,
    body: ProgressReport,
    now = new Date(),
  ): Promise<MakeUpProgress> {
    return this.makeUp.report(user, await this.recording(user, recordingId), body, now);
  }

  /** The reader behind a file link for `recordingId`; 401 for a bad, expired or other recording's link. */
  linkUser(recordingId: string, token: string): Promise<AuthUser> {
    return this.links.linkUser(recordingId, token);
  }

  /** The reader behind an access token; guests are refused. */
  bearerUser(token: string): Promise<AuthUser> {
    return this.links.bearerUser(token);
  }

  // ── access ──────────────────────────────────────────────────────────────────────────────────────────────
  private async recording(user: AuthUser, recordingId: string): Promise<RecordingEntity> {
    const rec = await this.repo.find(recordingId);
    if (!rec) throw NotFound('notFound.recording');
    try {
      await this.access.unit(user, rec.unitId, 'meeting.read');
    } catch (e) {
      if (e instanceof DomainError && e.code === ErrorCodes.notFound) throw NotFound('notFound.recording');
      throw e;
    }
    return rec;
  }

  private async mayDelete(user: AuthUser, meeting: MeetingRow): Promise<boolean> {
    if (user.id === meeting.hostId) return true;
    try {
      await this.access.unit(user, meeting.unitId, 'meeting.manage');
      return true;
    } catch (e) {
      if (e instanceof DomainError) return false;
      throw e;
    }
  }
}

const view = (r: RecordingEntity, token: string): Recording => ({
  id: r.id,
  meetingId: r.meetingId,
  startedAt: r.startedAt.toISOString(),
  endedAt: r.endedAt.toISOString(),
  durationSeconds: Math.round(r.durationMs / 100) / 10,
  sizeBytes: Number(r.sizeBytes),
  mimeType: r.mimeType,
  createdAt: r.createdAt.toISOString(),
  url: `/api${apiRoutes.recordings.file(r.id)}?t=${encodeURIComponent(token)}`,
});

/** The storage the environment configures: an S3 bucket when RECORDINGS_S3_BUCKET is set, else a directory. */
export function recordingStorageFor(config: AppConfig): RecordingStorage {
  const dir = config.RECORDINGS_DIR ?? join(config.dataDir, 'recordings');
  if (config.RECORDINGS_S3_BUCKET)
    return new S3RecordingStorage({
      bucket: config.RECORDINGS_S3_BUCKET,
      endpoint: config.RECORDINGS_S3_ENDPOINT,
      region: config.RECORDINGS_S3_REGION,
      accessKeyId: config.RECORDINGS_S3_ACCESS_KEY_ID,
      secretAccessKey: config.RECORDINGS_S3_SECRET_ACCESS_KEY,
      workDir: join(dir, '.work'),
    });
  return new LocalRecordingStorage(dir);
}
