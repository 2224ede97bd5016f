import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import {
  apiRoutes,
  ErrorCodes,
  type MakeUpProgress,
  type ProgressReport,
  type Recording,
  type RecordingList,
  type RecordingState,
  type UnitAction,
} from '@branchmeet/shared';
import { JwtService } from '@nestjs/jwt';
import { isGuestToken } from '../auth/jwt-auth.guard';
import { SessionsService } from '../auth/sessions.service';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import { AttendanceService } from '../attendance/attendance.service';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { Conflict, DomainError, Forbidden, NotFound, Unauthenticated } from '../common/domain-error';
import { RoomEvents } from '../common/room-events';
import { SocketHub } from '../common/socket-hub';
import { MediaToolsService } from './media-tools';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MediaService } from '../media/media.service';
import { MeetingEntity } from '../meetings/meeting.entity';
import { AccessService } from '../orgs/access.service';
import { Recorder, RecorderError, probeDuration, type RecorderResult } from './recorder';
import { RecordingEntity, RecordingWatchEntity } from './recording.entity';
import {
  LocalRecordingStorage,
  S3RecordingStorage,
  type ByteRange,
  type RecordingStorage,
} from './recording-storage';
import { creditedSpan, mergeSpans, spansLength, type Span } from './watch-credit';

export const RECORDING_STORAGE = Symbol('RECORDING_STORAGE');
const MIME = 'video/webm';
const FILE_LINK_TTL_SECONDS = 6 * 3600;
/** Statuses of a member who missed the meeting: watching the replay is their make-up study. */
const MISSED = new Set(['absent', 'excused', 'left_early', 'make_up']);

interface Running {
  recorder: Recorder;
  startedBy: string;
  unitId: string;
}

/**
 * Recording of live meetings (ffmpeg fed by PlainTransport consumers, see recorder.ts), the stored recordings,
 * their replay, and the make-up study (补学) credited from replay progress reports. A make-up completion goes
 * through AttendanceService.recompute (`make_up` cause): the one way final attendance changes.
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
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly attendance: AttendanceService,
    private readonly media: MediaService,
    private readonly rooms: RoomEvents,
    private readonly hub: SocketHub,
    private readonly jwt: JwtService,
    private readonly sessions: SessionsService,
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
    const meeting = await this.readable(user, meetingId, 'meeting.read');
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

  private async begin(meeting: MeetingEntity, lecturerUserId: string, actorId: string): Promise<void> {
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
    await this.dataSource.transaction((em) =>
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
    return this.dataSource.transaction(async (em) => {
      const row = em.create(RecordingEntity, {
        meetingId: result.meetingId,
        unitId: run.unitId,
        startedAt: result.startedAt,
        endedAt: result.endedAt,
        durationMs: Math.round(seconds * 1000),
        sizeBytes: String(result.sizeBytes),
        mimeType: MIME,
        storage: this.storage.kind,
        storageKey: '',
        createdBy: run.startedBy,
      });
      const saved = await em.save(row);
      const key = join(result.meetingId, `${saved.id}.webm`);
      await this.storage.put(result.file, key, MIME);
      await em.update(RecordingEntity, { id: saved.id }, { storageKey: key });
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
    const meeting = await this.readable(user, meetingId, 'meeting.read');
    const rows = await this.dataSource
      .getRepository(RecordingEntity)
      .find({ where: { meetingId }, order: { startedAt: 'ASC' } });
    const lecturer = meeting.lecturerId ?? meeting.hostId;
    return {
      items: await Promise.all(rows.map(async (r) => view(r, await this.fileToken(user, r.id)))),
      state: this.state(meetingId),
      canControl: !!meeting.settings.recordingAllowed && (user.id === meeting.hostId || user.id === lecturer),
      canDelete: await this.mayDelete(user, meeting),
      progress: await this.progressOf(this.dataSource.manager, user.id, meeting, rows),
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
    const meeting = await this.dataSource.getRepository(MeetingEntity).findOneByOrFail({ id: rec.meetingId });
    if (!(await this.mayDelete(user, meeting))) throw Forbidden('access.forbidden');
    await this.dataSource.transaction(async (em) => {
      await em.delete(RecordingEntity, { id: rec.id });
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

  // ── replay progress and make-up ─────────────────────────────────────────────────────────────────────────
  /**
   * A progress report of the replay: credits the span played since the last report (at play speed; a skip
   * credits nothing). When the member missed the meeting and has now watched the threshold of its recordings,
   * the make-up study is complete: AttendanceService.recompute with the `make_up` cause, in the same transaction.
   */
  async report(
    user: AuthUser,
    recordingId: string,
    body: ProgressReport,
    now = new Date(),
  ): Promise<MakeUpProgress> {
    const rec = await this.recording(user, recordingId);
    return this.dataSource.transaction(async (em) => {
      const meeting = await em.findOneOrFail(MeetingEntity, { where: { id: rec.meetingId } });
      const last = await em.findOne(RecordingWatchEntity, {
        where: { recordingId: rec.id, userId: user.id },
        lock: { mode: 'pessimistic_write' },
      });
      const span = creditedSpan(
        last ? { position: last.lastPosition, playing: last.lastPlaying, at: last.lastReportAt } : null,
        body,
        now,
        { durationSeconds: rec.durationMs / 1000, maxCreditSeconds: this.config.REPLAY_REPORT_MAX_SECONDS },
      );
      await em.upsert(
        RecordingWatchEntity,
        {
          recordingId: rec.id,
          userId: user.id,
          spans: mergeSpans(last?.spans ?? [], span),
          lastPosition: body.position,
          lastPlaying: body.playing,
          lastReportAt: now,
        },
        ['recordingId', 'userId'],
      );
      const rows = await em.find(RecordingEntity, { where: { meetingId: rec.meetingId } });
      const progress = await this.progressOf(em, user.id, meeting, rows);
      if (progress.eligible && !progress.completedAt && progress.percent >= progress.thresholdPercent) {
        await this.attendance.recompute(
          meeting.id,
          { kind: 'make_up', actorId: user.id, userId: user.id, completedAt: now },
          em,
        );
        return { ...progress, completedAt: now.toISOString() };
      }
      return progress;
    });
  }

  private async progressOf(
    em: EntityManager,
    userId: string,
    meeting: MeetingEntity,
    recordings: RecordingEntity[],
  ): Promise<MakeUpProgress> {
    const ids = recordings.map((r) => r.id);
    const watches = ids.length
      ? await em.query<{ spans: Span[] }[]>(
          `SELECT spans FROM recording_watch WHERE user_id = $1 AND recording_id = ANY($2)`,
          [userId, ids],
        )
      : [];
    const watched = watches.reduce((sum, w) => sum + spansLength(w.spans), 0);
    const total = recordings.reduce((sum, r) => sum + r.durationMs / 1000, 0);
    const [record] = await em.query<{ status: string; make_up_at: Date | null }[]>(
      `SELECT status, make_up_at FROM attendance_record WHERE meeting_id = $1 AND user_id = $2`,
      [meeting.id, userId],
    );
    return {
      watchedSeconds: Math.round(watched * 10) / 10,
      totalSeconds: Math.round(total * 10) / 10,
      percent: total > 0 ? Math.min(100, Math.round((watched / total) * 1000) / 10) : 0,
      thresholdPercent: this.config.MAKE_UP_THRESHOLD_PERCENT,
      eligible: meeting.status === 'ended' && !!record && MISSED.has(record.status),
      completedAt: record?.make_up_at ? record.make_up_at.toISOString() : null,
    };
  }

  // ── file links ──────────────────────────────────────────────────────────────────────────────────────────
  /**
   * A link token for one reader and one recording. Signed with a key of its own (derived from JWT_SECRET), so it
   * is never taken for an access token, and checked again against the reader's access when used.
   */
  private fileToken(user: AuthUser, recordingId: string): Promise<string> {
    return this.jwt.signAsync(
      { sub: user.id, rec: recordingId },
      { secret: this.linkSecret(), expiresIn: FILE_LINK_TTL_SECONDS },
    );
  }

  /** The reader behind a file link for `recordingId`; 401 for a bad, expired or other recording's link. */
  async linkUser(recordingId: string, token: string): Promise<AuthUser> {
    let payload: { sub: string; rec: string };
    try {
      payload = await this.jwt.verifyAsync(token, { secret: this.linkSecret() });
    } catch {
      throw Unauthenticated('auth.tokenInvalid');
    }
    if (payload.rec !== recordingId) throw Unauthenticated('auth.tokenInvalid');
    const [row] = await this.dataSource.query<{ is_admin: boolean }[]>(
      `SELECT is_admin FROM app_user WHERE id = $1`,
      [payload.sub],
    );
    if (!row) throw Unauthenticated('auth.accountGone');
    return { id: payload.sub, isAdmin: row.is_admin };
  }

  /** The reader behind an access token (the file route also takes `Authorization: Bearer`); guests are refused. */
  async bearerUser(token: string): Promise<AuthUser> {
    // Like the REST guard: a live session's token only (a revoked one stops opening files at once).
    const payload = await this.sessions.verify(token);
    if (isGuestToken(payload)) throw Forbidden('auth.guestToken');
    return this.sessions.user(payload);
  }

  private linkSecret(): string {
    return `${this.config.JWT_SECRET}:recording-file`;
  }

  // ── access ──────────────────────────────────────────────────────────────────────────────────────────────
  /** A meeting the user may read (members of its branch and upper levels); another branch's is not found. */
  private async readable(user: AuthUser, meetingId: string, action: UnitAction): Promise<MeetingEntity> {
    const meeting = await this.dataSource.getRepository(MeetingEntity).findOneBy({ id: meetingId });
    if (!meeting) throw NotFound('notFound.meeting');
    await this.access.unitOf(user, meeting.unitId, action, 'notFound.meeting');
    return meeting;
  }

  private async recording(user: AuthUser, recordingId: string): Promise<RecordingEntity> {
    const rec = await this.dataSource.getRepository(RecordingEntity).findOneBy({ id: recordingId });
    if (!rec) throw NotFound('notFound.recording');
    try {
      await this.access.unit(user, rec.unitId, 'meeting.read');
    } catch (e) {
      if (e instanceof DomainError && e.code === ErrorCodes.notFound) throw NotFound('notFound.recording');
      throw e;
    }
    return rec;
  }

  private async mayDelete(user: AuthUser, meeting: MeetingEntity): Promise<boolean> {
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
