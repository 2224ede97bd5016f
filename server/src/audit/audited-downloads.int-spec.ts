/**
 * Every export and download of personal data, and every read of the audit log, is one audit line: who, what,
 * under which unit, in which format — never the exported rows.
 */
import { demoUnits, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';

let t: TestApp;
let u: DemoUnits;
let secretary: { Authorization: string };
let secretaryId: string;
let meetingId: string;

beforeAll(async () => {
  t = await startTestApp({ env: { AUDIT_CHECKPOINT_SECONDS: '0' } });
  u = await demoUnits(t.ds);
  const login = await t.login('secretary1');
  secretary = login.auth;
  secretaryId = login.session.me.user.id;
  const res = await t
    .http()
    .post(`/api/org-units/${u.branchA}/meetings/live`)
    .set(secretary)
    .send({ title: '导出审计' })
    .expect(201);
  meetingId = res.body.id;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

/** The line is written once the file is out (after the response): wait for `n` of them. */
async function linesOf(action: string, n: number) {
  const end = Date.now() + 10_000;
  for (;;) {
    const got = await lines(action);
    if (got.length >= n || Date.now() > end) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
}
const lines = (action: string) =>
  t.ds.query(
    `SELECT actor_id, entity_type, entity_id, unit_id, after FROM audit_event WHERE action = $1 ORDER BY id`,
    [action],
  ) as Promise<
    { actor_id: string; entity_type: string; entity_id: string; unit_id: string; after: object }[]
  >;

it('audits attendance exports (XLSX, CSV, sign-in PDF) under the meeting’s unit, one line each, no rows', async () => {
  for (const path of ['export.xlsx', 'export.csv', 'sign-in.pdf']) {
    await t.http().get(`/api/meetings/${meetingId}/attendance/${path}`).set(secretary).expect(200);
  }
  const got = await linesOf('attendance.export', 3);
  expect(got).toEqual(
    ['xlsx', 'csv', 'sign-in-pdf'].map((format) => ({
      actor_id: secretaryId,
      entity_type: 'meeting',
      entity_id: meetingId,
      unit_id: u.branchA,
      after: { format },
    })),
  );
});

it('audits the period ledger and the minutes exports, with the period asked for', async () => {
  const period = { from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' };
  await t.http().get(`/api/org-units/${u.branchA}/ledger.xlsx`).query(period).set(secretary).expect(200);
  expect(await linesOf('ledger.export', 1)).toEqual([
    {
      actor_id: secretaryId,
      entity_type: 'org_unit',
      entity_id: u.branchA,
      unit_id: u.branchA,
      after: { format: 'xlsx', ...period },
    },
  ]);
  await t.http().get(`/api/meetings/${meetingId}/minutes`).set(secretary).expect(200);
  await t.http().get(`/api/meetings/${meetingId}/minutes/export.docx`).set(secretary).expect(200);
  await t
    .http()
    .get(`/api/org-units/${u.branchA}/minutes/export.pdf`)
    .query(period)
    .set(secretary)
    .expect(200);
  expect((await linesOf('minutes.export', 2)).map((l) => [l.entity_type, l.unit_id, l.after])).toEqual([
    ['meeting', u.branchA, { format: 'docx' }],
    ['org_unit', u.branchA, { format: 'period-pdf', ...period }],
  ]);
});

it('does not audit a refused export (nothing was disclosed)', async () => {
  const member = (await t.login('member1')).auth;
  const before = (await lines('attendance.export')).length;
  const res = await t.http().get(`/api/meetings/${meetingId}/attendance/export.csv`).set(member);
  expect(res.status).toBe(403);
  // A later allowed export is audited; the refused one before it is not.
  await t.http().get(`/api/meetings/${meetingId}/attendance/export.csv`).set(secretary).expect(200);
  const after = await linesOf('attendance.export', before + 1);
  expect(after.length).toBe(before + 1);
  expect(after[after.length - 1].actor_id).toBe(secretaryId);
});

it('audits each read of the audit log: who looked at which unit’s events', async () => {
  const admin = await t.login('admin');
  await t.http().get('/api/audit/events').query({ unitId: u.branchA, limit: 20 }).set(admin.auth).expect(200);
  expect(await lines('audit.read')).toEqual([
    {
      actor_id: admin.session.me.user.id,
      entity_type: 'audit_event',
      entity_id: null,
      unit_id: u.branchA,
      after: { limit: 20, beforeId: null },
    },
  ]);
});
