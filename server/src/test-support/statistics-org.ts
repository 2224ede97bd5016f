/**
 * A large organisation for statistics at scale, written by PostgreSQL in a handful of set-based statements (no
 * REST calls, no row-by-row inserts): a committee with `branches` branches of `members` members each (a
 * secretary, two committee members, the rest members; the first third of each branch in one party group), and
 * a year of 三会一课 per branch — every month 支委会, 主题党日 and 党小组会, every quarter 党员大会 and 党课 — with
 * the expected attendees and the final attendance records (as each meeting's end stores them), a few
 * corrections, a few cancelled and a few too-short meetings, and a month here and there with no 主题党日.
 *
 * Deterministic for a given `seed` (the same statuses every run). 50 branches × 30 members × a year: about
 * 2,200 meetings and 40,000 records, written in a few seconds.
 */
import type { DataSource } from 'typeorm';

export interface StatisticsOrgOptions {
  branches?: number;
  members?: number;
  /** The calendar year (China time) of the meetings. */
  year?: number;
  seed?: number;
  /** Names, phones and logins are made unique with it (several organisations in one database). */
  tag?: string;
  /**
   * Given: the committee gets a secretary who can sign in as `<tag>-committee`, and each branch's secretary as
   * `<tag>-sec-001`… (lower case), with this password hash.
   */
  passwordHash?: string;
}

export interface StatisticsOrg {
  committeeId: string;
  /** The committee's secretary (user id). */
  committeeSecretaryId: string;
  /** In the order statistics lists them (created together: by name). */
  branchIds: string[];
  /** The secretary of each branch (user id), in branch order. */
  secretaryIds: string[];
  meetings: number;
  records: number;
}

export async function generateStatisticsOrg(
  ds: DataSource,
  opts: StatisticsOrgOptions = {},
): Promise<StatisticsOrg> {
  const branches = opts.branches ?? 50;
  const members = opts.members ?? 30;
  const year = opts.year ?? 2026;
  const tag = opts.tag ?? 'S';
  const phonePrefix = `15${tag.charCodeAt(0) % 10}`;
  // One transaction: one connection, so setseed governs every random() below.
  return ds.transaction(async (em) => {
    await em.query(`SELECT setseed($1)`, [((opts.seed ?? 42) % 1000) / 1000]);
    const [committee]: { id: string; path: string }[] = await em.query(
      `INSERT INTO org_unit (id, name, type, parent_id, path)
       SELECT id, $1, 'committee', NULL, id::text FROM (SELECT gen_random_uuid() AS id) x
       RETURNING id, path`,
      [`规模测试党委${tag}`],
    );
    const branchRows: { id: string }[] = await em.query(
      `INSERT INTO org_unit (id, name, type, parent_id, path)
       SELECT id, $2 || lpad(i::text, 3, '0') || '党支部', 'branch', $1, $3 || '/' || id
       FROM (SELECT i, gen_random_uuid() AS id FROM generate_series(1, $4::int) i) b
       ORDER BY i RETURNING id`,
      [committee.id, `规模${tag}第`, committee.path, branches],
    );
    // One party group per branch.
    await em.query(
      `INSERT INTO org_unit (id, name, type, parent_id, path)
       SELECT gen_random_uuid(), b.name || '第一党小组', 'group', b.id, '' FROM org_unit b
       WHERE b.parent_id = $1`,
      [committee.id],
    );
    await em.query(
      `UPDATE org_unit g SET path = b.path || '/' || g.id FROM org_unit b
       WHERE g.parent_id = b.id AND b.parent_id = $1`,
      [committee.id],
    );
    // Members: the n-th of branch b; n = 1 secretary, 2–3 committee members; n ≤ members / 3 in the group.
    await em.query(
      `CREATE TEMP TABLE gen_member ON COMMIT DROP AS
       SELECT b.id AS branch_id, g.id AS group_id, n, gen_random_uuid() AS user_id,
              '党员' || $2 || '-' || b.name || '-' || n AS name,
              $3 || lpad((row_number() OVER (ORDER BY b.name, n))::text, 8, '0') AS phone
       FROM org_unit b JOIN org_unit g ON g.parent_id = b.id, generate_series(1, $4::int) n
       WHERE b.parent_id = $1`,
      [committee.id, tag, phonePrefix, members],
    );
    await em.query(
      `INSERT INTO app_user (id, name, phone) SELECT user_id, left(name, 50), phone FROM gen_member`,
    );
    await em.query(
      `INSERT INTO membership (user_id, unit_id, role)
       SELECT user_id, branch_id,
              CASE WHEN n = 1 THEN 'secretary' WHEN n <= 3 THEN 'committee_member' ELSE 'member' END
       FROM gen_member
       UNION ALL
       SELECT user_id, group_id, 'member' FROM gen_member WHERE n <= greatest(1, $1::int / 3)`,
      [members],
    );
    // The plan: per branch, per month (China time) of the year, the monthly types and, in a quarter's first
    // month, the quarterly ones. Day of month and start hour vary; 4% cancelled, 3% too short (10 minutes),
    // and 5% of 主题党日 never held (a month missed).
    await em.query(
      `CREATE TEMP TABLE gen_meeting ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, b.id AS unit_id, g.id AS group_id_of_branch, s.user_id AS host_id,
              t.type, m AS month,
              (make_timestamptz($2::int, m, 1 + floor(random() * 25)::int, 1 + floor(random() * 8)::int, 0, 0,
                'UTC')) AS started_at,
              random() AS r
       FROM org_unit b
       JOIN org_unit g ON g.parent_id = b.id
       JOIN gen_member s ON s.branch_id = b.id AND s.n = 1,
       generate_series(1, 12) m,
       unnest(ARRAY['committee_meeting', 'theme_day', 'group_meeting', 'branch_assembly', 'lecture']) t(type)
       WHERE b.parent_id = $1 AND (t.type IN ('committee_meeting', 'theme_day', 'group_meeting') OR m % 3 = 1)`,
      [committee.id, year],
    );
    await em.query(`DELETE FROM gen_meeting WHERE type = 'theme_day' AND r > 0.95`);
    await em.query(
      `INSERT INTO meeting (id, unit_id, type, title, host_id, status, group_id, started_at, ended_at, created_by)
       SELECT id, unit_id, type, $1 || month || '月' || type, host_id,
              CASE WHEN r < 0.04 THEN 'cancelled' ELSE 'ended' END,
              CASE WHEN type = 'group_meeting' THEN group_id_of_branch END,
              started_at,
              CASE WHEN r < 0.04 THEN NULL
                   WHEN r < 0.07 THEN started_at + interval '10 minutes'
                   ELSE started_at + (45 + floor(r * 60)) * interval '1 minute' END,
              host_id
       FROM gen_meeting`,
      [`${year}年`],
    );
    // Expected: everyone for 党员大会, 党课, 主题党日; the secretary and committee members for 支委会; the
    // group for 党小组会.
    await em.query(
      `INSERT INTO meeting_attendee (meeting_id, user_id, kind)
       SELECT m.id, p.user_id, 'expected' FROM gen_meeting m JOIN gen_member p ON p.branch_id = m.unit_id
       WHERE m.type IN ('branch_assembly', 'lecture', 'theme_day')
          OR (m.type = 'committee_meeting' AND p.n <= 3)
          OR (m.type = 'group_meeting' AND p.n <= greatest(1, $1::int / 3))`,
      [members],
    );
    await em.query(
      `INSERT INTO meeting_attendance (meeting_id, late_after_minutes, present_min_percent, computed_at, cause)
       SELECT id, 5, 50, ended_at, 'end' FROM meeting m
       WHERE m.status = 'ended' AND m.id IN (SELECT id FROM gen_meeting)`,
    );
    // Statuses: 78% present, 6% late, 4% left early, 6% absent, 4% excused, 2% made up (random() in a select
    // list: drawn for each record, not once for the statement).
    const [{ n: records }]: { n: number }[] = await em.query(
      `WITH drawn AS (
         SELECT a.meeting_id, a.user_id, p.n, m.started_at, m.ended_at, random() AS x
         FROM meeting_attendee a
         JOIN meeting m ON m.id = a.meeting_id AND m.status = 'ended'
         JOIN gen_member p ON p.user_id = a.user_id
         WHERE a.meeting_id IN (SELECT id FROM gen_meeting)),
       st AS (
         SELECT d.*, CASE WHEN x < 0.78 THEN 'present' WHEN x < 0.84 THEN 'late'
                          WHEN x < 0.88 THEN 'left_early' WHEN x < 0.94 THEN 'absent'
                          WHEN x < 0.98 THEN 'excused' ELSE 'make_up' END AS status
         FROM drawn d),
       timed AS (
         SELECT st.*, st.status IN ('present', 'late', 'left_early') AS came,
                CASE WHEN st.status = 'late' THEN interval '12 minutes' ELSE interval '1 minute' END AS late,
                CASE WHEN st.status = 'left_early' THEN (st.ended_at - st.started_at) * 0.7
                     ELSE interval '0' END AS early
         FROM st),
       r AS (
         INSERT INTO attendance_record (meeting_id, user_id, kind, position, first_join, last_leave, join_count,
                                        total_ms, status, make_up_at)
         SELECT meeting_id, user_id, 'expected', row_number() OVER (PARTITION BY meeting_id ORDER BY n),
                CASE WHEN came THEN started_at + late END,
                CASE WHEN came THEN ended_at - early END,
                CASE WHEN came THEN 1 ELSE 0 END,
                CASE WHEN came THEN greatest(0, extract(epoch FROM (ended_at - early - started_at - late))
                                             * 1000)::bigint ELSE 0 END,
                status,
                CASE WHEN status = 'make_up' THEN ended_at + interval '3 days' END
         FROM timed
         RETURNING 1)
       SELECT count(*)::int AS n FROM r`,
    );
    // About 1% of the records corrected by the branch's secretary (a manager's 已更正).
    await em.query(
      `INSERT INTO attendance_correction (meeting_id, user_id, status, reason, corrected_by, corrected_at)
       SELECT r.meeting_id, r.user_id,
              CASE r.status WHEN 'absent' THEN 'excused' WHEN 'excused' THEN 'present' ELSE 'absent' END,
              '补录: 现场签到', m.host_id, m.ended_at + interval '1 day'
       FROM attendance_record r JOIN meeting m ON m.id = r.meeting_id
       WHERE r.meeting_id IN (SELECT id FROM gen_meeting) AND random() < 0.01`,
    );
    const login = tag.toLowerCase();
    await em.query(
      `UPDATE app_user u SET username = $1 || lpad(row_number::text, 3, '0'), password_hash = $2
       FROM (SELECT user_id, row_number() OVER (ORDER BY b.name) FROM gen_member p
             JOIN org_unit b ON b.id = p.branch_id WHERE n = 1) s
       WHERE u.id = s.user_id AND $2::text IS NOT NULL`,
      [`${login}-sec-`, opts.passwordHash ?? null],
    );
    const [boss]: { id: string }[] = await em.query(
      `INSERT INTO app_user (name, phone, username, password_hash) VALUES ($1, $2, $3, $4) RETURNING id`,
      [
        `规模党委书记${tag}`,
        `${phonePrefix}00000000`,
        opts.passwordHash ? `${login}-committee` : null,
        opts.passwordHash ?? null,
      ],
    );
    await em.query(`INSERT INTO membership (user_id, unit_id, role) VALUES ($1, $2, 'secretary')`, [
      boss.id,
      committee.id,
    ]);
    const secretaries: { user_id: string; branch_id: string }[] = await em.query(
      `SELECT user_id, branch_id FROM gen_member WHERE n = 1`,
    );
    const secretaryOf = new Map(secretaries.map((s) => [s.branch_id, s.user_id]));
    const [{ n: meetings }]: { n: number }[] = await em.query(`SELECT count(*)::int AS n FROM gen_meeting`);
    await em.query('ANALYZE');
    return {
      committeeId: committee.id,
      committeeSecretaryId: boss.id,
      branchIds: branchRows.map((b) => b.id),
      secretaryIds: branchRows.map((b) => secretaryOf.get(b.id)!),
      meetings,
      records,
    };
  });
}
