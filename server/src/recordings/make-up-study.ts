import { Inject, Injectable } from '@nestjs/common';
import type { MakeUpProgress, ProgressReport } from '@branchmeet/shared';
import { EntityManager } from 'typeorm';
import { AttendanceService } from '../attendance/attendance.service';
import { AuthUser } from '../auth/auth-user';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MeetingDirectory, type MeetingRow } from '../meetings/meeting-directory.service';
import type { RecordingEntity } from './recording.entity';
import { RecordingsRepository } from './recordings.repository';
import { creditedSpan, mergeSpans, spansLength } from './watch-credit';

/** Statuses of a member who missed the meeting: watching the replay is their make-up study. */
const MISSED = new Set(['absent', 'excused', 'left_early', 'make_up']);

/**
 * Make-up study (补学) from replay progress: each report credits the span played since the last one, and a member
 * who missed the meeting completes the study by watching the threshold of its recordings. The completion goes
 * through AttendanceService.recompute (`make_up` cause): the one way final attendance changes.
 */
@Injectable()
export class MakeUpStudy {
  constructor(
    private readonly repo: RecordingsRepository,
    private readonly meetings: MeetingDirectory,
    private readonly attendance: AttendanceService,
    @Inject(APP_CONFIG)
    private readonly config: Pick<AppConfig, 'REPLAY_REPORT_MAX_SECONDS' | 'MAKE_UP_THRESHOLD_PERCENT'>,
  ) {}

  /**
   * A progress report of the replay of `rec` (which the caller may read): credits the span played since the last
   * report (at play speed; a skip credits nothing). When the member missed the meeting and has now watched the
   * threshold of its recordings, the make-up study is complete, recomputed in the same transaction.
   */
  report(user: AuthUser, rec: RecordingEntity, body: ProgressReport, now: Date): Promise<MakeUpProgress> {
    return this.repo.transaction(async (em) => {
      const meeting = await this.meetings.get(rec.meetingId, em);
      if (!meeting) throw new Error(`meeting ${rec.meetingId} of recording ${rec.id} is gone`);
      const last = await this.repo.lockWatch(em, rec.id, user.id);
      const span = creditedSpan(
        last ? { position: last.lastPosition, playing: last.lastPlaying, at: last.lastReportAt } : null,
        body,
        now,
        { durationSeconds: rec.durationMs / 1000, maxCreditSeconds: this.config.REPLAY_REPORT_MAX_SECONDS },
      );
      await this.repo.saveWatch(em, {
        recordingId: rec.id,
        userId: user.id,
        spans: mergeSpans(last?.spans ?? [], span),
        lastPosition: body.position,
        lastPlaying: body.playing,
        lastReportAt: now,
      });
      const rows = await this.repo.ofMeeting(rec.meetingId, em);
      const progress = await this.progress(em, user.id, meeting, rows);
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

  /** How much of the meeting's recordings the person has watched, and whether that is their make-up study. */
  async progress(
    em: EntityManager,
    userId: string,
    meeting: MeetingRow,
    recordings: RecordingEntity[],
  ): Promise<MakeUpProgress> {
    const spans = await this.repo.watchedSpans(
      em,
      userId,
      recordings.map((r) => r.id),
    );
    const watched = spans.reduce((sum, s) => sum + spansLength(s), 0);
    const total = recordings.reduce((sum, r) => sum + r.durationMs / 1000, 0);
    const record = await this.attendance.storedRecord(em, meeting.id, userId);
    return {
      watchedSeconds: Math.round(watched * 10) / 10,
      totalSeconds: Math.round(total * 10) / 10,
      percent: total > 0 ? Math.min(100, Math.round((watched / total) * 1000) / 10) : 0,
      thresholdPercent: this.config.MAKE_UP_THRESHOLD_PERCENT,
      eligible: meeting.status === 'ended' && !!record && MISSED.has(record.status),
      completedAt: record?.make_up_at ? record.make_up_at.toISOString() : null,
    };
  }
}
