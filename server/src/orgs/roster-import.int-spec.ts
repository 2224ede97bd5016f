import type { RosterImportReport, RosterMember } from '@branchmeet/shared';
import type { Response } from 'supertest';
import {
  DemoUnits,
  demoUnits,
  membershipCount,
  readXlsxTable,
  rosterCsv,
  RosterFileRow,
  rosterHeader,
  rosterRows,
  rosterXlsx,
} from '../test-support/fixtures';
import { startTestApp, TestApp } from '../test-support/int-app';

/** Collects a binary response body (an XLSX download) into a Buffer. */
function binary(res: unknown, done: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  const stream = res as NodeJS.ReadableStream;
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

describe('roster import and export (real PostgreSQL, real files)', () => {
  let t: TestApp;
  let u: DemoUnits;
  let secretary1: { Authorization: string };
  let secretary2: { Authorization: string };
  let admin: { Authorization: string };

  const count = async (sql: string, params: unknown[] = []) => Number((await t.ds.query(sql, params))[0].n);
  const auditCount = () => count('SELECT count(*) AS n FROM audit_event');
  const userCount = () => count('SELECT count(*) AS n FROM app_user');
  const unitCount = () => count('SELECT count(*) AS n FROM org_unit');
  const upload = (
    unitId: string,
    auth: Record<string, string>,
    content: Buffer,
    name: string,
    query: Record<string, string> = {},
  ) =>
    t
      .http()
      .post(`/api/org-units/${unitId}/roster/import`)
      .set(auth)
      .query(query)
      .attach('file', content, name);
  const report = (res: Response) => res.body as RosterImportReport;

  beforeAll(async () => {
    t = await startTestApp();
    u = await demoUnits(t.ds);
    secretary1 = (await t.login('secretary1')).auth;
    secretary2 = (await t.login('secretary2')).auth;
    admin = (await t.login('admin')).auth;
  });
  afterAll(() => t?.close());

  // 1,000 people for 第一党支部; spreadsheet row = index + 2 (row 1 is the header).
  const good = rosterRows(1000, '137');
  const bad: RosterFileRow[] = good.map((r) => ({ ...r }));
  bad[100].手机号 = '1370000010'; // row 102: ten digits
  bad[500].职务 = '队长'; // row 502: not a post in a branch
  bad[900].手机号 = good[10].手机号; // row 902: the phone of row 12

  it('refuses a 1,000-row XLSX with 3 bad rows: reports exactly those rows and changes nothing', async () => {
    const before = {
      roster: await membershipCount(t.ds, u.branchA),
      users: await userCount(),
      units: await unitCount(),
      audit: await auditCount(),
    };
    const res = await upload(u.branchA, secretary1, await rosterXlsx(bad), '第一党支部花名册.xlsx').expect(
      200,
    );
    const r = report(res);
    expect(r).toMatchObject({ applied: false, totalRows: 1000, created: 0, updated: 0, groupsCreated: [] });
    expect(r.errors.map((x) => x.row)).toEqual([102, 502, 902]);
    expect(r.errors[0].reasons).toEqual(['手机号须为 11 位大陆手机号码']);
    expect(r.errors[1].reasons).toEqual(['未知职务“队长”（可填：书记/副书记/组织委员/委员/党员）']);
    expect(r.errors[2].reasons).toEqual([`手机号 ${good[10].手机号} 与第 12 行重复`]);
    // Nothing changed; the refused file is one line of the audit trail (it told which phones are registered).
    expect({
      roster: await membershipCount(t.ds, u.branchA),
      users: await userCount(),
      units: await unitCount(),
      audit: await auditCount(),
    }).toEqual({ ...before, audit: before.audit + 1 });
    const [line] = await t.ds.query(
      `SELECT action, unit_id, after FROM audit_event ORDER BY id DESC LIMIT 1`,
    );
    expect(line).toMatchObject({
      action: 'roster.import_refused',
      unit_id: u.branchA,
      after: { rows: 1000, badRows: 3 },
    });
  });

  it('imports the corrected file: all 1,000 people, their party groups, audited, chain intact', async () => {
    const rosterBefore = await membershipCount(t.ds, u.branchA);
    const [{ max: lastEventBefore }] = await t.ds.query('SELECT max(id) AS max FROM audit_event');
    const res = await upload(u.branchA, secretary1, await rosterXlsx(good), '第一党支部花名册.xlsx').expect(
      200,
    );
    expect(report(res)).toEqual({
      applied: true,
      totalRows: 1000,
      errors: [],
      created: 1000,
      updated: 0,
      groupsCreated: ['第二党小组', '第三党小组'],
    });
    expect(await membershipCount(t.ds, u.branchA)).toBe(rosterBefore + 1000);

    // What the secretary sees: every person with the post, type and group from the file.
    const roster: RosterMember[] = (
      await t.http().get(`/api/org-units/${u.branchA}/members`).set(secretary1).expect(200)
    ).body;
    const byPhone = new Map(roster.map((m) => [m.phone, m]));
    const labels = {
      党员: 'member',
      副书记: 'deputy_secretary',
      组织委员: 'organizer',
      委员: 'committee_member',
    } as const;
    for (const row of good) {
      const m = byPhone.get(row.手机号);
      expect(m).toMatchObject({
        name: row.姓名,
        role: labels[row.职务 as keyof typeof labels],
        memberType: row.党员类型 === '预备党员' ? 'probationary' : 'member',
        groupName: row.党小组,
      });
    }
    const groups: { name: string; n: string }[] = await t.ds.query(
      `SELECT g.name, count(m.id) AS n FROM org_unit g LEFT JOIN membership m ON m.unit_id = g.id
        WHERE g.parent_id = $1 AND g.type = 'group' GROUP BY g.name ORDER BY g.name`,
      [u.branchA],
    );
    // 第一党小组 already had 4 demo members.
    expect(Object.fromEntries(groups.map((g) => [g.name, Number(g.n)]))).toEqual({
      第一党小组: 334 + 4,
      第二党小组: 333,
      第三党小组: 333,
    });

    const events: { action: string; n: string }[] = await t.ds.query(
      'SELECT action, count(*) AS n FROM audit_event WHERE id > $1 GROUP BY action ORDER BY action',
      [lastEventBefore],
    );
    expect(Object.fromEntries(events.map((x) => [x.action, Number(x.n)]))).toEqual({
      'member.add': 1000,
      'unit.create': 2,
    });
    const verify = await t.http().get('/api/audit/verify').set(admin).expect(200);
    expect(verify.body).toEqual({ ok: true, checked: await auditCount(), firstBroken: null });
  });

  it('re-importing the same file changes nothing and appends no audit events', async () => {
    const roster = await membershipCount(t.ds, u.branchA);
    const audit = await auditCount();
    const res = await upload(u.branchA, secretary1, await rosterXlsx(good), 'again.xlsx').expect(200);
    expect(report(res)).toMatchObject({
      applied: true,
      errors: [],
      created: 0,
      updated: 0,
      groupsCreated: [],
    });
    expect(await membershipCount(t.ds, u.branchA)).toBe(roster);
    expect(await auditCount()).toBe(audit);
  });

  it('exports an XLSX that reads back to exactly the roster', async () => {
    const res = await t
      .http()
      .get(`/api/org-units/${u.branchA}/roster/export`)
      .set(secretary1)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(decodeURIComponent(res.headers['content-disposition'])).toContain('第一党支部-花名册.xlsx');
    const [header, ...body] = await readXlsxTable(res.body as Buffer);
    expect(header).toEqual([...rosterHeader]);

    const roster: RosterMember[] = (
      await t.http().get(`/api/org-units/${u.branchA}/members`).set(secretary1).expect(200)
    ).body;
    const roleZh = {
      secretary: '书记',
      deputy_secretary: '副书记',
      organizer: '组织委员',
      committee_member: '委员',
      member: '党员',
    };
    const typeZh = { member: '正式党员', probationary: '预备党员' };
    expect(body).toEqual(
      roster.map((m) => [m.name, m.phone, roleZh[m.role], typeZh[m.memberType], m.groupName ?? '']),
    );
    expect(body).toHaveLength(1000 + 9);
    // And the file a secretary imported is in it, row for row.
    const exported = new Set(body.map((r) => r.join('|')));
    expect(good.filter((r) => !exported.has(rosterHeader.map((h) => r[h]).join('|')))).toEqual([]);
  });

  it('imports a CSV saved with a UTF-8 byte-order mark (Excel "CSV UTF-8")', async () => {
    const rows = rosterRows(5, '135').map((r) => ({ ...r, 党小组: '' }));
    const csv = rosterCsv(rows, { bom: true });
    expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const before = await membershipCount(t.ds, u.branchB);
    const res = await upload(u.branchB, secretary2, csv, '第二党支部.csv').expect(200);
    expect(report(res)).toMatchObject({ applied: true, errors: [], created: 5, totalRows: 5 });
    expect(await membershipCount(t.ds, u.branchB)).toBe(before + 5);
    const roster: RosterMember[] = (
      await t
        .http()
        .get(`/api/org-units/${u.branchB}/members`)
        .set(secretary2)
        .query({ q: rows[0].姓名 })
        .expect(200)
    ).body;
    expect(roster).toEqual([
      expect.objectContaining({ name: rows[0].姓名, phone: rows[0].手机号, role: 'deputy_secretary' }),
    ]);
  });

  it('?dryRun=true reports what would happen and changes nothing', async () => {
    const rows = rosterRows(20, '134').map((r, i) => ({ ...r, 党小组: i < 10 ? '试运行小组' : '' }));
    const before = {
      roster: await membershipCount(t.ds, u.branchB),
      users: await userCount(),
      units: await unitCount(),
      audit: await auditCount(),
    };
    const res = await upload(u.branchB, secretary2, await rosterXlsx(rows), 'dry.xlsx', {
      dryRun: 'true',
    }).expect(200);
    expect(report(res)).toEqual({
      applied: false,
      totalRows: 20,
      errors: [],
      created: 20,
      updated: 0,
      groupsCreated: ['试运行小组'],
    });
    // Nothing changed; the rehearsal itself is one line of the audit trail.
    expect({
      roster: await membershipCount(t.ds, u.branchB),
      users: await userCount(),
      units: await unitCount(),
      audit: await auditCount(),
    }).toEqual({ ...before, audit: before.audit + 1 });
    const [line] = await t.ds.query(
      `SELECT action, actor_id, unit_id, after FROM audit_event ORDER BY id DESC LIMIT 1`,
    );
    expect(line).toMatchObject({
      action: 'roster.dry_run',
      unit_id: u.branchB,
      after: { rows: 20, created: 20 },
    });
    // The same file without dryRun then applies exactly what the rehearsal reported.
    const real = await upload(u.branchB, secretary2, await rosterXlsx(rows), 'dry.xlsx').expect(200);
    expect(report(real)).toMatchObject({ applied: true, created: 20, groupsCreated: ['试运行小组'] });
    expect(await membershipCount(t.ds, u.branchB)).toBe(before.roster + 20);
  });

  it('treats a phone that belongs to someone else by another name as a bad row', async () => {
    const rows = rosterRows(3, '133');
    rows[1] = { ...rows[1], 姓名: '张三', 手机号: '13800000012' }; // 13800000012 is 张伟 of 第一党支部
    const before = await membershipCount(t.ds, u.branchB);
    const res = await upload(u.branchB, secretary2, rosterCsv(rows), 'x.csv').expect(200);
    expect(report(res)).toMatchObject({ applied: false, created: 0 });
    // The holder's name is never told (no phone → name look-up for a manager of another branch).
    expect(report(res).errors).toEqual([{ row: 3, reasons: ['手机号 13800000012 已被注册'] }]);
    expect(JSON.stringify(report(res))).not.toContain('张伟');
    expect(await membershipCount(t.ds, u.branchB)).toBe(before);

    // The same person under their own name is welcome: one person may belong to two branches.
    rows[1].姓名 = '张伟';
    const ok = await upload(u.branchB, secretary2, rosterCsv(rows), 'x.csv').expect(200);
    expect(report(ok)).toMatchObject({ applied: true, created: 3, errors: [] });
  });

  it('changes a post through re-import and counts it as updated, with before/after in the audit log', async () => {
    const rows = rosterRows(1000, '137');
    rows[999] = { ...rows[999], 职务: '组织委员' };
    const res = await upload(u.branchA, secretary1, await rosterXlsx(rows), 'v2.xlsx').expect(200);
    expect(report(res)).toMatchObject({ applied: true, created: 0, updated: 1 });
    const [event] = await t.ds.query(
      `SELECT action, before, after FROM audit_event ORDER BY id DESC LIMIT 1`,
    );
    expect(event).toMatchObject({
      action: 'member.update',
      before: { phone: rows[999].手机号, role: 'member' },
      after: { phone: rows[999].手机号, role: 'organizer', source: 'roster.import' },
    });
  });
});
