import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ErrorCodes, type RecordingState } from '@branchmeet/shared';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditService } from '../audit/audit.service';
import { NODE_REGISTRY, type NodeRegistry } from '../cluster/cluster.types';
import { RoomCalls } from '../cluster/room-calls';
import { Conflict, DomainError, Forbidden, NotFound } from '../common/domain-error';
import { RoomEvents } from '../common/room-events';
import { SocketHub } from '../common/socket-hub';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MediaService } from '../media/media.service';
import { MeetingDirectory, type MeetingRow } from '../meetings/meeting-directory.service';
import { MediaToolsService } from './media-tools';
import { Recorder, RecorderError, probeDuration, run as runTool, type RecorderResult } from './recorder';
import type { RecordingEntity, RecordingRunEnd } from './recording.entity';
import { RECORDING_STORAGE, type RecordingStorage } from './recording-storage';
import { RecordingsRepository, type CrashedRun } from './recordings.repository';

export const RECORDING_MIME = 'video/webm';

/** A crashed run's file is recovered once nothing has written it for this long. */
export const RECOVER_QUIET_MS = 10_000;

interface Running {
  recorder: Recorder;
  /** Its recording_run row. */
  runId: string;
  part: number;
  startedBy: string | null;
  unitId: string;
}

/** Who starts a run: the actor of the audit line (null: this node resuming a moved recording), its starter, part. */
interface Start {
  actorId: string | null;
  startedBy: string | null;
  part: number;
}

/**
 * The recordings running on this node: ffmpeg fed by PlainTransport consumers of this node's router (see
 * recorder.ts), so only the node that holds the meeting's room records it. It answers the room calls
 * `recording.state` and `recording.control` for the rooms live here (any node's REST reaches it through
 * RoomCalls), and the room's join (`recordingState` on the room bus). Each run has a recording_run row from its
 * start; when it stops — the host, the meeting's end, the room moving away (`room.closed` with `moved`), the node
 * shutting down — its file is stored as a recording and the run closed with that reason.
 */
@Injectable()
export class LiveRecordings implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(LiveRecordings.name);
  private readonly running = new Map<string, Running>();
  /** Starts in progress, per meeting (a second start while one is pending is refused). */
  private readonly pending = new Map<string, Promise<unknown>>();
  /** Recordings being stored after they stopped (tests wait for them). */
  private readonly storing = new Map<string, Promise<RecordingEntity | null>>();
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly repo: RecordingsRepository,
    private readonly meetings: MeetingDirectory,
    private readonly audit: AuditService,
    private readonly media: MediaService,
    private readonly bus: RoomEvents,
    private readonly hub: SocketHub,
    private readonly calls: RoomCalls,
    @Inject(RECORDING_STORAGE) private readonly storage: RecordingStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(NODE_REGISTRY) private readonly nodes: NodeRegistry,
    private readonly tools: MediaToolsService,
  ) {}

  onModuleInit(): void {
    const stop = (meetingId: string, reason: RecordingRunEnd) => {
      if (this.running.has(meetingId)) void this.stopRunning(meetingId, null, reason);
    };
    this.off.push(
      this.bus.answer('recordingState', (meetingId) => this.state(meetingId)),
      this.calls.handle('recording.state', (meetingId) => this.state(meetingId)),
      this.calls.handle('recording.control', (meetingId, a) => this.control(meetingId, a.action, a.actorId)),
      // The meeting ended, or its room left this node (the meeting goes on elsewhere: the next part starts there).
      this.bus.on('room.closed', (e) => stop(e.meetingId, e.reason === 'moved' ? 'moved' : 'ended')),
      this.media.events.on('roomClosed', (e) => stop(e.meetingId, 'ended')),
    );
  }

  async onModuleDestroy(): Promise<void> {
    for (const off of this.off) off();
    await Promise.allSettled([...this.running.keys()].map((id) => this.stopRunning(id, null, 'shutdown')));
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

  /**
   * Starts or stops the recording of a room live here. The node that took the request has checked that the
   * actor may; this node checks again what may have changed since (host, lecturer, settings, the room).
   */
  async control(meetingId: string, action: 'start' | 'stop', actorId: string): Promise<RecordingState> {
    const meeting = await this.meetings.get(meetingId);
    if (!meeting) throw NotFound('notFound.meeting');
    const lecturer = meeting.lecturerId ?? meeting.hostId;
    if (actorId !== meeting.hostId && actorId !== lecturer) throw Forbidden('recording.hostOnly');
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
      await this.once(meetingId, this.begin(meeting, { actorId, startedBy: actorId, part: 1 }));
    } else {
      if (!this.running.has(meetingId)) throw Conflict('recording.notRunning');
      await this.stopRunning(meetingId, actorId, 'stopped');
    }
    return this.state(meetingId);
  }

  /**
   * Starts part `part` of a recording whose room moved to this node (RecordingRuns). `waiting`: the lecturer
   * has no media here yet; `no`: not to be recorded now (not live here, not allowed, already running, no ffmpeg).
   */
  async resume(
    meetingId: string,
    part: number,
    startedBy: string | null,
  ): Promise<'started' | 'waiting' | 'no'> {
    const meeting = await this.meetings.get(meetingId);
    if (!meeting || meeting.status !== 'live' || !meeting.settings.recordingAllowed) return 'no';
    if (!this.media.hasRoom(meetingId) || this.running.has(meetingId) || this.pending.has(meetingId))
      return 'no';
    if (!this.tools.status().available) return 'no';
    try {
      await this.once(meetingId, this.begin(meeting, { actorId: null, startedBy, part }));
      return 'started';
    } catch (e) {
      if (e instanceof DomainError && e.messageKey === 'recording.noLecturerMedia') return 'waiting';
      throw e;
    }
  }

  private async once(meetingId: string, started: Promise<void>): Promise<void> {
    this.pending.set(meetingId, started);
    try {
      await started;
    } finally {
      this.pending.delete(meetingId);
    }
  }

  private async begin(meeting: MeetingRow, start: Start): Promise<void> {
    const room = await this.media.room(meeting.id);
    let recorder: Recorder;
    try {
      recorder = await Recorder.start(room, this.media.events, {
        meetingId: meeting.id,
        lecturerUserId: meeting.lecturerId ?? meeting.hostId,
        workDir: this.storage.workDir,
        ffmpegPath: this.config.FFMPEG_PATH,
        log: (line) => this.log.warn(`ffmpeg (${meeting.id}): ${line}`),
      });
    } catch (e) {
      if (e instanceof RecorderError && e.code === 'no_media') throw Conflict('recording.noLecturerMedia');
      throw e;
    }
    let runId: string;
    try {
      runId = await this.repo.transaction(async (em) => {
        const run = await this.repo.openRun(em, {
          meetingId: meeting.id,
          unitId: meeting.unitId,
          nodeId: this.nodes.nodeId,
          part: start.part,
          startedBy: start.startedBy,
          startedAt: recorder.startedAt,
          workFile: recorder.file,
        });
        const startedAt = recorder.startedAt.toISOString();
        await this.audit.append(em, {
          actorId: start.actorId,
          action: 'recording.start',
          entityType: 'meeting',
          entityId: meeting.id,
          unitId: meeting.unitId,
          after: start.part > 1 ? { startedAt, part: start.part, resumed: true } : { startedAt },
        });
        return run.id;
      });
    } catch (e) {
      await recorder.stop().catch(() => undefined);
      throw e;
    }
    this.running.set(meeting.id, {
      recorder,
      runId,
      part: start.part,
      startedBy: start.startedBy,
      unitId: meeting.unitId,
    });
    this.hub.toMeeting(meeting.id, 'recording.changed', this.state(meeting.id));
  }

  /** Stops the running recording and stores it (an audited row); everyone sees the indicator go. */
  private async stopRunning(
    meetingId: string,
    actorId: string | null,
    reason: RecordingRunEnd,
  ): Promise<RecordingEntity | null> {
    const run = this.running.get(meetingId);
    if (!run) return null;
    this.running.delete(meetingId);
    this.hub.toMeeting(meetingId, 'recording.changed', this.state(meetingId));
    const stored = run.recorder
      .stop()
      .then((result) => this.store(result, run, actorId, reason))
      .catch(async (e: unknown) => {
        this.log.error(`recording of meeting ${meetingId} could not be stored: ${String(e)}`);
        // The run ends all the same, without a file (if the database is gone too, the reaper closes it).
        await this.repo
          .closeRun(this.repo.manager, run.runId, { at: new Date(), reason })
          .catch((err: unknown) => this.log.error(`closing recording run ${run.runId}: ${String(err)}`));
        return null;
      });
    this.storing.set(meetingId, stored);
    const done = await stored;
    if (this.storing.get(meetingId) === stored) this.storing.delete(meetingId);
    return done;
  }

  /**
   * Recovers the part a node that died was recording (its run closed as `crash`): the file ffmpeg left (all but
   * its last seconds: see the recorder's flushing) is remuxed into a whole WebM and stored as that part, ended at
   * the file's last write; the audit line says it was recovered. Only once the file has been still for
   * RECOVER_QUIET_MS (a node thought dead that still records keeps writing it), and by one node (takeCrashedRun).
   * False: not recovered now (no such file here, still written, taken by another node).
   */
  async recover(run: CrashedRun): Promise<boolean> {
    const written = await stat(run.workFile).catch(() => null);
    if (!written || Date.now() - written.mtimeMs < RECOVER_QUIET_MS) return false;
    if (!(await this.repo.takeCrashedRun(run.id, run.workFile))) return false;
    const whole = run.workFile.replace(/\.webm$/, '') + '.recovered.webm';
    try {
      await runTool(this.config.FFMPEG_PATH, [
        '-v',
        'error',
        '-y',
        '-i',
        run.workFile,
        '-c',
        'copy',
        '-f',
        'webm',
        whole,
      ]);
      const size = (await stat(whole)).size;
      const saved = await this.store(
        {
          meetingId: run.meetingId,
          file: whole,
          startedAt: run.startedAt,
          endedAt: written.mtime,
          sizeBytes: size,
        },
        { runId: run.id, part: run.part, startedBy: run.startedBy, unitId: run.unitId },
        null,
        'crash',
        true,
      );
      this.log.warn(
        `meeting ${run.meetingId}: recovered part ${run.part} (${saved.durationMs} ms) of a recording node ${run.nodeId} left`,
      );
      await rm(run.workFile, { force: true });
      return true;
    } catch (e) {
      this.log.error(
        `meeting ${run.meetingId}: the recording node ${run.nodeId} left could not be recovered: ${String(e)}`,
      );
      return false;
    } finally {
      await rm(whole, { force: true }).catch(() => undefined);
    }
  }

  private async store(
    result: Pick<RecorderResult, 'meetingId' | 'file' | 'startedAt' | 'endedAt' | 'sizeBytes'>,
    run: Pick<Running, 'runId' | 'part' | 'startedBy' | 'unitId'>,
    actorId: string | null,
    reason: RecordingRunEnd,
    recovered = false,
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
        mimeType: RECORDING_MIME,
        storage: this.storage.kind,
        createdBy: run.startedBy,
      });
      const key = join(result.meetingId, `${saved.id}.webm`);
      await this.storage.put(result.file, key, RECORDING_MIME);
      await this.repo.setStorageKey(em, saved.id, key);
      saved.storageKey = key;
      await this.repo.closeRun(em, run.runId, { at: result.endedAt, reason, recordingId: saved.id });
      await this.audit.append(em, {
        actorId,
        action: 'recording.stop',
        entityType: 'recording',
        entityId: saved.id,
        unitId: run.unitId,
        after: {
          meetingId: result.meetingId,
          durationMs: saved.durationMs,
          sizeBytes: result.sizeBytes,
          part: run.part,
          reason,
          ...(recovered ? { recovered: true } : {}),
        },
      });
      return saved;
    });
  }
}
