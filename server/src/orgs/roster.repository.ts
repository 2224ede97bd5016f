import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { MemberType, RosterMember, UnitRole } from '@branchmeet/shared';

/**
 * The SQL of rosters beyond what the access rules read (orgs.repository.ts): a unit's roster, member counts, and
 * the set-based writes of a roster import (memberships, posts, party groups, and the accounts' member types,
 * which the roster keeps in the same transaction).
 */
@Injectable()
export class RosterRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The roster of a unit: its memberships with each person's party group under it, leaders first. */
  members(
    em: EntityManager,
    unitId: string,
    opts: { q?: string; membershipId?: string; searchPhones?: boolean } = {},
  ): Promise<RosterMember[]> {
    const like = opts.q ? `%${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    return em.query(
      `SELECT m.id AS "membershipId", u.id AS "userId", u.name, u.phone, u.username, m.role,
            u.member_type AS "memberType", g.id AS "groupId", g.name AS "groupName"
       FROM membership m
       JOIN app_user u ON u.id = m.user_id
       LEFT JOIN (
         SELECT DISTINCT ON (gm.user_id) gm.user_id, gu.id, gu.name
           FROM membership gm JOIN org_unit gu ON gu.id = gm.unit_id
          WHERE gu.parent_id = $1 AND gu.type = 'group'
          ORDER BY gm.user_id, gu.name) g ON g.user_id = m.user_id
      WHERE m.unit_id = $1
        AND ($2::text IS NULL OR u.name ILIKE $2 OR ($4 AND u.phone LIKE $2) OR g.name ILIKE $2)
        AND ($3::uuid IS NULL OR m.id = $3)
      ORDER BY CASE m.role WHEN 'secretary' THEN 0 WHEN 'deputy_secretary' THEN 1 WHEN 'organizer' THEN 2
                           WHEN 'committee_member' THEN 3 ELSE 4 END, u.name, u.phone`,
      [unitId, like, opts.membershipId ?? null, opts.searchPhones !== false],
    );
  }

  /** Members per unit (units without any are left out). */
  async memberCounts(unitIds: string[]): Promise<Map<string, number>> {
    if (unitIds.length === 0) return new Map();
    const rows: { unit_id: string; n: string }[] = await this.dataSource.query(
      'SELECT unit_id, count(*) AS n FROM membership WHERE unit_id = ANY($1) GROUP BY unit_id',
      [unitIds],
    );
    return new Map(rows.map((r) => [r.unit_id, Number(r.n)]));
  }

  /** The units each of these people belongs to (people in none are left out). */
  unitsOfPeople(em: EntityManager, userIds: string[]): Promise<{ user_id: string; units: string[] }[]> {
    return em.query(
      'SELECT user_id, array_agg(unit_id::text) AS units FROM membership WHERE user_id = ANY($1::uuid[]) GROUP BY user_id',
      [userIds],
    );
  }

  async setMemberTypes(
    em: EntityManager,
    changes: { userId: string; memberType: MemberType }[],
  ): Promise<void> {
    if (changes.length === 0) return;
    await em.query(
      `UPDATE app_user u SET member_type = v.t, updated_at = now()
         FROM unnest($1::uuid[], $2::text[]) AS v(id, t) WHERE u.id = v.id`,
      [changes.map((c) => c.userId), changes.map((c) => c.memberType)],
    );
  }

  async setRoles(em: EntityManager, changes: { membershipId: string; role: UnitRole }[]): Promise<void> {
    if (changes.length === 0) return;
    await em.query(
      `UPDATE membership m SET role = v.r FROM unnest($1::uuid[], $2::text[]) AS v(id, r) WHERE m.id = v.id`,
      [changes.map((c) => c.membershipId), changes.map((c) => c.role)],
    );
  }

  /** Takes these people out of these units. */
  async leaveUnits(em: EntityManager, userIds: string[], unitIds: string[]): Promise<void> {
    await em.query('DELETE FROM membership WHERE user_id = ANY($1::uuid[]) AND unit_id = ANY($2::uuid[])', [
      userIds,
      unitIds,
    ]);
  }
}
