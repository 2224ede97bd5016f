import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { MemberType, UnitRole } from '@branchmeet/shared';

/**
 * The SQL of rosters beyond what the access rules read (orgs.repository.ts): member counts, and the set-based
 * writes of a roster import (memberships, posts, party groups, and the accounts' member types, which the roster
 * keeps in the same transaction).
 */
@Injectable()
export class RosterRepository {
  constructor(private readonly dataSource: DataSource) {}

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
