import { Injectable } from '@nestjs/common';
import {
  DEFAULT_MEETING_MIN_MINUTES,
  type AttendanceStatus,
  type BranchStatistics,
  type MeetingType,
  type MemberStatistics,
  type StatisticsQuery,
  type UnitStatistics,
  type UnitAction,
} from '@branchmeet/shared';
import { AuthUser } from '../auth/auth-user';
import { AccessService, type UnitAccess } from '../orgs/access.service';
import type { StoredCorrection } from './attendance-corrections';
import { AttendanceService } from './attendance.service';
import {
  checkWindow,
  countsOfTally,
  emptyTally,
  memberOfTally,
  memberStatistics,
  monthTallies,
  requiredChecks,
  summarizeTallies,
  tallyOf,
  type HeldMeeting,
  type StatusTally,
} from './statistics';
import { StatisticsRepository, type WindowMeeting } from './statistics.repository';

/** A unit as the statistics read it. */
type OrgUnit = UnitAccess['unit'];

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
  unit: OrgUnit;
  statistics: UnitStatistics;
  meetings: PeriodMeeting[];
}

type MeetingRow = WindowMeeting;

interface Units {
  upper: boolean;
  branches: Pick<OrgUnit, 'id' | 'name' | 'type'>[];
  /** The unit and its branches. */
  unitIds: string[];
}

/** What both the statistics and the ledger need besides attendance: the units, meetings and rules. */
interface Frame extends Units {
  groups: { id: string; name: string; parent_id: string }[];
  /** Every meeting of the check window that ended, was cancelled or is still open, by start. */
  rows: MeetingRow[];
  /** The ended meetings that started in [from, to), by start. */
  inPeriod: MeetingRow[];
  minMinutes: (unitId: string) => number;
}

/** An ended meeting of the period with its records' statuses tallied. */
interface TalliedMeeting {
  id: string;
  unitId: string;
  type: MeetingType;
  title: string;
  groupId: string | null;
  startedAt: Date;
  endedAt: Date | null;
  tally: StatusTally;
}

/**
 * Attendance statistics over a period, from ended meetings only and their final records (a live or cancelled
 * meeting has none). The statistics are counted by PostgreSQL: a fixed number of set-based queries whatever the
 * number of branches, meetings and members (per meeting and per member, the records' statuses after
 * corrections, tallied with GROUP BY); the ledger reads every record (its rows).
 */
@Injectable()
export class StatisticsService {
  constructor(
    private readonly repo: StatisticsRepository,
    private readonly access: AccessService,
    private readonly attendance: AttendanceService,
  ) {}

  async forUnit(user: AuthUser, unitId: string, query: StatisticsQuery): Promise<UnitStatistics> {
    const { unit, relation } = await this.access.unit(user, unitId, 'attendance.read');
    // The branches below are the upper unit's managers' to see (a plain member of a committee is not).
    return this.summary(unit, new Date(query.from), new Date(query.to), new Date(), relation !== 'member');
  }

  /** Checks access, then loads the unit's period with every record (the ledger's rows). */
  async period(
    user: AuthUser,
    unitId: string,
    query: StatisticsQuery,
    action: UnitAction,
    now = new Date(),
  ): Promise<PeriodData> {
    const { unit, relation } = await this.access.unit(user, unitId, action);
    return this.load(unit, new Date(query.from), new Date(query.to), now, relation !== 'member');
  }

  /**
   * The statistics alone, counted by PostgreSQL. No access check: for callers that have checked it (and for
   * the benchmark).
   */
  async summary(
    unit: OrgUnit,
    from: Date,
    to: Date,
    now = new Date(),
    withBranches = true,
  ): Promise<UnitStatistics> {
    const units = await this.unitsOf(unit, withBranches);
    // The totals are counted while the meetings are read (they select the same meetings by the same terms).
    const counted = () =>
      Promise.all([this.meetingTallies(units.unitIds, from, to), this.memberTallies(unit, from, to)]);
    const [frame, first] = await Promise.all([this.frame(unit, from, to, units), counted()]);
    let [tallies, members] = first;
    // A meeting ended without its records stored (none should be): they are computed and stored now.
    const missing = frame.inPeriod.filter((m) => !m.final).map((m) => m.id);
    if (missing.length > 0) {
      await this.attendance.finalRecords(missing);
      [tallies, members] = await counted();
    }
    const meetings = frame.inPeriod.map((m) => ({
      ...meetingOf(m),
      tally: tallies.get(m.id) ?? emptyTally(),
    }));
    return this.build(unit, from, to, now, frame, meetings, members);
  }

  /** No access check: for callers that have checked it (and for the benchmark). */
  async load(
    unit: OrgUnit,
    from: Date,
    to: Date,
    now = new Date(),
    withBranches = true,
  ): Promise<PeriodData> {
    const frame = await this.frame(unit, from, to, await this.unitsOf(unit, withBranches));
    const meetings = await this.records(frame.inPeriod);
    const own = meetings.filter((m) => this.ownerOf(unit, { unit_id: m.unitId }) === unit.id);
    const statistics = this.build(
      unit,
      from,
      to,
      now,
      frame,
      meetings.map((m) => ({ ...m, tally: tallyOf(m.records) })),
      memberStatistics(own.flatMap((m) => m.records)),
    );
    return { unit, meetings: own, statistics };
  }

  /** A party group's meetings are its own; any other meeting is its unit's. */
  private ownerOf(unit: OrgUnit, m: { unit_id: string }): string {
    return unit.type === 'group' ? unit.id : m.unit_id;
  }

  /** The unit and, for an upper unit whose branches the reader may see, every branch below it. */
  private async unitsOf(unit: OrgUnit, withBranches: boolean): Promise<Units> {
    const upper = withBranches && (unit.type === 'committee' || unit.type === 'general_branch');
    const branches: Pick<OrgUnit, 'id' | 'name' | 'type'>[] = upper
      ? await this.repo.branchesBelow(unit.path)
      : [];
    return { upper, branches, unitIds: [unit.id, ...branches.map((b) => b.id)] };
  }

  private async frame(unit: OrgUnit, from: Date, to: Date, units: Units): Promise<Frame> {
    const { upper, branches, unitIds } = units;
    const window = checkWindow(from, to);
    // A party group's meetings are the branch's meetings with its group_id.
    // Every meeting of the window that ended, was cancelled (by its planned start) or is still open, for the
    // compliance checks, which say why one did not count. Attendance is from the ended ones only.
    const [groups, rows, minMinutes] = await Promise.all([
      this.repo.groupsOf(unitIds),
      this.repo.meetingsInWindow(unitIds, window.start, window.end),
      this.meetingMinMinutes(unitIds),
    ]);
    const inPeriod = rows.filter((m) => m.status === 'ended' && m.started_at >= from && m.started_at < to);
    return { upper, branches, unitIds, groups, rows, inPeriod, minMinutes };
  }

  /** Statistics from the frame, each ended meeting's tally and the unit's members' rows. */
  private build(
    unit: OrgUnit,
    from: Date,
    to: Date,
    now: Date,
    frame: Frame,
    meetings: TalliedMeeting[],
    members: MemberStatistics[],
  ): UnitStatistics {
    const { upper, branches, groups, rows, minMinutes } = frame;
    const heldBy = new Map<string, HeldMeeting[]>();
    for (const m of rows) {
      const owner = this.ownerOf(unit, m);
      const list = heldBy.get(owner) ?? [];
      list.push({
        id: m.id,
        title: m.title,
        type: m.type,
        groupId: m.group_id,
        status: m.status,
        startedAt: m.started_at,
        endedAt: m.ended_at,
      });
      heldBy.set(owner, list);
    }
    const checksOf = (u: { id: string; name: string; type: string }) =>
      requiredChecks({
        from,
        to,
        now,
        unit: u,
        groups: groups.filter((g) => g.parent_id === u.id),
        held: heldBy.get(u.id) ?? [],
        // A party group follows its branch's rule.
        minMinutes: minMinutes(u.type === 'group' ? (unit.parentId ?? u.id) : u.id),
      });
    const byUnit = new Map<string, TalliedMeeting[]>();
    for (const m of meetings) {
      const list = byUnit.get(m.unitId) ?? [];
      list.push(m);
      byUnit.set(m.unitId, list);
    }
    const own = meetings.filter((m) => this.ownerOf(unit, { unit_id: m.unitId }) === unit.id);
    const required = checksOf(unit);
    const branchStats: BranchStatistics[] = branches.map((b) => {
      const checks = checksOf(b);
      return {
        unitId: b.id,
        name: b.name,
        summary: summarizeTallies(byUnit.get(b.id) ?? [], checks),
        required: checks,
      };
    });
    return {
      unitId: unit.id,
      name: unit.name,
      unitType: unit.type,
      from: from.toISOString(),
      to: to.toISOString(),
      summary: summarizeTallies(own, required),
      meetings: own.map((m) => ({
        meetingId: m.id,
        type: m.type,
        title: m.title,
        groupId: m.groupId,
        startedAt: m.startedAt.toISOString(),
        endedAt: m.endedAt?.toISOString() ?? null,
        ...countsOfTally(m.tally),
      })),
      members,
      // An upper unit's months are its branches' (it holds few meetings of its own).
      months: monthTallies(from, to, upper ? meetings : own),
      required,
      branches: branchStats,
    };
  }

  /**
   * Each ended meeting's expected members' statuses (a correction wins), counted: one row per meeting of the
   * units (or their party groups) that started in [from, to) — the frame's `inPeriod`, selected again by the same
   * conditions rather than sent back as thousands of ids.
   */
  private meetingTallies(unitIds: string[], from: Date, to: Date): Promise<Map<string, StatusTally>> {
    return this.repo.meetingTallies(unitIds, from, to);
  }

  /**
   * Per person over the unit's own ended meetings of [from, to) (a party group's: those of the group), in the
   * order they first appear: one row per person.
   */
  private async memberTallies(unit: OrgUnit, from: Date, to: Date): Promise<MemberStatistics[]> {
    const rows = await this.repo.memberTallies(unit.id, unit.type === 'group', from, to);
    return rows.map(({ user_id, name, ...t }) => memberOfTally(user_id, name, t));
  }

  /** Each unit's minimum meeting duration for 三会一课 (its rule, else the default); 0 turns it off. */
  private async meetingMinMinutes(unitIds: string[]): Promise<(unitId: string) => number> {
    const own = await this.repo.meetingMinMinutes(unitIds);
    return (unitId) => own.get(unitId) ?? DEFAULT_MEETING_MIN_MINUTES;
  }

  /** The final records of each ended meeting (AttendanceService stores them when a meeting ends). */
  private async records(rows: MeetingRow[]): Promise<PeriodMeeting[]> {
    if (rows.length === 0) return [];
    const records = await this.attendance.finalRecords(rows.map((m) => m.id));
    return rows.map((m) => ({ ...meetingOf(m), records: records.get(m.id) ?? [] }));
  }
}

const meetingOf = (m: MeetingRow) => ({
  id: m.id,
  unitId: m.unit_id,
  type: m.type,
  title: m.title,
  groupId: m.group_id,
  startedAt: m.started_at,
  endedAt: m.ended_at,
});
