import type { RosterMember } from '@branchmeet/shared';
import { EntityManager } from 'typeorm';

/** The roster of a unit: its memberships with each person's party group under it, leaders first. */
export async function queryRoster(
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

/** A phone as an ordinary member sees another member's: the network prefix and the last four digits. */
export const maskPhone = (phone: string | null): string | null =>
  phone && phone.length > 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : phone && '****';
