import { Injectable } from '@nestjs/common';
import {
  DEFAULT_MEETING_MIN_MINUTES,
  type AttendanceStatus,
  type BranchStatistics,
  type MeetingType,
  type StatisticsQuery,
  type UnitStatistics,
} from '@branchmeet/shared';
import { DataSource } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { AccessService, type UnitAction } from '../orgs/access.service';
import type { OrgUnitEntity } from '../orgs/org-unit.entity';
import { attendanceCounts } from './attendance-counts';
import type { StoredCorrection } from './attendance-corrections';
import { AttendanceService } from './attendance.service';
import {
  checkWindow,
  memberStatistics,
  monthStatistics,
  requiredChecks,
  summarize,
  type HeldMeeting,
} from './statistics';

/** One expected member's record in a meeting of the period. */
export interface PeriodRecord {
  userId: string;
  name: string;
  status: AttendanceStatus;
  firstJoin: Date | null;
  lastLeave: Date | null;
  joinCount: number;
  totalSeconds: number;
  makeUpAt: Date | null;
  /** A manager's correction (已更正): `status` is then the corrected status. */
  correction?: StoredCorrection | null;
}

/** An ended meeting of the period with its computed records (the ledger's rows). */
export interface PeriodMeeting {
  id: string;
  unitId: string;
  type: MeetingType;
  title: string;
  groupId: string | null;
  startedAt: Date;
  endedAt: Date | null;
  records: PeriodRecord[];
}

/** Everything statistics and the ledger show about one unit over a period. */
export interface PeriodData {
  unit: OrgUnitEntity;
  statistics: UnitStatistics;
  meetings: PeriodMeeting[];
}

interface MeetingRow {
  id: string;
  unit_id: string;
  type: MeetingType;
  title: string;
  group_id: string | null;
  status: string;
  started_at: Date;
  ended_at: Date | null;
}

/**
 * Attendance statistics over a period, from ended meetings only and their final records (a live or cancelled
 * meeting has none), read for all of the period's meetings at once.
 */
@Injectable()
export class StatisticsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly attendance: AttendanceService,
  ) {}

  async forUnit(user: AuthUser, unitId: string, query: StatisticsQuery): Promise<UnitStatistics> {
    return (await this.period(user, unitId, query, 'attendance.read')).statistics;
  }

  /** Checks access, then loads the unit's period (and, for an upper unit, the summaries of its branches). */
  async period(
    user: AuthUser,
    unitId: string,
    query: StatisticsQuery,
    action: UnitAction,
    now = new Date(),
  ): Promise<PeriodData> {
    const { unit, relation } = await this.access.unit(user, unitId, action);
    // The branches below are the upper unit's managers' to see (a plain member of a committee is not).
    return this.load(unit, new Date(query.from), new Date(query.to), now, relation !== 'member');
  }

  /** No access check: for callers that have checked it (and for the benchmark). */
  async load(
    unit: OrgUnitEntity,
    from: Date,
    to: Date,
    now = new Date(),
    withBranches = true,
  ): Promise<PeriodData> {
    const upper = withBranches && (unit.type === 'committee' || unit.type === 'general_branch');
    const branches: Pick<OrgUnitEntity, 'id' | 'name' | 'type'>[] = upper
      ? await this.dataSource.query(
          `SELECT id, name, type FROM org_unit WHERE type = 'branch' AND path LIKE $1
           ORDER BY created_at, name`,
          [`${unit.path}/%`],
        )
      : [];
    const unitIds = [unit.id, ...branches.map((b) => b.id)];
    const groups: { id: string; name: string; parent_id: string }[] = await this.dataSource.query(
      `SELECT id, name, parent_id FROM org_unit WHERE type = 'group' AND parent_id = ANY($1)
       ORDER BY created_at, name`,
      [unitIds],
    );
    const window = checkWindow(from, to);
    // A party group's meetings are the branch's meetings with its group_id.
    // Every meeting of the window that ended, was cancelled (by its planned start) or is still open, for the
    // compliance checks, which say why one did not count. Attendance is from the ended ones only.
    const rows: MeetingRow[] = await this.dataSource.query(
      `SELECT id, unit_id, type, title, group_id, status, started_at, ended_at FROM meeting
       WHERE (unit_id = ANY($1) OR group_id = ANY($1)) AND status IN ('ended', 'cancelled', 'live')
         AND started_at >= $2 AND started_at < $3
       ORDER BY started_at, id`,
      [unitIds, window.start, window.end],
    );
    const minMinutes = await this.meetingMinMinutes(unitIds);
    const inPeriod = rows.filter((m) => m.status === 'ended' && m.started_at >= from && m.started_at < to);
    const meetings = await this.records(inPeriod);

    const ownerOf = (m: { unit_id: string; group_id: string | null }) =>
      unit.type === 'group' ? unit.id : m.unit_id;
    const held = (unitId: string): HeldMeeting[] =>
      rows
        .filter((m) => ownerOf(m) === unitId)
        .map((m) => ({
          id: m.id,
          title: m.title,
          type: m.type,
          groupId: m.group_id,
          status: m.status,
          startedAt: m.started_at,
          endedAt: m.ended_at,
        }));
    const checksOf = (u: { id: string; name: string; type: string }) =>
      requiredChecks({
        from,
        to,
        now,
        unit: u,
        groups: groups.filter((g) => g.parent_id === u.id),
        held: held(u.id),
        // A party group follows its branch's rule.
        minMinutes: minMinutes(u.type === 'group' ? (unit.parentId ?? u.id) : u.id),
      });
    const own = meetings.filter((m) => ownerOf({ unit_id: m.unitId, group_id: m.groupId }) === unit.id);
    const required = checksOf(unit);
    const branchStats: BranchStatistics[] = branches.map((b) => {
      const checks = checksOf(b);
      return {
        unitId: b.id,
        name: b.name,
        summary: summarize(
          meetings.filter((m) => m.unitId === b.id),
          checks,
        ),
        required: checks,
      };
    });
    return {
      unit,
      meetings: own,
      statistics: {
        unitId: unit.id,
        name: unit.name,
        unitType: unit.type,
        from: from.toISOString(),
        to: to.toISOString(),
        summary: summarize(own, required),
        meetings: own.map((m) => ({
          meetingId: m.id,
          type: m.type,
          title: m.title,
          groupId: m.groupId,
          startedAt: m.startedAt.toISOString(),
          endedAt: m.endedAt?.toISOString() ?? null,
          ...attendanceCounts(m.records),
        })),
        members: memberStatistics(own.flatMap((m) => m.records)),
        // An upper unit's months are its branches' (it holds few meetings of its own).
        months: monthStatistics(from, to, upper ? meetings : own),
        required,
        branches: branchStats,
      },
    };
  }

  /** Each unit's minimum meeting duration for 三会一课 (its rule, else the default); 0 turns it off. */
  private async meetingMinMinutes(unitIds: string[]): Promise<(unitId: string) => number> {
    const rows: { unit_id: string; min: number | null }[] = await this.dataSource.query(
      `SELECT unit_id, meeting_min_minutes AS min FROM attendance_rule WHERE unit_id = ANY($1)`,
      [unitIds],
    );
    const own = new Map(rows.filter((r) => r.min !== null).map((r) => [r.unit_id, Number(r.min)]));
    return (unitId) => own.get(unitId) ?? DEFAULT_MEETING_MIN_MINUTES;
  }

  /** The final records of each ended meeting (AttendanceService stores them when a meeting ends). */
  private async records(rows: MeetingRow[]): Promise<PeriodMeeting[]> {
    if (rows.length === 0) return [];
    const records = await this.attendance.finalRecords(rows.map((m) => m.id));
    return rows.map((m) => ({
      id: m.id,
      unitId: m.unit_id,
      type: m.type,
      title: m.title,
      groupId: m.group_id,
      startedAt: m.started_at,
      endedAt: m.ended_at,
      records: records.get(m.id) ?? [],
    }));
  }
}
