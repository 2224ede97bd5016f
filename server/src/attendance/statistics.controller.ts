import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { apiRoutes, StatisticsQuery, type UnitStatistics } from '@branchmeet/shared';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { UuidPipe } from '../common/uuid.pipe';
import { ZodQuery } from '../common/zod';
import { DomainError } from '../common/domain-error';
import { AttendanceCorrectionService } from './attendance-correction.service';
import { AttendanceRulesService } from './attendance-rules.service';
import { ledgerFilename, writeLedger } from './ledger-export';
import { StatisticsService } from './statistics.service';
import { AuditedDownload } from '../audit/audited-download';

@ApiTags('attendance')
@ApiBearerAuth()
@Controller()
export class StatisticsController {
  constructor(
    private readonly statistics: StatisticsService,
    private readonly corrections: AttendanceCorrectionService,
    private readonly rules: AttendanceRulesService,
  ) {}

  /**
   * Attendance over a period (meetings that started in [from, to)): per meeting, per member, required meetings
   * held against required; for an upper unit, the same summary per branch below it (readers of the unit). With
   * them, what else the statistics page shows, so that it makes one request: the period's corrections (for
   * those who may export) and a branch's attendance rules.
   */
  @Get(apiRoutes.orgUnits.statistics(':unitId'))
  async forUnit(
    @CurrentUser() user: AuthUser,
    @Param('unitId', UuidPipe) unitId: string,
    @ZodQuery(StatisticsQuery) query: StatisticsQuery,
  ): Promise<UnitStatistics> {
    // All three at once; the corrections are for those who may export (a plain member is refused: none).
    const [statistics, corrections, rules] = await Promise.all([
      this.statistics.forUnit(user, unitId, query),
      this.corrections.list(user, unitId, query).catch((e: unknown) => {
        if (e instanceof DomainError && e.status === 403) return undefined;
        throw e;
      }),
      this.rules.getRules(user, unitId),
    ]);
    return {
      ...statistics,
      ...(corrections && { corrections }),
      ...(statistics.unitType === 'branch' ? { rules } : {}),
    };
  }

  /** The period ledger (台账) as XLSX: summary, members, one row per member and meeting (secretaries and above). */
  @Get(apiRoutes.orgUnits.ledgerXlsx(':unitId'))
  @AuditedDownload('ledger.export', 'unitId', 'xlsx')
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async ledger(
    @CurrentUser() user: AuthUser,
    @Param('unitId', UuidPipe) unitId: string,
    @ZodQuery(StatisticsQuery) query: StatisticsQuery,
    @Res() res: Response,
  ): Promise<void> {
    const data = await this.statistics.period(user, unitId, query, 'attendance.export');
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename*=UTF-8''${encodeURIComponent(ledgerFilename(data))}`,
    );
    await writeLedger(res, data);
  }
}
