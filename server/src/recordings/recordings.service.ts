import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
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
import { Conflict, DomainError, Forbidden, NotFound } from '../common/domain-error';
import { RoomEvents } from '../common/room-events';
import { SocketHub } from '../common/socket-hub';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MediaService } from '../media/media.service';
import { MeetingDirectory, type MeetingRow } from '../meetings/meeting-directory.service';
import { AccessService } from '../orgs/access.service';
import { MakeUpStudy } from './make-up-study';
import { MediaToolsService } from './media-tools';
import { Recorder, RecorderError, probeDuration, type RecorderResult } from './recorder';
import type { RecordingEntity } from './recording.entity';
import { RecordingLinks } from './recording-links';
import {
  LocalRecordingStorage,
  S3RecordingStorage,
  type ByteRange,
  type RecordingStorage,
} from './recording-storage';
import { RecordingsRepository } from './recordings.repository';

export const RECORDING_STORAGE = Symbol('RECORDING_STORAGE');
const MIME = 'video/webm';

interface Running {
  recorder: Recorder;
  startedBy: string;
  unitId: string;
}

/**
 * Recording of live meetings (ffmpeg fed by PlainTransport consumers, see recorder.ts), the stored recordings and
 * their replay. Beside it: the file links (recording-links.ts) and the make-up study credited from replay progress
 * reports (make-up-study.ts).
 */
@Injectable()
export class RecordingsService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(RecordingsService.name);
  private readonly running = new Map<string, Running>();
  /** Starts and stops in progress, per meeting (a second start while one is pending is refused). */
  private readonly pending = new Map<string, Promise<unknown>>();
  /** Recordings being stored after they stopped (tests wait for them). */
  private readonly storing = new Map<string, Promise<RecordingEntity | null>>();
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly repo: RecordingsRepository,
    private readonly meetings: MeetingDirectory,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly makeUp: MakeUpStudy,
    private readonly links: RecordingLinks,
    private readonly media: MediaService,
    private readonly rooms: RoomEvents,
    private readonly hub: SocketHub,
    @Inject(RECORDING_STORAGE) private readonly storage: RecordingStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tools: MediaToolsService,
  ) {}

  onModuleInit(): void {
    // The meeting ended (or its media room closed, everyone gone): the recording stops and is stored.
    const stop = ({ meetingId }: { meetingId: string }) => {
      if (this.running.has(meetingId)) void this.stopRunning(meetingId, null);
    };
    this.off.push(
      this.rooms.answer('recordingState', (meetingId) => this.state(meetingId)),
      this.rooms.on('room.closed', stop),
      this.media.events.on('roomClosed', stop),
    );
  }

  async onModuleDestroy(): Promise<void> {
    for (const off of this.off) off();
    await Promise.allSettled([...this.running.keys()].map((id) => this.stopRunning(id, null)));
    await Promise.allSettled(this.storing.values());
  }

  state(meetingId: string): RecordingState {
    const r = this.running.get(meetingId);
    const tools = this.tools.status();
    return {
      meetingId,
      recording: !!r,
      startedAt: r ? r.recorder.startedAt.toISOString() : null,
      available: tools.available,
      unavailableReason: tools.reason,
    };
  }

  /** The producers feeding a running recording (tests). */
  sources(meetingId: string) {
    return this.running.get(meetingId)?.recorder.sources();
  }

  /** Resolves once every stopped recording of the meeting is stored (tests, shutdown). */
  async settled(meetingId: string): Promise<void> {
    await this.pending.get(meetingId)?.catch(() => undefined);
    await this.storing.get(meetingId)?.catch(() => undefined);
  }

  // ── control ─────────────────────────────────────────────────────────────────────────────────────────────
  async control(user: AuthUser, meetingId: string, action: 'start' | 'stop'): Promise<RecordingState> {
    const { meeting } = await this.meetings.authorise(user, meetingId, 'meeting.read');
    const lecturer = meeting.lecturerId ?? meeting.hostId;
    if (user.id !== meeting.hostId && user.id !== lecturer) throw Forbidden('recording.hostOnly');
    if (this.pending.has(meetingId))
      throw Conflict(action === 'start' ? 'recording.alreadyRunning' : 'recording.notRunning');
    if (action === 'start') {
      if (!meeting.settings.recordingAllowed) throw Forbidden('recording.notAllowed');
      if (meeting.status !== 'live' || !this.media.hasRoom(meetingId)) throw Conflict('recording.notLive');
      if (this.running.has(meetingId)) throw Conflict('recording.alreadyRunning');
      const tools = this.tools.status();
      if (!tools.available)
        throw new DomainError(ErrorCodes.unavailable, 503, 'recording.unavailable', {
          reason: tools.reason ?? '',
        });
      const started = this.begin(meeting, lecturer, user.id);
      this.pending.set(meetingId, started);
      try {
        await started;
      } finally {
        this.pending.delete(meetingId);
      }
    } else {
      if (!this.running.has(meetingId)) throw Conflict('recording.notRunning');
      await this.stopRunning(meetingId, user.id);
    }
    return this.state(meetingId);
  }

  private async begin(meeting: MeetingRow, lecturerUserId: string, actorId: string): Promise<void> {
    const room = await this.media.room(meeting.id);
    let recorder: Recorder;
    try {
      recorder = await Recorder.start(room, this.media.events, {
        meetingId: meeting.id,
        lecturerUserId,
        workDir: this.storage.workDir,
        ffmpegPath: this.config.FFMPEG_PATH,
        log: (line) => this.log.warn(`ffmpeg (${meeting.id}): ${line}`),
      });
    } catch (e) {
      if (e instanceof RecorderError && e.code === 'no_media') throw Conflict('recording.noLecturerMedia');
      throw e;
    }
    this.running.set(meeting.id, { recorder, startedBy: actorId, unitId: meeting.unitId });
    await this.repo.transaction((em) =>
      this.audit.append(em, {
        actorId,
        action: 'recording.start',
        entityType: 'meeting',
        entityId: meeting.id,
        unitId: meeting.unitId,
        after: { startedAt: recorder.startedAt.toISOString() },
      }),
    );
    this.hub.toMeeting(meeting.id, 'recording.changed', this.state(meeting.id));
  }

  /** Stops the running recording and stores it (an audited row); everyone sees the indicator go. */
  private async stopRunning(meetingId: string, actorId: string | null): Promise<RecordingEntity | null> {
    const run = this.running.get(meetingId);
    if (!run) return null;
    this.running.delete(meetingId);
    this.hub.toMeeting(meetingId, 'recording.changed', this.state(meetingId));
    const stored = run.recorder
      .stop()
      .then((result) => this.store(result, run, actorId))
      .catch((e: unknown) => {
        this.log.error(`recording of meeting ${meetingId} failed: ${String(e)}`);
        return null;
      });
    this.storing.set(meetingId, stored);
    const done = await stored;
    if (this.storing.get(meetingId) === stored) this.storing.delete(meetingId);
    return done;
  }

  private async store(
    result: RecorderResult,
    run: Running,
    actorId: string | null,
  ): Promise<RecordingEntity> {
    const seconds = await probeDuration(result.file, this.config.FFPROBE_PATH);
    return this.repo.transaction(async (em) => {
      const saved = await this.repo.insert(em, {
        meetingId: result.meetingId,
        unitId: run.unitId,
        startedAt: result.startedAt,
        endedAt: result.endedAt,
        durationMs: Math.round(seconds * 1000),
        sizeBytes: String(result.sizeBytes),
        mimeType: MIME,
        storage: this.storage.kind,
        createdBy: run.startedBy,
      });
      const key = join(result.meetingId, `${saved.id}.webm`);
      await this.storage.put(result.file, key, MIME);
      await this.repo.setStorageKey(em, saved.id, key);
      saved.storageKey = key;
      await this.audit.append(em, {
        actorId,
        action: 'recording.stop',
        entityType: 'recording',
        entityId: saved.id,
        unitId: run.unitId,
        after: { meetingId: result.meetingId, durationMs: saved.durationMs, sizeBytes: result.sizeBytes },
      });
      return saved;
    });
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────────────────────────
  async list(user: AuthUser, meetingId: string): Promise<RecordingList> {
    const { meeting } = await this.meetings.authorise(user, meetingId, 'meeting.read');
    const rows = await this.repo.ofMeeting(meetingId);
    const lecturer = meeting.lecturerId ?? meeting.hostId;
    return {
      items: await Promise.all(rows.map(async (r) => view(r, await this.links.token(user, r.id)))),
      state: this.state(meetingId),
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
