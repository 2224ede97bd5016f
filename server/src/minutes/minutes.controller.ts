import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  apiRoutes,
  ApproveMinutesRequest,
  CorrectMinutesRequest,
  MINUTES_ATTACHMENT_MAX_BYTES,
  MinutesPeriodQuery,
  MinutesSearchQuery,
  ReturnMinutesRequest,
  UpdateMinutesRequest,
} from '@branchmeet/shared';
import type { Response } from 'express';
import type { ExportFile } from '../attendance/attendance-export.service';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { IntPipe } from '../common/int.pipe';
import { UuidPipe } from '../common/uuid.pipe';
import { ZodBody, ZodQuery } from '../common/zod';
import { MinutesExportService } from './minutes-export.service';
import { MinutesSearchService } from './minutes-search.service';
import { MinutesAttachmentsService } from './minutes-attachments.service';
import { MinutesInboxService } from './minutes-inbox.service';
import { MinutesReviewService } from './minutes-review.service';
import { MinutesService } from './minutes.service';
import { AuditedDownload } from '../audit/audited-download';

async function send(res: Response, file: ExportFile): Promise<void> {
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
  await file.write(res);
}

const docxType = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

@ApiTags('minutes')
@ApiBearerAuth()
@Controller()
export class MinutesController {
  constructor(
    private readonly minutes: MinutesService,
    private readonly reviews: MinutesReviewService,
    private readonly files: MinutesAttachmentsService,
    private readonly inboxes: MinutesInboxService,
    private readonly exports: MinutesExportService,
    private readonly searching: MinutesSearchService,
  ) {}

  /** The minutes of a meeting, created with the fields the platform knows on first read (readers of the branch). */
  @Get(apiRoutes.minutes.one(':meetingId'))
  get(@CurrentUser() user: AuthUser, @Param('meetingId', UuidPipe) meetingId: string) {
    return this.minutes.get(user, meetingId);
  }

  /** The fields the platform cannot know (absence reasons): the recorder, the host, the branch's managers. */
  @Patch(apiRoutes.minutes.one(':meetingId'))
  update(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @ZodBody(UpdateMinutesRequest) body: UpdateMinutesRequest,
  ) {
    return this.minutes.update(user, meetingId, body);
  }

  /** The host's and the recorder's sign-off (签字). */
  @Post(apiRoutes.minutes.sign(':meetingId'))
  @HttpCode(200)
  sign(@CurrentUser() user: AuthUser, @Param('meetingId', UuidPipe) meetingId: string) {
    return this.minutes.sign(user, meetingId);
  }

  /** Submits for review (the recorder or a manager, after the meeting): a new revision, the fields frozen. */
  @Post(apiRoutes.minutes.submit(':meetingId'))
  @HttpCode(200)
  submit(@CurrentUser() user: AuthUser, @Param('meetingId', UuidPipe) meetingId: string) {
    return this.reviews.submit(user, meetingId);
  }

  /** Approves submitted minutes (the secretaries of the unit above the branch): they are locked. */
  @Post(apiRoutes.minutes.approve(':meetingId'))
  @HttpCode(200)
  approve(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @ZodBody(ApproveMinutesRequest) body: ApproveMinutesRequest,
  ) {
    return this.reviews.approve(user, meetingId, body);
  }

  /** Returns submitted minutes with a reason (the unit above the branch). */
  @Post(apiRoutes.minutes.return(':meetingId'))
  @HttpCode(200)
  returnMinutes(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @ZodBody(ReturnMinutesRequest) body: ReturnMinutesRequest,
  ) {
    return this.reviews.returnMinutes(user, meetingId, body);
  }

  /** Corrects approved minutes (the branch's managers): a new revision with the reason, reviewed again. */
  @Post(apiRoutes.minutes.corrections(':meetingId'))
  @HttpCode(200)
  correct(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @ZodBody(CorrectMinutesRequest) body: CorrectMinutesRequest,
  ) {
    return this.reviews.correct(user, meetingId, body);
  }

  @Get(apiRoutes.minutes.revisions(':meetingId'))
  revisions(@CurrentUser() user: AuthUser, @Param('meetingId', UuidPipe) meetingId: string) {
    return this.reviews.revisions(user, meetingId);
  }

  /** One revision whole, with its line diff against the one before. */
  @Get(apiRoutes.minutes.revision(':meetingId', ':number'))
  revision(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @Param('number', IntPipe) number: number,
  ) {
    return this.reviews.revision(user, meetingId, number);
  }

  @Get(apiRoutes.minutes.docx(':meetingId'))
  @AuditedDownload('minutes.export', 'meetingId', 'docx')
  @ApiProduces(docxType)
  async docx(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @Res() res: Response,
  ): Promise<void> {
    await send(res, await this.exports.one(user, meetingId, 'docx'));
  }

  @Get(apiRoutes.minutes.pdf(':meetingId'))
  @AuditedDownload('minutes.export', 'meetingId', 'pdf')
  @ApiProduces('application/pdf')
  async pdf(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @Res() res: Response,
  ): Promise<void> {
    await send(res, await this.exports.one(user, meetingId, 'pdf'));
  }

  @Post(apiRoutes.minutes.attachments(':meetingId'))
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      properties: { file: { type: 'string', format: 'binary' } },
      required: ['file'],
    },
  })
  // One byte over the limit lets the service answer with its own message instead of multer's.
  @UseInterceptors(
    FileInterceptor('file', { limits: { fileSize: MINUTES_ATTACHMENT_MAX_BYTES + 1, files: 1 } }),
  )
  addAttachment(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @UploadedFile() file: Express.Multer.File | undefined,
  ) {
    return this.files.add(user, meetingId, file);
  }

  @Get(apiRoutes.minutes.attachment(':meetingId', ':attachmentId'))
  @AuditedDownload('minutes.attachment_download', 'meetingId', 'file')
  @ApiProduces('application/octet-stream')
  async attachment(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @Param('attachmentId', UuidPipe) attachmentId: string,
    @Res() res: Response,
  ): Promise<void> {
    const file = await this.files.file(user, meetingId, attachmentId);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(file.data);
  }

  @Delete(apiRoutes.minutes.attachment(':meetingId', ':attachmentId'))
  @HttpCode(204)
  removeAttachment(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @Param('attachmentId', UuidPipe) attachmentId: string,
  ) {
    return this.files.remove(user, meetingId, attachmentId);
  }

  /** A branch's archive of minutes, searched by words of title, agenda, content or resolutions. */
  @Get(apiRoutes.minutes.ofUnit(':unitId'))
  search(
    @CurrentUser() user: AuthUser,
    @Param('unitId', UuidPipe) unitId: string,
    @ZodQuery(MinutesSearchQuery) query: MinutesSearchQuery,
  ) {
    return this.searching.search(user, unitId, query);
  }

  /** A period's minutes of a branch in one DOCX. */
  @Get(apiRoutes.minutes.periodDocx(':unitId'))
  @AuditedDownload('minutes.export', 'unitId', 'period-docx')
  @ApiProduces(docxType)
  async periodDocx(
    @CurrentUser() user: AuthUser,
    @Param('unitId', UuidPipe) unitId: string,
    @ZodQuery(MinutesPeriodQuery) query: MinutesPeriodQuery,
    @Res() res: Response,
  ): Promise<void> {
    await send(res, await this.exports.period(user, unitId, query, 'docx'));
  }

  /** A period's minutes of a branch in one PDF. */
  @Get(apiRoutes.minutes.periodPdf(':unitId'))
  @AuditedDownload('minutes.export', 'unitId', 'period-pdf')
  @ApiProduces('application/pdf')
  async periodPdf(
    @CurrentUser() user: AuthUser,
    @Param('unitId', UuidPipe) unitId: string,
    @ZodQuery(MinutesPeriodQuery) query: MinutesPeriodQuery,
    @Res() res: Response,
  ): Promise<void> {
    await send(res, await this.exports.period(user, unitId, query, 'pdf'));
  }

  /** Minutes waiting for the caller's review (secretaries of the units above branches). */
  @Get(apiRoutes.minutes.inbox)
  inbox(@CurrentUser() user: AuthUser) {
    return this.inboxes.inbox(user);
  }
}
