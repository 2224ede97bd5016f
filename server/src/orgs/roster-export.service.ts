import type { Writable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { memberTypeLabelsZh, rosterColumns, unitRoleLabelsZh } from '@branchmeet/shared';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { AccessService } from './access.service';
import { writeXlsx } from './roster-file';
import { RosterRepository } from './roster.repository';

/** The roster as a file: the export (names and phones, audited) and the empty template. */
@Injectable()
export class RosterExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly roster: RosterRepository,
    private readonly access: AccessService,
    private readonly audit: AuditService,
  ) {}

  /** Checks access and reads the roster first, so an error is still a clean JSON response. */
  async export(
    user: AuthUser,
    unitId: string,
  ): Promise<{ filename: string; write: (out: Writable) => Promise<void> }> {
    const { unit } = await this.access.unit(user, unitId, 'roster.export');
    const members = await this.roster.members(this.dataSource.manager, unit.id);
    // A file of names and phones leaves the system: who took it, when, how many people (not the rows).
    await this.dataSource.transaction((em) =>
      this.audit.append(em, {
        actorId: user.id,
        action: 'roster.export',
        entityType: 'org_unit',
        entityId: unit.id,
        unitId: unit.id,
        after: { rows: members.length, phones: true },
      }),
    );
    const rows = members.map((m) => ({
      name: m.name,
      phone: m.phone,
      role: unitRoleLabelsZh[m.role],
      memberType: memberTypeLabelsZh[m.memberType],
      group: m.groupName ?? '',
    }));
    const columns = rosterColumns.map((c) => ({
      header: c.zh,
      key: c.key,
      width: c.key === 'name' ? 14 : 18,
    }));
    return {
      filename: `${unit.name}-花名册.xlsx`,
      write: (out) => writeXlsx(out, [{ name: '花名册', columns, rows }]),
    };
  }

  /** The roster file template: the header row, and a sheet explaining each column's values. */
  async template(out: Writable): Promise<void> {
    await writeXlsx(out, [
      {
        name: '花名册',
        columns: rosterColumns.map((c) => ({ header: c.zh, key: c.key, width: 18 })),
        rows: [],
      },
      {
        name: '填写说明',
        columns: [
          { header: '列', key: 'column', width: 12 },
          { header: '说明', key: 'help', width: 80 },
        ],
        rows: [
          { column: '姓名', help: '必填' },
          { column: '手机号', help: '必填，11 位手机号，用于登录；同一手机号只能出现一次' },
          { column: '职务', help: `可空（默认 党员）：${Object.values(unitRoleLabelsZh).join(' / ')}` },
          {
            column: '党员类型',
            help: `可空（默认 正式党员）：${Object.values(memberTypeLabelsZh).join(' / ')}`,
          },
          { column: '党小组', help: '可空；填写本支部的党小组名称，不存在的党小组会自动创建' },
        ],
      },
    ]);
  }
}
