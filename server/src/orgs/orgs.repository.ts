import { Injectable } from '@nestjs/common';
import type { UnitRole } from '@branchmeet/shared';
import { DataSource, EntityManager, In } from 'typeorm';
import { MembershipEntity } from './membership.entity';
import { OrgUnitEntity } from './org-unit.entity';

/** The SQL of the orgs feature's tables (org_unit, membership) that the access rules and other features read. */
@Injectable()
export class OrgsRepository {
  constructor(private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** A user's memberships with each unit's path. */
  memberships(userId: string): Promise<{ unitId: string; role: UnitRole; path: string }[]> {
    return this.dataSource
      .getRepository(MembershipEntity)
      .createQueryBuilder('m')
      .innerJoin(OrgUnitEntity, 'u', 'u.id = m.unit_id')
      .select(['m.unit_id AS "unitId"', 'm.role AS role', 'u.path AS path'])
      .where('m.user_id = :id', { id: userId })
      .getRawMany();
  }

  unit(id: string): Promise<OrgUnitEntity | null> {
    return this.dataSource.getRepository(OrgUnitEntity).findOneBy({ id });
  }

  units(ids: string[]): Promise<OrgUnitEntity[]> {
    return this.dataSource.getRepository(OrgUnitEntity).findBy({ id: In([...new Set(ids)]) });
  }

  allUnits(): Promise<OrgUnitEntity[]> {
    return this.dataSource.getRepository(OrgUnitEntity).find({ order: { createdAt: 'ASC', name: 'ASC' } });
  }

  /** The units a member of `ids` (managing those under `prefixes`) may see; siblings in creation order. */
  unitsNear(ids: string[], prefixes: string[]): Promise<OrgUnitEntity[]> {
    const qb = this.dataSource
      .getRepository(OrgUnitEntity)
      .createQueryBuilder('u')
      .where('u.id IN (:...ids) OR u.parent_id IN (:...ids)', { ids })
      .orderBy('u.created_at', 'ASC')
      .addOrderBy('u.name', 'ASC');
    if (prefixes.length) qb.orWhere('u.path LIKE ANY(:prefixes)', { prefixes });
    return qb.getMany();
  }

  /** A unit's roster (user and post), in roster order. */
  rosterEntries(em: EntityManager, unitId: string): Promise<{ userId: string; role: UnitRole }[]> {
    return em.query(
      `SELECT m.user_id AS "userId", m.role FROM membership m JOIN app_user u ON u.id = m.user_id
       WHERE m.unit_id = $1 ORDER BY m.created_at ASC, u.name ASC`,
      [unitId],
    );
  }

  unitIn(em: EntityManager, id: string): Promise<OrgUnitEntity | null> {
    return em.findOneBy(OrgUnitEntity, { id });
  }

  /** The rosters of units with the members' names, in the order they joined. */
  rosters(
    unitIds: string[],
    em: EntityManager = this.dataSource.manager,
  ): Promise<{ unit_id: string; user_id: string; name: string }[]> {
    return em.query(
      `SELECT m.unit_id, m.user_id, u.name FROM membership m JOIN app_user u ON u.id = m.user_id
       WHERE m.unit_id = ANY($1) ORDER BY m.created_at, u.name`,
      [unitIds],
    );
  }
}
