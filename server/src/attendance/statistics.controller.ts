import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { apiRoutes, StatisticsQuery, type UnitStatistics } from '@branchmeet/shared';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { UuidPipe } from '../common/uuid.pipe';
import { ZodQuery } from '../common/zod';
import { type Relation, unitRules } from '../orgs/access.service';
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
    const { statistics, relation } = await this.statistics.forUnitAs(user, unitId, query);
    const mayExport = (unitRules['attendance.export'] as readonly Relation[]).includes(relation);
    const [corrections, rules] = await Promise.all([
      mayExport ? this.corrections.list(user, unitId, query) : undefined,
      statistics.unitType === 'branch' ? this.rules.getRules(user, unitId) : undefined,
    ]);
    return { ...statistics, ...(corrections && { corrections }), ...(rules && { rules }) };
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
