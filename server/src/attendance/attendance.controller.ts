import { Controller, Get, Param, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  apiRoutes,
  CorrectAttendanceRequest,
  StatisticsQuery,
  UpdateAttendanceRulesRequest,
  type CorrectionListItem,
  type BranchAttendanceRules,
  type MeetingAttendance,
  type UpdateAttendanceRulesResult,
} from '@branchmeet/shared';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { UuidPipe } from '../common/uuid.pipe';
import { ZodBody, ZodQuery } from '../common/zod';
import { AttendanceCorrectionService } from './attendance-correction.service';
import { AttendanceExportService, type ExportFile } from './attendance-export.service';
import { AttendanceRulesService } from './attendance-rules.service';
import { AttendanceService } from './attendance.service';
import { AuditedDownload } from '../audit/audited-download';

async function send(res: Response, file: ExportFile): Promise<void> {
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
  await file.write(res);
}

@ApiTags('attendance')
@ApiBearerAuth()
@Controller()
export class AttendanceController {
  constructor(
    private readonly attendance: AttendanceService,
    private readonly exports: AttendanceExportService,
    private readonly corrections: AttendanceCorrectionService,
    private readonly rulesService: AttendanceRulesService,
  ) {}

  /**
   * A branch manager corrects one person's status in an ended meeting, with a mandatory reason (已更正): the
   * computed record stays, the correction is stored beside it and audited. Answers the meeting's attendance.
   */
  @Put(apiRoutes.meetings.attendanceCorrection(':meetingId', ':userId'))
  correct(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @Param('userId', UuidPipe) userId: string,
    @ZodBody(CorrectAttendanceRequest) body: CorrectAttendanceRequest,
  ): Promise<MeetingAttendance> {
    return this.corrections.correct(user, meetingId, userId, body);
  }

  /** Every correction in the unit and the units below it over a period (its managers and the levels above). */
  @Get(apiRoutes.orgUnits.attendanceCorrections(':unitId'))
  listCorrections(
    @CurrentUser() user: AuthUser,
    @Param('unitId', UuidPipe) unitId: string,
    @ZodQuery(StatisticsQuery) query: StatisticsQuery,
  ): Promise<CorrectionListItem[]> {
    return this.corrections.list(user, unitId, query);
  }

  /** Per expected member: first join, last leave, join count, total time, status (readers of the branch). */
  @Get(apiRoutes.meetings.attendance(':meetingId'))
  forMeeting(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
  ): Promise<MeetingAttendance> {
    return this.attendance.forMeeting(user, meetingId);
  }

  /** A branch's attendance rules (the server's defaults until its managers set them). */
  @Get(apiRoutes.orgUnits.attendanceRules(':unitId'))
  rules(
    @CurrentUser() user: AuthUser,
    @Param('unitId', UuidPipe) unitId: string,
  ): Promise<BranchAttendanceRules> {
    return this.rulesService.getRules(user, unitId);
  }

  /**
   * Sets a branch's rules (its managers): for the meetings that end from now on, and — with `recomputeFrom` —
   * recomputing the final records of its ended meetings since then (each recomputation audited).
   */
  @Put(apiRoutes.orgUnits.attendanceRules(':unitId'))
  updateRules(
    @CurrentUser() user: AuthUser,
    @Param('unitId', UuidPipe) unitId: string,
    @ZodBody(UpdateAttendanceRulesRequest) body: UpdateAttendanceRulesRequest,
  ): Promise<UpdateAttendanceRulesResult> {
    return this.rulesService.updateRules(user, unitId, body);
  }

  /** The attendance as XLSX: a title block with the counts, then one row per expected member. */
  @Get(apiRoutes.meetings.attendanceXlsx(':meetingId'))
  @AuditedDownload('attendance.export', 'meetingId', 'xlsx')
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async xlsx(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @Res() res: Response,
  ): Promise<void> {
    await send(res, await this.exports.xlsx(user, meetingId));
  }

  /** The same as CSV (UTF-8 with BOM; formula-like cells neutralised). */
  @Get(apiRoutes.meetings.attendanceCsv(':meetingId'))
  @AuditedDownload('attendance.export', 'meetingId', 'csv')
  @ApiProduces('text/csv')
  async csv(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @Res() res: Response,
  ): Promise<void> {
    await send(res, await this.exports.csv(user, meetingId));
  }

  /** The printable sign-in sheet (签到表) as PDF. */
  @Get(apiRoutes.meetings.signInPdf(':meetingId'))
  @AuditedDownload('attendance.export', 'meetingId', 'sign-in-pdf')
  @ApiProduces('application/pdf')
  async signIn(
    @CurrentUser() user: AuthUser,
    @Param('meetingId', UuidPipe) meetingId: string,
    @Res() res: Response,
  ): Promise<void> {
    await send(res, await this.exports.signInPdf(user, meetingId));
  }
}
