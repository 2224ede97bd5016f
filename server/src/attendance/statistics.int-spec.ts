/**
 * Statistics and the ledger (台账) over a period. Meetings, expected attendees, presence segments and leave are
 * written straight into the database (what scheduling and the media session would have recorded); every number
 * is checked against values computed by hand below, and the ledger is parsed back with exceljs.
 */
import ExcelJS from 'exceljs';
import { type MemberStatistics, UnitStatistics } from '@branchmeet/shared';
import type { Response } from 'supertest';
import { demoUnits, userIdByPhone, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';

let t: TestApp;
let u: DemoUnits;
const auth = {} as Record<'secretary1' | 'member1' | 'member2' | 'committee', { Authorization: string }>;
let sec = '';
let mem1 = '';
let zw = ''; // 张伟, organizer of branch A
const ids: Record<string, string> = {};
/** Q1 2026 in China time. */
const PERIOD = { from: '2026-01-01T00:00:00+08:00', to: '2026-04-01T00:00:00+08:00' };
const at = (iso: string, min = 0) => new Date(Date.parse(iso) + min * 60_000);

async function meeting(
  key: string,
  o: {
    unit?: string;
    type: string;
    start: string;
    status?: string;
    group?: string;
    /** How long it lasted (60 unless said). */
    minutes?: number;
    expected: string[];
    /** [user, from minute, to minute] within the one-hour meeting. */
    segments?: [string, number, number][];
    leave?: string[];
  },
) {
  const [row]: { id: string }[] = await t.ds.query(
    `INSERT INTO meeting (unit_id, type, title, host_id, status, group_id, started_at, ended_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $4) RETURNING id`,
    [
      o.unit ?? u.branchA,
      o.type,
      `会议${key}`,
      sec,
      o.status ?? 'ended',
      o.group ?? null,
      at(o.start),
      (o.status ?? 'ended') === 'ended' ? at(o.start, o.minutes ?? 60) : null,
    ],
  );
  ids[key] = row.id;
  for (const userId of o.expected)
    await t.ds.query(`INSERT INTO meeting_attendee (meeting_id, user_id, kind) VALUES ($1, $2, 'expected')`, [
      row.id,
      userId,
    ]);
  for (const [userId, from, to] of o.segments ?? [])
    await t.ds.query(
      `INSERT INTO presence_segment (meeting_id, user_id, peer_id, opened_at, closed_at, last_heartbeat_at, close_reason)
       VALUES ($1, $2, gen_random_uuid(), $3, $4, $4, 'left')`,
      [row.id, userId, at(o.start, from), at(o.start, to)],
    );
  for (const userId of o.leave ?? [])
    await t.ds.query(
      `INSERT INTO leave_request (meeting_id, user_id, reason, status, decided_by, decided_at)
       VALUES ($1, $2, '出差', 'approved', $3, now())`,
      [row.id, userId, sec],
    );
}

const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const stats = (unitId: string, who: keyof typeof auth, query: object = PERIOD) =>
  t.http().get(`/api/org-units/${unitId}/statistics`).query(query).set(auth[who]);

beforeAll(async () => {
  t = await startTestApp();
  u = await demoUnits(t.ds);
  for (const who of ['secretary1', 'member1', 'member2', 'committee'] as const)
    auth[who] = (await t.login(who)).auth;
  sec = await userIdByPhone(t.ds, '13800000011');
  mem1 = (await t.login('member1')).session.me.user.id;
  zw = await userIdByPhone(t.ds, '13800000012');
  const secName = (await t.ds.query('SELECT name FROM app_user WHERE id = $1', [sec]))[0].name;
  expect(secName).toBe('李红梅');

  // M1: 01:00 on 1 January in Beijing (still 31 December in UTC): inside Q1.
  await meeting('M1', {
    type: 'branch_assembly',
    start: '2025-12-31T17:00:00Z',
    expected: [sec, mem1, zw],
    segments: [
      [sec, 0, 60], // present
      [mem1, 10, 60], // late (10 > 5 minutes), 50 minutes
    ],
    leave: [zw], // excused
  });
  await meeting('M2', {
    type: 'committee_meeting',
    start: '2026-01-20T02:00:00Z',
    expected: [sec, zw],
    segments: [[sec, 0, 20]], // left early (20 of 60 < 50%); zw absent
  });
  await meeting('M3', {
    type: 'committee_meeting',
    start: '2026-02-05T02:00:00Z',
    expected: [sec, zw],
    segments: [
      [sec, 0, 60],
      [zw, 1, 31], // exactly 50%: present
    ],
  });
  await meeting('M4', {
    type: 'lecture',
    start: '2026-03-15T02:00:00Z',
    expected: [sec, mem1],
    segments: [
      [sec, 0, 60],
      [mem1, 0, 20],
      [mem1, 15, 40], // overlaps (another device): 40 minutes in all
    ],
  });
  await meeting('M5', {
    type: 'group_meeting',
    group: u.groupA,
    start: '2026-01-25T02:00:00Z',
    expected: [mem1],
    segments: [[mem1, 0, 60]],
  });
  // Not in the period or not held: 01:00 on 1 April in Beijing; a live meeting; a cancelled one; branch B's.
  await meeting('X1', { type: 'committee_meeting', start: '2026-03-31T17:00:00Z', expected: [sec] });
  await meeting('X2', {
    type: 'committee_meeting',
    start: '2026-03-10T02:00:00Z',
    status: 'live',
    expected: [sec],
  });
  await meeting('X3', {
    type: 'theme_day',
    start: '2026-03-11T02:00:00Z',
    status: 'cancelled',
    expected: [sec],
  });
  const [b2sec] = await t.ds.query(
    `SELECT user_id FROM membership WHERE unit_id = $1 AND role = 'secretary'`,
    [u.branchB],
  );
  await meeting('B1', {
    unit: u.branchB,
    type: 'branch_assembly',
    start: '2026-02-01T02:00:00Z',
    expected: [b2sec.user_id],
    segments: [[b2sec.user_id, 0, 60]],
  });
  // Branch B's 党课 of Q1 lasted 2 minutes: held, attended, but it does not count toward the quarter's 党课.
  await meeting('B2', {
    unit: u.branchB,
    type: 'lecture',
    start: '2026-02-10T02:00:00Z',
    minutes: 2,
    expected: [b2sec.user_id],
    segments: [[b2sec.user_id, 0, 2]],
  });
}, 60_000);
afterAll(() => t?.close());

/**
 * Hand-computed: 实到 = present + late + left early (who came); the rate counts present, late and 补学 only
 * (left early and absent do not, excused is apart): attended / 应到, one decimal. M2's only attendee left early
 * after 20 of 60 minutes: 实到 1 but rate 0%, not 50%.
 */
const meetingCounts = {
  M1: { expected: 3, present: 2, leftEarly: 0, attended: 2, excused: 1, absent: 0, rate: 66.7 },
  M5: { expected: 1, present: 1, leftEarly: 0, attended: 1, excused: 0, absent: 0, rate: 100 },
  M2: { expected: 2, present: 1, leftEarly: 1, attended: 0, excused: 0, absent: 1, rate: 0 },
  M3: { expected: 2, present: 2, leftEarly: 0, attended: 2, excused: 0, absent: 0, rate: 100 },
  M4: { expected: 2, present: 2, leftEarly: 0, attended: 2, excused: 0, absent: 0, rate: 100 },
};
const memberCounts = (): Record<string, Omit<MemberStatistics, 'userId' | 'name'>> => ({
  // Left early once in four meetings: 75%, not 100%.
  [sec]: { expected: 4, present: 3, late: 0, leftEarly: 1, absent: 0, excused: 0, makeUp: 0, rate: 75 },
  [mem1]: { expected: 3, present: 2, late: 1, leftEarly: 0, absent: 0, excused: 0, makeUp: 0, rate: 100 },
  [zw]: { expected: 3, present: 1, late: 0, leftEarly: 0, absent: 1, excused: 1, makeUp: 0, rate: 33.3 },
});

describe('statistics', () => {
  let s: UnitStatistics;
  beforeAll(async () => {
    const res = await stats(u.branchA, 'secretary1');
    expect(res.status).toBe(200);
    s = res.body;
    // The response is what the shared schema says.
    expect(UnitStatistics.parse(s)).toEqual(s);
  });

  it('per meeting: 应到 / 实到 / 请假 / 缺席 and rate, ended meetings of the period only', () => {
    expect(s.meetings.map((m) => m.meetingId)).toEqual(['M1', 'M2', 'M5', 'M3', 'M4'].map((k) => ids[k]));
    for (const [key, counts] of Object.entries(meetingCounts))
      expect(s.meetings.find((m) => m.meetingId === ids[key])).toMatchObject(counts);
    expect(s.meetings.find((m) => m.meetingId === ids.M5)).toMatchObject({
      type: 'group_meeting',
      groupId: u.groupA,
    });
    expect(s.summary).toEqual({
      meetingsHeld: 5,
      expected: 10,
      present: 8,
      leftEarly: 1,
      attended: 7,
      excused: 1,
      absent: 1,
      makeUp: 0,
      rate: 70,
      requiredTotal: 11,
      requiredMet: 5,
    });
  });

  it('per member over the period', () => {
    expect(s.members).toHaveLength(3);
    const want = memberCounts();
    for (const m of s.members) expect(m).toEqual({ userId: m.userId, name: m.name, ...want[m.userId] });
    expect(s.members.find((m) => m.userId === sec)!.name).toBe('李红梅');
  });

  it('required meetings: held against required per month and quarter; a missing month is flagged', () => {
    const check = (period: string, type: string) =>
      s.required.filter((c) => c.period === period && c.type === type).map((c) => [c.held, c.met]);
    expect(check('2026-Q1', 'branch_assembly')).toEqual([[1, true]]);
    expect(check('2026-Q1', 'lecture')).toEqual([[1, true]]);
    expect(check('2026-01', 'committee_meeting')).toEqual([[1, true]]);
    expect(check('2026-02', 'committee_meeting')).toEqual([[1, true]]);
    // The only March committee meeting is live (not held) and the next began on 1 April in Beijing.
    expect(check('2026-03', 'committee_meeting')).toEqual([[0, false]]);
    expect(check('2026-01', 'group_meeting')).toEqual([[1, true]]);
    expect(check('2026-02', 'group_meeting')).toEqual([[0, false]]);
    expect(s.required.filter((c) => c.type === 'group_meeting').every((c) => c.groupId === u.groupA)).toBe(
      true,
    );
    expect(s.required.filter((c) => c.type === 'theme_day').map((c) => c.met)).toEqual([false, false, false]);
    expect(s.required).toHaveLength(11);
    expect(s.required.every((c) => c.complete)).toBe(true);
    expect(s.required.find((c) => c.period === '2026-03')!.periodStart).toBe('2026-02-28T16:00:00.000Z');
  });

  it('required meetings say which meetings counted and why the others did not', () => {
    const of = (period: string, type: string) =>
      s.required
        .find((c) => c.period === period && c.type === type)!
        .meetings.map((m) => [m.meetingId, m.reason]);
    expect(of('2026-Q1', 'lecture')).toEqual([[ids.M4, 'counted']]);
    expect(of('2026-03', 'committee_meeting')).toEqual([[ids.X2, 'not_ended']]);
    expect(of('2026-03', 'theme_day')).toEqual([[ids.X3, 'cancelled']]);
    expect(s.required.every((c) => c.minMinutes === 30)).toBe(true);
  });

  it('the branch sets the minimum: 90 minutes and its hour-long meetings do not count; 0 turns it off', async () => {
    const put = (meetingMinMinutes: number) =>
      t
        .http()
        .put(`/api/org-units/${u.branchA}/attendance-rules`)
        .set(auth.secretary1)
        .send({ lateAfterMinutes: 5, presentMinPercent: 50, meetingMinMinutes })
        .expect(200);
    expect((await put(90)).body).toMatchObject({ meetingMinMinutes: 90 });
    const long = (await stats(u.branchA, 'secretary1').expect(200)).body as UnitStatistics;
    expect(long.summary.requiredMet).toBe(0);
    expect(long.required.find((c) => c.type === 'lecture')!.meetings[0]).toMatchObject({
      reason: 'too_short',
      minutes: 60,
    });
    await put(0);
    const off = (await stats(u.branchA, 'secretary1').expect(200)).body as UnitStatistics;
    expect(off.summary.requiredMet).toBe(5);
    expect(off.required.every((c) => c.minMinutes === 0)).toBe(true);
    await put(30);
  });

  it('an upper unit sees the same summary per branch below it', async () => {
    const res = await stats(u.committee, 'committee').expect(200);
    const c = res.body as UnitStatistics;
    expect(c.unitType).toBe('committee');
    expect(c.meetings).toEqual([]);
    expect(c.required).toEqual([]);
    expect(c.branches.map((b) => b.unitId)).toEqual([u.branchA, u.branchB]);
    expect(c.branches[0].summary).toEqual(s.summary);
    expect(c.branches[0].required).toEqual(s.required);
    expect(c.branches[1].summary).toEqual({
      meetingsHeld: 2,
      expected: 2,
      present: 2,
      leftEarly: 0,
      attended: 2,
      excused: 0,
      absent: 0,
      makeUp: 0,
      rate: 100,
      requiredTotal: 8, // no party groups in branch B
      requiredMet: 1, // the 2-minute 党课 does not count
    });
    const lecture = c.branches[1].required.find((x) => x.type === 'lecture')!;
    expect(lecture).toMatchObject({ period: '2026-Q1', held: 0, met: false, minMinutes: 30 });
    expect(lecture.meetings).toEqual([
      expect.objectContaining({ meetingId: ids.B2, minutes: 2, reason: 'too_short' }),
    ]);
    // A branch secretary who sits on the committee (委员) reads it, but not the branches below it.
    const asMember = (await stats(u.committee, 'secretary1').expect(200)).body as UnitStatistics;
    expect(asMember.branches).toEqual([]);
  });

  it('members read their branch; a member of another branch gets 404; the period is validated', async () => {
    expect((await stats(u.branchA, 'member1')).status).toBe(200);
    const other = await stats(u.branchA, 'member2');
    expect(other.status).toBe(404);
    expect(other.body.code).toBeDefined();
    expect((await stats(u.branchA, 'secretary1', { from: PERIOD.to, to: PERIOD.from })).status).toBe(400);
    expect((await stats(u.branchA, 'secretary1', { from: 'yesterday', to: PERIOD.to })).status).toBe(400);
    expect(
      (await stats(u.branchA, 'secretary1', { from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }))
        .status,
    ).toBe(400);
  });
});

describe('ledger (台账)', () => {
  const download = (unitId: string, who: keyof typeof auth) =>
    t
      .http()
      .get(`/api/org-units/${unitId}/ledger.xlsx`)
      .query(PERIOD)
      .set(auth[who])
      .buffer(true)
      .parse(binary);

  /** The sheet's rows as arrays of cell values (an empty cell as ''). */
  function table(sheet: ExcelJS.Worksheet, width: number): unknown[][] {
    const rows: unknown[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row, n) => {
      rows[n - 1] = Array.from({ length: width }, (_, i) => (row.values as unknown[])[i + 1] ?? '');
    });
    return Array.from(rows, (r) => r ?? []);
  }

  it('parses back and equals the statistics, with one row per member and meeting', async () => {
    const s = (await stats(u.branchA, 'secretary1').expect(200)).body as UnitStatistics;
    const res = await download(u.branchA, 'secretary1').expect(200);
    expect(res.headers['content-disposition']).toContain(
      encodeURIComponent('第一党支部-台账-2026-01-01至2026-03-31.xlsx'),
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '党员', '明细', '三会一课']);

    const summary = table(wb.getWorksheet('汇总')!, 10);
    const head = summary.findIndex((r) => r[0] === '日期');
    const block = new Map(summary.slice(0, head).map((r) => [r[0], r[1]]));
    expect(block.get('组织')).toBe('第一党支部');
    // The period names its last day included, as the file name does (not "至 2026-04-01 00:00:00").
    expect(block.get('统计区间')).toBe('2026-01-01 至 2026-03-31（含）');
    expect([block.get('召开会议'), block.get('应到人次'), block.get('实到人次')]).toEqual([5, 10, 8]);
    expect([block.get('早退人次'), block.get('请假人次'), block.get('缺席人次')]).toEqual([1, 1, 1]);
    expect([block.get('补学人次'), block.get('出席率')]).toEqual([0, `${s.summary.rate}%`]);
    expect(block.get('出席率')).toBe('70%');
    expect(String(block.get('出席率口径'))).toContain('早退、缺席不计入');
    expect(block.get('三会一课达标')).toBe('5/11');
    expect(summary.slice(head + 1).map((r) => [r[1], ...r.slice(3)])).toEqual(
      s.meetings.map((m) => [
        m.title,
        m.expected,
        m.present,
        m.leftEarly,
        m.excused,
        m.absent,
        m.makeUp,
        m.rate,
      ]),
    );
    expect(summary[head + 1].slice(0, 3)).toEqual(['2026-01-01 01:00:00', '会议M1', '支部党员大会']);

    const members = table(wb.getWorksheet('党员')!, 9);
    expect(members.slice(1)).toEqual(
      s.members.map((m) => [
        m.name,
        m.expected,
        m.present,
        m.late,
        m.leftEarly,
        m.absent,
        m.excused,
        m.makeUp,
        m.rate,
      ]),
    );
    expect(members.find((r) => r[0] === '李红梅')?.[8]).toBe(75);

    const detail = table(wb.getWorksheet('明细')!, 9).slice(1);
    expect(detail).toHaveLength(s.summary.expected);
    const zh: Record<string, string> = {
      出席: 'present',
      迟到: 'late',
      早退: 'leftEarly',
      缺席: 'absent',
      请假: 'excused',
    };
    for (const m of s.members) {
      const mine = detail.filter((r) => r[3] === m.name).map((r) => zh[String(r[4])]);
      const count = (k: string) => mine.filter((x) => x === k).length;
      expect([
        mine.length,
        count('present'),
        count('late'),
        count('leftEarly'),
        count('absent'),
        count('excused'),
      ]).toEqual([m.expected, m.present, m.late, m.leftEarly, m.absent, m.excused]);
    }
    // mem1 in the lecture: two overlapping devices, 0–40 minutes.
    const lecture = detail.find((r) => r[1] === '会议M4' && r[3] === '刘洋')!;
    expect(lecture.slice(4)).toEqual(['出席', '2026-03-15 10:00:00', '2026-03-15 10:40:00', 1, 40]);

    const required = table(wb.getWorksheet('三会一课')!, 6).slice(1);
    expect(required).toHaveLength(11);
    expect(required.filter((r) => r[4] === '是')).toHaveLength(5);
    // Which meetings counted and why the others did not.
    expect(required.find((r) => r[0] === '2026-Q1' && r[1] === '党课')?.[5]).toBe('会议M4（计入，60 分钟）');
    expect(required.find((r) => r[0] === '2026-03' && r[1] === '主题党日')?.[5]).toBe(
      '会议X3（不计入：已取消）',
    );
  });

  it('an upper unit gets a sheet of its branches; a plain member gets 403, another branch 404', async () => {
    const res = await download(u.committee, 'committee').expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    const branches = table(wb.getWorksheet('各支部')!, 10).slice(1);
    expect(branches.map((r) => [r[0], r[1], r[2], r[3], r[9]])).toEqual([
      ['第一党支部', 5, 10, 8, '5/11'],
      ['第二党支部', 2, 2, 2, '1/8'], // its 2-minute 党课 was held but does not count
    ]);
    expect((await download(u.branchA, 'member1')).status).toBe(403);
    expect((await download(u.branchA, 'member2')).status).toBe(404);
  });
});
