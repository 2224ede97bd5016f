import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  formatMessage,
  type Locale,
  type MessageKey,
  type MessageParams,
  memberTypeAliases,
  memberTypeLabelsZh,
  MemberType,
  RosterImportError,
  RosterImportReport,
  RosterImportRow,
  RosterMember,
  unitRoleAliases,
  unitRoleLabelsZh,
  UnitRole,
  zodIssueMessage,
} from '@branchmeet/shared';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditInput, AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { SessionsService } from '../auth/sessions.service';
import { UserEntity } from '../auth/user.entity';
import { DomainError } from '../common/domain-error';
import { RateLimiter } from '../common/rate-limit';
import { APP_CONFIG, AppConfig } from '../config/config';
import { bulkInsert, BulkColumn } from '../database/bulk-insert';
import { AccessService } from './access.service';
import { OrgUnitEntity } from './org-unit.entity';
import { RawRosterRow, readRosterFile } from './roster-file';
import { RosterRepository } from './roster.repository';

const userColumns: BulkColumn<{ id: string; name: string; phone: string; memberType: MemberType }>[] = [
  { name: 'id', type: 'uuid', value: (p) => p.id },
  { name: 'name', type: 'text', value: (p) => p.name },
  { name: 'phone', type: 'text', value: (p) => p.phone },
  { name: 'member_type', type: 'text', value: (p) => p.memberType },
];
const membershipColumns: BulkColumn<{ userId: string; unitId: string; role: UnitRole }>[] = [
  { name: 'user_id', type: 'uuid', value: (m) => m.userId },
  { name: 'unit_id', type: 'uuid', value: (m) => m.unitId },
  { name: 'role', type: 'text', value: (m) => m.role },
];

function lookup<T extends string>(
  value: string | undefined,
  codes: readonly T[],
  aliases: Record<string, T>,
  fallback: T,
) {
  const v = (value ?? '').trim();
  if (v === '') return fallback;
  if ((codes as readonly string[]).includes(v.toLowerCase())) return v.toLowerCase() as T;
  return aliases[v];
}

interface ValidRow extends RosterImportRow {
  row: number;
}

/** Imports parsed at the same time by the whole server; one more is told to try again shortly (429). */
const MAX_CONCURRENT_IMPORTS = 2;

@Injectable()
export class RosterService {
  private running = 0;
  private readonly perManager: RateLimiter;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RosterRepository,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.perManager = new RateLimiter(
      config.ROSTER_IMPORT_RATE_LIMIT,
      config.ROSTER_IMPORT_RATE_WINDOW_SECONDS * 1000,
      'import.tooFrequent',
    );
  }

  /**
   * All or nothing: every row is validated first (its own fields, duplicates in the file, and phones that
   * already belong to somebody else); the report lists each bad row; nothing is written unless all are good.
   * People in the file are added or updated; people not in the file are left as they are. The report's reasons
   * are in `locale`, the request's.
   */
  async import(
    user: AuthUser,
    unitId: string,
    file: { buffer: Buffer; originalname: string },
    dryRun: boolean,
    locale: Locale,
  ): Promise<RosterImportReport> {
    const { unit } = await this.access.unit(user, unitId, 'roster.manage');
    // Per manager, and a few at a time for the whole server: parsing a file is the costliest thing a user can ask.
    this.perManager.hit(user.id);
    if (this.running >= MAX_CONCURRENT_IMPORTS)
      throw new DomainError(ErrorCodes.rateLimited, 429, 'import.busy');
    this.running++;
    try {
      const report = await this.importFile(user, unit, file, dryRun, locale);
      if (dryRun || !report.applied) {
        // A rehearsal (or a refused file) tells which phones are registered: one audit line, no rows.
        await this.dataSource.transaction((em) =>
          this.audit.append(em, {
            actorId: user.id,
            action: dryRun ? 'roster.dry_run' : 'roster.import_refused',
            entityType: 'org_unit',
            entityId: unit.id,
            unitId: unit.id,
            after: {
              file: file.originalname.slice(0, 100),
              rows: report.totalRows,
              badRows: report.errors.length,
              created: report.created,
              updated: report.updated,
            },
          }),
        );
      }
      return report;
    } finally {
      this.running--;
    }
  }

  private async importFile(
    user: AuthUser,
    unit: OrgUnitEntity,
    file: { buffer: Buffer; originalname: string },
    dryRun: boolean,
    locale: Locale,
  ): Promise<RosterImportReport> {
    const raw = await readRosterFile(file);
    const { rows, errors } = await this.validate(raw, locale);
    const report: RosterImportReport = {
      applied: false,
      totalRows: raw.length,
      errors,
      created: 0,
      updated: 0,
      groupsCreated: [],
    };
    if (errors.length > 0 || rows.length === 0) {
      if (rows.length === 0 && errors.length === 0) {
        throw new DomainError('import_empty', 400, 'import.noMembers');
      }
      return report;
    }
    if (unit.type !== 'branch' && rows.some((r) => r.group)) {
      throw new DomainError('import_groups', 400, 'import.groupsOnlyForBranch');
    }
    const newPosts: string[] = [];
    const result = await this.dataSource
      .transaction(async (em) => {
        const outcome = await this.apply(em, user, unit, rows, newPosts);
        if (dryRun) {
          // Validated and rehearsed against the real database, then rolled back.
          throw new DryRun({ ...report, ...outcome, applied: false });
        }
        return { ...report, ...outcome, applied: true };
      })
      .catch((e: unknown) => {
        if (e instanceof DryRun) return e.report;
        throw e;
      });
    // People whose post changed rejoin their meetings with what they may do now (as after a PATCH).
    if (result.applied)
      for (const id of newPosts) this.sessions.announce({ userId: id, reason: 'membership' });
    return result;
  }

  private async validate(
    raw: RawRosterRow[],
    locale: Locale,
  ): Promise<{ rows: ValidRow[]; errors: RosterImportError[] }> {
    const errors = new Map<number, string[]>();
    const fail = (row: number, reason: string) => errors.set(row, [...(errors.get(row) ?? []), reason]);
    const say = (key: MessageKey, params?: MessageParams) => formatMessage(key, params, locale);
    const rows: ValidRow[] = [];
    const firstRowOfPhone = new Map<string, number>();
    for (const { row, cells } of raw) {
      const role = lookup<UnitRole>(cells.role, UnitRole.options, unitRoleAliases, 'member');
      const memberType = lookup<MemberType>(
        cells.memberType,
        MemberType.options,
        memberTypeAliases,
        'member',
      );
      if (!role) {
        fail(
          row,
          say('import.unknownRole', {
            value: cells.role ?? '',
            options: Object.values(unitRoleLabelsZh).join('/'),
          }),
        );
      }
      if (!memberType) {
        fail(
          row,
          say('import.unknownMemberType', {
            value: cells.memberType ?? '',
            options: Object.values(memberTypeLabelsZh).join('/'),
          }),
        );
      }
      const parsed = RosterImportRow.safeParse(
        {
          name: cells.name ?? '',
          phone: cells.phone ?? '',
          role: role ?? 'member',
          memberType: memberType ?? 'member',
          group: cells.group ? cells.group : null,
        },
        { reportInput: true },
      );
      if (!parsed.success) {
        for (const issue of parsed.error.issues) fail(row, zodIssueMessage(issue, locale));
        continue;
      }
      const earlier = firstRowOfPhone.get(parsed.data.phone);
      if (earlier !== undefined)
        fail(row, say('import.duplicatePhone', { phone: parsed.data.phone, row: earlier }));
      else firstRowOfPhone.set(parsed.data.phone, row);
      if (parsed.data.role !== 'member' && parsed.data.memberType === 'probationary') {
        fail(row, say('import.probationaryPost'));
      }
      rows.push({ ...parsed.data, row });
    }
    const existing = await this.usersByPhone(
      this.dataSource.manager,
      rows.map((r) => r.phone),
    );
    for (const r of rows) {
      const person = existing.get(r.phone);
      if (person && person.name !== r.name) fail(r.row, say('import.phoneOfOther', { phone: r.phone }));
    }
    const list = [...errors].sort(([a], [b]) => a - b).map(([row, reasons]) => ({ row, reasons }));
    return { rows: rows.filter((r) => !errors.has(r.row)), errors: list };
  }

  private async apply(
    em: EntityManager,
    user: AuthUser,
    unit: OrgUnitEntity,
    rows: ValidRow[],
    newPosts: string[] = [],
  ): Promise<Pick<RosterImportReport, 'created' | 'updated' | 'groupsCreated'>> {
    const events: AuditInput[] = [];
    // Party groups named in the file are created under the branch when missing.
    const groups = new Map(
      (await em.findBy(OrgUnitEntity, { parentId: unit.id, type: 'group' })).map((g) => [g.name, g]),
    );
    const groupsCreated: string[] = [];
    for (const name of new Set(rows.flatMap((r) => (r.group ? [r.group] : [])))) {
      if (groups.has(name)) continue;
      const id = randomUUID();
      const group = em.create(OrgUnitEntity, {
        id,
        name,
        type: 'group',
        parentId: unit.id,
        path: `${unit.path}/${id}`,
      });
      await em.insert(OrgUnitEntity, group);
      groups.set(name, group);
      groupsCreated.push(name);
      events.push({
        actorId: user.id,
        action: 'unit.create',
        entityType: 'org_unit',
        entityId: id,
        unitId: id,
        after: { name, type: 'group', parentId: unit.id, source: 'roster.import' },
      });
    }

    const before = new Map((await this.repo.members(em, unit.id)).map((m) => [m.userId, m]));
    const people = await this.usersByPhone(
      em,
      rows.map((r) => r.phone),
    );
    const newPeople = rows
      .filter((r) => !people.has(r.phone))
      .map((r) => ({ id: randomUUID(), name: r.name, phone: r.phone, memberType: r.memberType }));
    await bulkInsert(em, 'app_user', userColumns, newPeople);
    for (const p of newPeople) people.set(p.phone, { id: p.id, name: p.name, memberType: p.memberType });

    // An existing account's member type is its other units' too: it changes only when the importer manages
    // every unit the person belongs to (else the row joins with the account as it is).
    const unitsOfPeople = await this.repo.unitsOfPeople(
      em,
      [...people.values()].map((p) => p.id),
    );
    const managed = await this.access.managedAmong(user, [unit.id, ...unitsOfPeople.flatMap((r) => r.units)]);
    const foreign = new Set(
      unitsOfPeople.filter((r) => !r.units.every((id) => managed.has(id))).map((r) => r.user_id),
    );
    const typeChanges = rows.filter((r) => {
      const person = people.get(r.phone)!;
      return person.memberType !== r.memberType && !foreign.has(person.id);
    });
    await this.repo.setMemberTypes(
      em,
      typeChanges.map((r) => ({ userId: people.get(r.phone)!.id, memberType: r.memberType })),
    );

    const userIds = rows.map((r) => people.get(r.phone)!.id);
    const newMemberships = rows
      .filter((r) => !before.has(people.get(r.phone)!.id))
      .map((r) => ({ userId: people.get(r.phone)!.id, unitId: unit.id, role: r.role }));
    await bulkInsert(em, 'membership', membershipColumns, newMemberships);
    const roleChanges = rows.filter((r) => {
      const old = before.get(people.get(r.phone)!.id);
      return old && old.role !== r.role;
    });
    newPosts.push(...roleChanges.map((r) => people.get(r.phone)!.id));
    await this.repo.setRoles(
      em,
      roleChanges.map((r) => ({
        membershipId: before.get(people.get(r.phone)!.id)!.membershipId,
        role: r.role,
      })),
    );

    // Party groups: each person in the file is in exactly the group the file names (or none).
    const groupIds = [...groups.values()].map((g) => g.id);
    if (groupIds.length) {
      await this.repo.leaveUnits(em, userIds, groupIds);
      const groupMemberships = rows
        .filter((r) => r.group)
        .map((r) => ({
          userId: people.get(r.phone)!.id,
          unitId: groups.get(r.group!)!.id,
          role: 'member' as const,
        }));
      await bulkInsert(em, 'membership', membershipColumns, groupMemberships);
    }

    const after = new Map((await this.repo.members(em, unit.id)).map((m) => [m.userId, m]));
    let created = 0;
    let updated = 0;
    for (const id of userIds) {
      const was = before.get(id);
      const now = after.get(id)!;
      if (was && sameMember(was, now)) continue;
      if (was) updated++;
      else created++;
      events.push({
        actorId: user.id,
        action: was ? 'member.update' : 'member.add',
        entityType: 'membership',
        entityId: now.membershipId,
        unitId: unit.id,
        before: was ?? null,
        after: { ...now, source: 'roster.import' },
      });
    }
    await this.audit.append(em, events);
    return { created, updated, groupsCreated };
  }

  private async usersByPhone(em: EntityManager, phones: string[]) {
    const found = new Map<string, { id: string; name: string; memberType: MemberType }>();
    for (let i = 0; i < phones.length; i += 5000) {
      const users = await em.find(UserEntity, {
        where: { phone: In(phones.slice(i, i + 5000)) },
        select: { id: true, name: true, phone: true, memberType: true },
      });
      for (const u of users) found.set(u.phone!, { id: u.id, name: u.name, memberType: u.memberType });
    }
    return found;
  }
}

function sameMember(a: RosterMember, b: RosterMember): boolean {
  return a.name === b.name && a.role === b.role && a.memberType === b.memberType && a.groupId === b.groupId;
}

class DryRun extends Error {
  constructor(readonly report: RosterImportReport) {
    super('dry run');
  }
}
