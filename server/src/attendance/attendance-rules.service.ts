import { Injectable } from '@nestjs/common';
import {
  DEFAULT_MEETING_MIN_MINUTES,
  ErrorCodes,
  type BranchAttendanceRules,
  type UpdateAttendanceRulesRequest,
  type UpdateAttendanceRulesResult,
} from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { DomainError } from '../common/domain-error';
import { AccessService } from '../orgs/access.service';
import type { AttendanceRules } from './attendance-rules';
import { AttendanceService } from './attendance.service';

/**
 * A branch's attendance rules (late after N minutes, present from P%, and the minimum length of a meeting that
 * counts toward 三会一课): read by its readers, set by its managers, each change audited; a change may recompute
 * the branch's ended meetings through AttendanceService.recompute.
 */
@Injectable()
export class AttendanceRulesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly attendance: AttendanceService,
  ) {}

  async getRules(user: AuthUser, unitId: string): Promise<BranchAttendanceRules> {
    const { unit } = await this.access.unit(user, unitId, 'attendance.read');
    return this.rulesView(this.dataSource.manager, unit.id);
  }

  /**
   * Sets a branch's rules (its managers). They apply to meetings that end from now on; with `recomputeFrom`,
   * the branch's ended meetings that started at or after it are recomputed with them (each audited). One
   * transaction: the rules and every recomputation commit together.
   */
  async updateRules(
    user: AuthUser,
    unitId: string,
    body: UpdateAttendanceRulesRequest,
  ): Promise<UpdateAttendanceRulesResult> {
    const { unit } = await this.access.unit(user, unitId, 'attendance.rules');
    if (unit.type !== 'branch') throw new DomainError(ErrorCodes.validation, 400, 'attendance.notBranch');
    const rules: AttendanceRules = {
      lateAfterMinutes: body.lateAfterMinutes,
      presentMinPercent: body.presentMinPercent,
    };
    return this.dataSource.transaction(async (em) => {
      const before = await this.rulesView(em, unit.id);
      await em.query(
        `INSERT INTO attendance_rule (unit_id, late_after_minutes, present_min_percent, updated_by, updated_at,
           meeting_min_minutes)
         VALUES ($1, $2, $3, $4, now(), $5)
         ON CONFLICT (unit_id) DO UPDATE SET late_after_minutes = $2, present_min_percent = $3,
           updated_by = $4, updated_at = now(),
           meeting_min_minutes = COALESCE($5, attendance_rule.meeting_min_minutes)`,
        [unit.id, rules.lateAfterMinutes, rules.presentMinPercent, user.id, body.meetingMinMinutes ?? null],
      );
      await this.audit.append(em, {
        actorId: user.id,
        action: 'attendance.rules_update',
        entityType: 'org_unit',
        entityId: unit.id,
        unitId: unit.id,
        before: {
          rules: before.rules,
          isDefault: before.isDefault,
          meetingMinMinutes: before.meetingMinMinutes,
        },
        after: {
          rules,
          recomputeFrom: body.recomputeFrom ?? null,
          meetingMinMinutes: body.meetingMinMinutes ?? before.meetingMinMinutes,
        },
      });
      let recomputed = 0;
      let changed = 0;
      if (body.recomputeFrom) {
        const ended: { id: string }[] = await em.query(
          `SELECT id FROM meeting WHERE unit_id = $1 AND status = 'ended' AND started_at >= $2
           ORDER BY started_at, id`,
          [unit.id, new Date(body.recomputeFrom)],
        );
        for (const m of ended) {
          const result = await this.attendance.recompute(
            m.id,
            { kind: 'rules', actorId: user.id, rules },
            em,
          );
          if (!result) continue;
          recomputed += 1;
          if (result.changed > 0) changed += 1;
        }
      }
      return { ...(await this.rulesView(em, unit.id)), recomputed, changed };
    });
  }

  private async rulesView(em: EntityManager, unitId: string): Promise<BranchAttendanceRules> {
    const [row]: { late: number; percent: number; min: number | null; updated_at: Date }[] = await em.query(
      `SELECT late_after_minutes AS late, present_min_percent AS percent, meeting_min_minutes AS min, updated_at
       FROM attendance_rule WHERE unit_id = $1`,
      [unitId],
    );
    return row
      ? {
          unitId,
          rules: { lateAfterMinutes: row.late, presentMinPercent: row.percent },
          meetingMinMinutes: row.min ?? DEFAULT_MEETING_MIN_MINUTES,
          isDefault: false,
          updatedAt: row.updated_at.toISOString(),
        }
      : {
          unitId,
          rules: this.attendance.rules(),
          meetingMinMinutes: DEFAULT_MEETING_MIN_MINUTES,
          isDefault: true,
          updatedAt: null,
        };
  }
}
