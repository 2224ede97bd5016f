import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  apiRoutes,
  ProgressReport,
  RecordingControl,
  RecordingFileQuery,
  type MakeUpProgress,
  type RecordingList,
  type RecordingState,
} from '@branchmeet/shared';
import type { Request, Response } from 'express';
import { AuthUser, CurrentUser, Public } from '../auth/auth-user';
import { Unauthenticated } from '../common/domain-error';
import { UuidPipe } from '../common/uuid.pipe';
import { ZodBody, ZodPipe } from '../common/zod';
import type { ByteRange } from './recording-storage';
import { RecordingsService } from './recordings.service';
import { AuditedDownloadInterceptor } from '../audit/audited-download';

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → an inclusive range of a file of `size` bytes; null if unsatisfiable. */
export function parseRange(header: string, size: number): ByteRange | null | 'all' {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'all'; // multiple or odd ranges: send the whole file
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return null;
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return null;
  return { start, end };
}

@ApiTags('recordings')
@ApiBearerAuth()
@Controller()
export class RecordingsController {
  constructor(
    private readonly recordings: RecordingsService,
    private readonly downloads: AuditedDownloadInterceptor,
  ) {}

  /** The meeting's recordings with duration and size, whether it is being recorded, one's make-up progress. */
  @Get(apiRoutes.meetings.recordings(':meetingId'))
  list(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
  ): Promise<RecordingList> {
    return this.recordings.list(user, meetingId);
  }

  /** Starts or stops the recording of the live meeting (its host or lecturer; the meeting must allow it). */
  @Post(apiRoutes.meetings.recording(':meetingId'))
  @HttpCode(200)
  control(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @ZodBody(RecordingControl) body: RecordingControl,
  ): Promise<RecordingState> {
    return this.recordings.control(user, meetingId, body.action);
  }

  /** Deletes a recording (the meeting's host, the branch's managers); audited. */
  @Delete(apiRoutes.recordings.one(':recordingId'))
  @HttpCode(204)
  async remove(
    @CurrentUser() user: AuthUser,
    @Param('recordingId', UuidPipe) recordingId: string,
  ): Promise<void> {
    await this.recordings.remove(user, recordingId);
  }

  /** A progress report of the replay (every few seconds while it is open); returns the make-up progress. */
  @Post(apiRoutes.recordings.progress(':recordingId'))
  @HttpCode(200)
  progress(
    @CurrentUser() user: AuthUser,
    @Param('recordingId', UuidPipe) recordingId: string,
    @ZodBody(ProgressReport) body: ProgressReport,
  ): Promise<MakeUpProgress> {
    return this.recordings.report(user, recordingId, body);
  }

  /**
   * The file, with HTTP Range support (seeking in the player). Opened by the link the list gives (`?t=`): a
   * <video> element sends no Authorization header; API clients may send their bearer token instead. The
   * reader's access is checked again on every request.
   */
  @Public()
  @Get(apiRoutes.recordings.file(':recordingId'))
  @ApiProduces('video/webm')
  async file(
    @Param('recordingId', UuidPipe) recordingId: string,
    @Query(new ZodPipe(RecordingFileQuery)) query: RecordingFileQuery,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const header = req.headers.authorization;
    const user = query.t
      ? await this.recordings.linkUser(recordingId, query.t)
      : header?.startsWith('Bearer ')
        ? await this.recordings.bearerUser(header.slice(7))
        : null;
    if (!user) throw Unauthenticated('auth.noAccessToken');
    const { size, mimeType } = await this.recordings.size(user, recordingId);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', mimeType);
    res.setHeader('Cache-Control', 'private, max-age=3600');
    const rangeHeader = req.headers.range;
    const range = rangeHeader ? parseRange(rangeHeader, size) : 'all';
    if (range === null) {
      res.status(416).setHeader('Content-Range', `bytes */${size}`);
      res.end();
      return;
    }
    const wanted = range === 'all' ? undefined : range;
    const { stream } = await this.recordings.file(user, recordingId, wanted);
    // One audit line per viewing or download (its first byte), not per seek of the player.
    if (req.method !== 'HEAD' && (!wanted || wanted.start === 0))
      await this.downloads.recordFor(user, 'recording.download', 'recordingId', recordingId);
    if (wanted) {
      res.status(206);
      res.setHeader('Content-Range', `bytes ${wanted.start}-${wanted.end}/${size}`);
      res.setHeader('Content-Length', String(wanted.end - wanted.start + 1));
    } else {
      res.status(200);
      res.setHeader('Content-Length', String(size));
    }
    if (req.method === 'HEAD') {
      stream.destroy();
      res.end();
      return;
    }
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }
}
