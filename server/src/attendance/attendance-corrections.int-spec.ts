/**
 * Corrections in the open: a branch secretary corrects a record the platform got wrong for a reason it cannot
 * see (joined by phone in the same room). The computed record stays; the correction is stored beside it with
 * its reason, audited through the one recompute mechanism, shown as 已更正 in the API, the exports and the
 * ledger, counted in the statistics, listed for the upper level, and kept by a later recompute (which says so).
 * Real PostgreSQL; the meeting and its presence are written straight into the database.
 */
import ExcelJS from 'exceljs';
import type { CorrectionListItem, MeetingAttendance, UnitStatistics } from '@branchmeet/shared';
import type { Response } from 'supertest';
import { demoUnits, userIdByPhone, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';

let t: TestApp;
let u: DemoUnits;
const auth = {} as Record<'secretary1' | 'member1' | 'committee', { Authorization: string }>;
let sec = '';
let zw = '';
let meetingId = '';
const START = new Date('2026-03-02T01:00:00Z');
const PERIOD = { from: '2026-03-01T00:00:00+08:00', to: '2026-04-01T00:00:00+08:00' };
const REASON = '在同一会议室用电话参会';

const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

beforeAll(async () => {
  t = await startTestApp();
  u = await demoUnits(t.ds);
  for (const who of ['secretary1', 'member1', 'committee'] as const) auth[who] = (await t.login(who)).auth;
  sec = await userIdByPhone(t.ds, '13800000011');
  zw = await userIdByPhone(t.ds, '13800000012');
  const [row]: { id: string }[] = await t.ds.query(
    `INSERT INTO meeting (unit_id, type, title, host_id, status, started_at, ended_at, created_by)
     VALUES ($1, 'committee_meeting', '三月支委会', $2, 'ended', $3, $4, $2) RETURNING id`,
    [u.branchA, sec, START, new Date(START.getTime() + 60 * 60_000)],
  );
  meetingId = row.id;
  for (const userId of [sec, zw])
    await t.ds.query(`INSERT INTO meeting_attendee (meeting_id, user_id, kind) VALUES ($1, $2, 'expected')`, [
      meetingId,
      userId,
    ]);
  await t.ds.query(
    `INSERT INTO presence_segment (meeting_id, user_id, peer_id, opened_at, closed_at, last_heartbeat_at, close_reason)
     VALUES ($1, $2, gen_random_uuid(), $3, $4, $4, 'ended')`,
    [meetingId, sec, START, new Date(START.getTime() + 60 * 60_000)],
  );
}, 60_000);
afterAll(() => t?.close());

const url = () => `/api/meetings/${meetingId}/attendance/${zw}/correction`;
const attendance = async () =>
  (await t.http().get(`/api/meetings/${meetingId}/attendance`).set(auth.secretary1).expect(200))
    .body as MeetingAttendance;
const zwOf = (a: MeetingAttendance) => a.records.find((r) => r.userId === zw)!;

it('before: the member who was in the room by phone is absent, nothing corrected', async () => {
  expect(zwOf(await attendance())).toMatchObject({ status: 'absent', correction: null });
});

it('a plain member may not correct; a reason is mandatory', async () => {
  expect(
    (await t.http().put(url()).set(auth.member1).send({ status: 'present', reason: REASON })).status,
  ).toBe(403);
  const noReason = await t.http().put(url()).set(auth.secretary1).send({ status: 'present', reason: '  ' });
  expect(noReason.status).toBe(400);
  expect(zwOf(await attendance()).status).toBe('absent');
});

it('the secretary corrects with a reason: 已更正 beside the computed record, audited', async () => {
  const res = await t.http().put(url()).set(auth.secretary1).send({ status: 'present', reason: REASON });
  expect(res.status).toBe(200);
  const rec = zwOf(res.body as MeetingAttendance);
  expect(rec).toMatchObject({
    status: 'present',
    computedStatus: 'absent',
    correction: { status: 'present', reason: REASON, correctedBy: sec, correctedByName: '李红梅' },
  });
  // The computed record stays as presence established it.
  const [stored] = await t.ds.query(
    `SELECT status FROM attendance_record WHERE meeting_id = $1 AND user_id = $2`,
    [meetingId, zw],
  );
  expect(stored.status).toBe('absent');
  const events: { actor_id: string; before: { correction: unknown }; after: Record<string, unknown> }[] =
    await t.ds.query(
      `SELECT actor_id, before, after FROM audit_event WHERE action = 'attendance.recompute' AND entity_id = $1`,
      [meetingId],
    );
  expect(events).toHaveLength(1);
  expect(events[0].actor_id).toBe(sec);
  expect(events[0].before.correction).toBeNull();
  expect(events[0].after).toMatchObject({
    cause: 'correction',
    userId: zw,
    status: 'present',
    reason: REASON,
  });
});

it('counted as corrected in the statistics; marked in the XLSX, CSV and the ledger', async () => {
  const s = (
    await t
      .http()
      .get(`/api/org-units/${u.branchA}/statistics`)
      .query(PERIOD)
      .set(auth.secretary1)
      .expect(200)
  ).body as UnitStatistics;
  expect(s.meetings.find((m) => m.meetingId === meetingId)).toMatchObject({
    expected: 2,
    attended: 2,
    rate: 100,
  });

  const csv = await t
    .http()
    .get(`/api/meetings/${meetingId}/attendance/export.csv`)
    .set(auth.secretary1)
    .expect(200);
  expect(csv.text).toContain(`出席（已更正：${REASON}）`);

  const xlsx = await t
    .http()
    .get(`/api/meetings/${meetingId}/attendance/export.xlsx`)
    .set(auth.secretary1)
    .buffer(true)
    .parse(binary)
    .expect(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx.body as unknown as ArrayBuffer);
  const cells: string[] = [];
  wb.worksheets[0].eachRow((row) => cells.push(...(row.values as unknown[]).map(String)));
  expect(cells).toContain(`出席（已更正：${REASON}）`);

  const ledger = await t
    .http()
    .get(`/api/org-units/${u.branchA}/ledger.xlsx`)
    .query(PERIOD)
    .set(auth.secretary1)
    .buffer(true)
    .parse(binary)
    .expect(200);
  const lw = new ExcelJS.Workbook();
  await lw.xlsx.load(ledger.body as unknown as ArrayBuffer);
  const detail: string[] = [];
  lw.getWorksheet('明细')!.eachRow((row) => detail.push(...(row.values as unknown[]).map(String)));
  expect(detail).toContain(`出席（已更正：${REASON}）`);
});

it('the upper level lists it; another recompute keeps it and says so', async () => {
  const list = (
    await t
      .http()
      .get(`/api/org-units/${u.committee}/attendance-corrections`)
      .query(PERIOD)
      .set(auth.committee)
      .expect(200)
  ).body as CorrectionListItem[];
  expect(list).toEqual([
    expect.objectContaining({
      meetingId,
      unitId: u.branchA,
      userId: zw,
      computedStatus: 'absent',
      status: 'present',
      reason: REASON,
    }),
  ]);
  expect(
    (await t.http().get(`/api/org-units/${u.branchA}/attendance-corrections`).query(PERIOD).set(auth.member1))
      .status,
  ).toBe(403);

  // The branch changes its rules and recomputes its meetings: the correction stands.
  await t
    .http()
    .put(`/api/org-units/${u.branchA}/attendance-rules`)
    .set(auth.secretary1)
    .send({ lateAfterMinutes: 10, presentMinPercent: 60, recomputeFrom: PERIOD.from })
    .expect(200);
  expect(zwOf(await attendance())).toMatchObject({ status: 'present', computedStatus: 'absent' });
  const [last]: { after: { cause: string; correctionsKept: number } }[] = await t.ds.query(
    `SELECT after FROM audit_event WHERE action = 'attendance.recompute' AND entity_id = $1 ORDER BY id DESC
     LIMIT 1`,
    [meetingId],
  );
  expect(last.after).toMatchObject({ cause: 'rules', correctionsKept: 1 });
});

it('a live meeting cannot be corrected (409)', async () => {
  const [live]: { id: string }[] = await t.ds.query(
    `INSERT INTO meeting (unit_id, type, title, host_id, status, started_at, created_by)
     VALUES ($1, 'committee_meeting', '进行中', $2, 'live', now(), $2) RETURNING id`,
    [u.branchA, sec],
  );
  const res = await t
    .http()
    .put(`/api/meetings/${live.id}/attendance/${zw}/correction`)
    .set(auth.secretary1)
    .send({ status: 'present', reason: REASON });
  expect(res.status).toBe(409);
});
