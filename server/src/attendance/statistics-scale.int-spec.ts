/**
 * Statistics at scale: a committee of 50 branches × 30 members with a year of 三会一课 and their attendance
 * records (about 2,200 meetings and 40,000 records, written by PostgreSQL), and a small one of 3 branches × 6.
 *
 * - A statistics request costs the same number of SQL queries for 3 branches or 50, a month or a year.
 * - PostgreSQL sends back per-meeting and per-member totals, not every attendance record: the rows a request
 *   reads grow with the meetings, never with meetings × members.
 * - The numbers equal a plain computation from the records (each status after its correction), and the ledger's
 *   own path (every record read and counted in JavaScript).
 * No timing is asserted: `npm run bench` measures it.
 */
import { attendanceRate, UnitStatistics, type AttendanceStatus } from '@branchmeet/shared';
import { Client } from 'pg';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import type { OrgUnitEntity } from '../orgs/org-unit.entity';
import { generateStatisticsOrg, type StatisticsOrg } from '../test-support/statistics-org';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { StatisticsService } from './statistics.service';

let t: TestApp;
let big: StatisticsOrg;
let small: StatisticsOrg;
const auth: Record<string, { Authorization: string }> = {};
const YEAR = { from: '2026-01-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' };
const MARCH = { from: '2026-03-01T00:00:00+08:00', to: '2026-04-01T00:00:00+08:00' };

/** One statistics request, with the SQL queries it sent and the rows PostgreSQL returned for them. */
async function measured(unitId: string, who: string, period: object) {
  let queries = 0;
  let rows = 0;
  const pending: Promise<unknown>[] = [];
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: Client, ...args: unknown[]) {
    const result = original.apply(this, args);
    queries += 1;
    if (result instanceof Promise)
      pending.push(
        result.then(
          (r: { rows?: unknown[] }) => (rows += r?.rows?.length ?? 0),
          () => undefined,
        ),
      );
    return result;
  };
  let res: Response;
  try {
    res = await t.http().get(`/api/org-units/${unitId}/statistics`).query(period).set(auth[who]);
    await Promise.all(pending);
  } finally {
    proto.query = original;
  }
  expect(res.status).toBe(200);
  return { body: res.body as UnitStatistics, queries, rows };
}

beforeAll(async () => {
  // No background work in the counted windows (reminders, deliveries, heartbeats, audit checkpoints).
  t = await startTestApp({
    env: {
      MEETING_REMINDER_TICK_SECONDS: '3600',
      NOTIFY_TICK_SECONDS: '3600',
      PRESENCE_HEARTBEAT_SECONDS: '300',
      AUDIT_CHECKPOINT_SECONDS: '0',
    },
  });
  const [{ password_hash: passwordHash }]: { password_hash: string }[] = await t.ds.query(
    `SELECT password_hash FROM app_user WHERE username = 'committee'`,
  );
  big = await generateStatisticsOrg(t.ds, { tag: 'L', branches: 50, members: 30, passwordHash });
  small = await generateStatisticsOrg(t.ds, { tag: 'M', branches: 3, members: 6, passwordHash, seed: 7 });
  expect(big.meetings).toBeGreaterThan(2000);
  expect(big.records).toBeGreaterThan(35_000);
  for (const login of ['l-committee', 'l-sec-001', 'm-committee', 'm-sec-001'])
    auth[login] = (await t.login(login)).auth;
}, 120_000);
afterAll(() => t?.close());

const count = async (sql: string, params: unknown[]) =>
  Number(((await t.ds.query(sql, params)) as { n: string }[])[0].n);

describe('statistics at scale', () => {
  it('costs the same number of SQL queries for 3 branches or 50, a month or a year', async () => {
    const committees = [
      await measured(big.committeeId, 'l-committee', YEAR),
      await measured(small.committeeId, 'm-committee', YEAR),
      await measured(big.committeeId, 'l-committee', MARCH),
    ];
    expect(committees[0].body.branches).toHaveLength(50);
    expect(committees[1].body.branches).toHaveLength(3);
    expect(new Set(committees.map((c) => c.queries)).size).toBe(1);

    const branches = [
      await measured(big.branchIds[0], 'l-sec-001', YEAR),
      await measured(small.branchIds[0], 'm-sec-001', YEAR),
      await measured(big.branchIds[0], 'l-sec-001', MARCH),
    ];
    expect(branches[0].body.members).toHaveLength(30);
    expect(branches[1].body.members).toHaveLength(6);
    expect(new Set(branches.map((c) => c.queries)).size).toBe(1);
  });

  it('reads totals from PostgreSQL, not every attendance record', async () => {
    // What a request must read at the least: each meeting of the window (the 三会一课 checks list them), its
    // totals, each member's, the corrections it lists; never each member's record of each meeting.
    const committee = await measured(big.committeeId, 'l-committee', YEAR);
    const meetings = await count(
      `SELECT count(*) AS n FROM meeting m JOIN org_unit b ON b.id = m.unit_id WHERE b.parent_id = $1`,
      [big.committeeId],
    );
    const corrections = await count(
      `SELECT count(*) AS n FROM attendance_correction c JOIN meeting m ON m.id = c.meeting_id
       JOIN org_unit b ON b.id = m.unit_id WHERE b.parent_id = $1`,
      [big.committeeId],
    );
    expect(committee.rows).toBeLessThan(big.records / 4);
    expect(committee.rows).toBeLessThanOrEqual(2 * meetings + corrections + 4 * 50 + 50);
    expect(committee.body.corrections).toHaveLength(corrections);

    const branch = await measured(big.branchIds[0], 'l-sec-001', YEAR);
    const own = await count(`SELECT count(*) AS n FROM meeting WHERE unit_id = $1`, [big.branchIds[0]]);
    const ownRecords = await count(
      `SELECT count(*) AS n FROM attendance_record r JOIN meeting m ON m.id = r.meeting_id WHERE m.unit_id = $1`,
      [big.branchIds[0]],
    );
    expect(branch.rows).toBeLessThanOrEqual(2 * own + 30 + (branch.body.corrections?.length ?? 0) + 50);
    expect(branch.rows).toBeLessThan(ownRecords / 2);
  });

  it('equals a plain computation from the records (a correction wins)', async () => {
    const { body: c } = await measured(small.committeeId, 'm-committee', YEAR);
    expect(UnitStatistics.parse(c)).toEqual(c);
    const records: {
      meeting_id: string;
      unit_id: string;
      user_id: string;
      name: string;
      status: AttendanceStatus;
    }[] = await t.ds.query(
      `SELECT r.meeting_id, m.unit_id, r.user_id, u.name, COALESCE(k.status, r.status) AS status
       FROM attendance_record r JOIN meeting m ON m.id = r.meeting_id JOIN app_user u ON u.id = r.user_id
       LEFT JOIN attendance_correction k ON k.meeting_id = r.meeting_id AND k.user_id = r.user_id
       JOIN org_unit b ON b.id = m.unit_id
       WHERE b.parent_id = $1 AND r.kind = 'expected' AND m.status = 'ended'
         AND m.started_at >= $2 AND m.started_at < $3`,
      [small.committeeId, YEAR.from, YEAR.to],
    );
    expect(await count(`SELECT count(*) AS n FROM attendance_correction`, [])).toBeGreaterThan(0);
    const totals = (rs: typeof records) => {
      const n = (s: AttendanceStatus) => rs.filter((r) => r.status === s).length;
      const attended = n('present') + n('late') + n('make_up');
      return {
        expected: rs.length,
        present: n('present') + n('late') + n('left_early'),
        leftEarly: n('left_early'),
        excused: n('excused'),
        absent: n('absent'),
        makeUp: n('make_up'),
        attended,
        rate: attendanceRate(attended, rs.length),
      };
    };
    for (const [i, unitId] of small.branchIds.entries()) {
      const mine = records.filter((r) => r.unit_id === unitId);
      const held = await count(
        `SELECT count(*) AS n FROM meeting WHERE unit_id = $1 AND status = 'ended'
         AND started_at >= $2 AND started_at < $3`,
        [unitId, YEAR.from, YEAR.to],
      );
      const b = c.branches.find((x) => x.unitId === unitId)!;
      expect(b.summary).toMatchObject({ ...totals(mine), meetingsHeld: held });

      // The branch's own page: per meeting and per member.
      const s = i === 0 ? (await measured(unitId, 'm-sec-001', YEAR)).body : null;
      if (!s) continue;
      expect(s.summary).toMatchObject({ ...totals(mine), meetingsHeld: held });
      expect(s.meetings).toHaveLength(held);
      for (const m of s.meetings)
        expect(m).toMatchObject(totals(mine.filter((r) => r.meeting_id === m.meetingId)));
      expect(s.members).toHaveLength(6);
      for (const m of s.members) {
        const theirs = mine.filter((r) => r.user_id === m.userId);
        const n = (x: AttendanceStatus) => theirs.filter((r) => r.status === x).length;
        expect(m).toEqual({
          userId: m.userId,
          name: theirs[0].name,
          expected: theirs.length,
          present: n('present'),
          late: n('late'),
          leftEarly: n('left_early'),
          absent: n('absent'),
          excused: n('excused'),
          makeUp: n('make_up'),
          rate: attendanceRate(n('present') + n('late') + n('make_up'), theirs.length),
        });
      }
    }
    // Every month: the branches' meetings of the month.
    const byMonth = new Map<string, typeof records>();
    const monthOf: { id: string; month: string }[] = await t.ds.query(
      `SELECT id, to_char(started_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month FROM meeting`,
    );
    const month = new Map(monthOf.map((m) => [m.id, m.month]));
    for (const r of records)
      byMonth.set(month.get(r.meeting_id)!, [...(byMonth.get(month.get(r.meeting_id)!) ?? []), r]);
    expect(c.months).toHaveLength(12);
    for (const m of c.months) expect(m).toMatchObject(totals(byMonth.get(m.month) ?? []));
  });

  it('equals the ledger’s path (every record counted in JavaScript) for the large committee and a branch', async () => {
    const service = t.app.get(StatisticsService);
    const ds = t.app.get(DataSource);
    const unitOf = async (id: string): Promise<OrgUnitEntity> =>
      (
        await ds.query(
          `SELECT id, name, type, parent_id AS "parentId", path, created_at AS "createdAt" FROM org_unit
         WHERE id = $1`,
          [id],
        )
      )[0];
    const now = new Date('2026-07-15T00:00:00Z');
    for (const id of [big.committeeId, big.branchIds[7]]) {
      const unit = await unitOf(id);
      const from = new Date(YEAR.from);
      const to = new Date(YEAR.to);
      const summary = await service.summary(unit, from, to, now);
      const reference = (await service.load(unit, from, to, now)).statistics;
      expect(summary).toEqual(reference);
    }
  });
});
