import { Injectable } from '@nestjs/common';
import {
  DEFAULT_MEETING_MIN_MINUTES,
  ErrorCodes,
  type BranchAttendanceRules,
  type UpdateAttendanceRulesRequest,
  type UpdateAttendanceRulesResult,
} from '@branchmeet/shared';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { DomainError } from '../common/domain-error';
import { MeetingDirectory } from '../meetings/meeting-directory.service';
import { AccessService } from '../orgs/access.service';
import type { AttendanceRules } from './attendance-rules';
import { AttendanceService } from './attendance.service';
import { AttendanceRepository } from './attendance.repository';

/**
 * A branch's attendance rules (late after N minutes, present from P%, and the minimum length of a meeting that
 * counts toward 三会一课): read by its readers, set by its managers, each change audited; a change may recompute
 * the branch's ended meetings through AttendanceService.recompute.
 */
@Injectable()
export class AttendanceRulesService {
  constructor(
    private readonly repo: AttendanceRepository,
    private readonly meetings: MeetingDirectory,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly attendance: AttendanceService,
  ) {}

  async getRules(user: AuthUser, unitId: string): Promise<BranchAttendanceRules> {
    const { unit } = await this.access.unit(user, unitId, 'attendance.read');
    return this.rulesView(this.repo.manager, unit.id);
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
    return this.repo.transaction(async (em) => {
      const before = await this.rulesView(em, unit.id);
      await this.repo.saveRules(em, unit.id, rules, user.id, body.meetingMinMinutes ?? null);
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
        const ended = await this.meetings.endedInUnitSince(unit.id, new Date(body.recomputeFrom), em);
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
    const row = await this.repo.ruleRow(em, unitId);
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
