/**
 * Attendance exports, parsed back: the XLSX with exceljs, the CSV with csv-parse, the sign-in PDF's text with
 * pdf-parse (pdf.js). The meeting is opened through the API; its presence segments are written straight into
 * the database (what the media session would have recorded), so no media is needed. Every file must say what
 * GET attendance and the database say; a name that starts with `=` comes out of the CSV neutralised.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { MeetingAttendance } from '@branchmeet/shared';
import type { Response } from 'supertest';
import { demoUnits, phoneSequence } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';

let t: TestApp;
const auth = {} as Record<'secretary1' | 'member1' | 'member2' | 'committee', { Authorization: string }>;
let meetingId = '';
let attendance: MeetingAttendance;
let phones: Map<string, string>;
const EVIL = '=HYPERLINK("x")';
const START = Date.parse('2026-03-02T01:00:00Z'); // 09:00 in Beijing
const min = (m: number) => new Date(START + m * 60_000);

/** What a reader in China sees for an instant, by the runtime's own time-zone database (not the server's code). */
const beijing = (iso: string | null) =>
  iso === null
    ? ''
    : new Intl.DateTimeFormat('sv-SE', {
        timeZone: 'Asia/Shanghai',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      }).format(new Date(iso));
const zh = {
  present: '出席',
  late: '迟到',
  left_early: '早退',
  absent: '缺席',
  excused: '请假',
  make_up: '补学',
} as const;

const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const download = (path: string, who: keyof typeof auth) =>
  t.http().get(path).set(auth[who]).buffer(true).parse(binary);
const url = (what: 'export.xlsx' | 'export.csv' | 'sign-in.pdf') =>
  `/api/meetings/${meetingId}/attendance/${what}`;

beforeAll(async () => {
  t = await startTestApp();
  const { branchA } = await demoUnits(t.ds);
  for (const who of Object.keys({
    secretary1: 0,
    member1: 0,
    member2: 0,
    committee: 0,
  }) as (keyof typeof auth)[])
    auth[who] = (await t.login(who)).auth;

  const phone = phoneSequence('135');
  const added = await t
    .http()
    .post(`/api/org-units/${branchA}/members`)
    .set(auth.secretary1)
    .send({ name: EVIL, phone: phone() });
  expect(added.status).toBe(201);

  const opened = await t.http().post(`/api/org-units/${branchA}/meetings/live`).set(auth.secretary1).send({});
  expect(opened.status).toBe(201);
  meetingId = opened.body.id;
  await t.ds.query(`UPDATE meeting SET started_at = $2, ended_at = $3, status = 'ended' WHERE id = $1`, [
    meetingId,
    min(0),
    min(60),
  ]);

  const members: { id: string; name: string; phone: string }[] = await t.ds.query(
    `SELECT u.id, u.name, u.phone FROM membership m JOIN app_user u ON u.id = m.user_id WHERE m.unit_id = $1`,
    [branchA],
  );
  phones = new Map(members.map((m) => [m.id, m.phone]));
  const id = (name: string) => members.find((m) => m.name === name)!.id;
  const [sec, mem1] = await Promise.all(
    ['secretary1', 'member1'].map(async (login) => (await t.login(login)).session.me.user.id),
  );
  // secretary: the whole hour; member1: late, two stays; EVIL: a few minutes (left early); the rest absent.
  const segments: [string, number, number][] = [
    [sec, 0, 60],
    [mem1, 12, 30],
    [mem1, 31.5, 58.25],
    [id(EVIL), 2, 9],
  ];
  for (const [userId, from, to] of segments) {
    await t.ds.query(
      `INSERT INTO presence_segment (meeting_id, user_id, peer_id, opened_at, closed_at, last_heartbeat_at, close_reason)
       VALUES ($1, $2, gen_random_uuid(), $3, $4, $4, 'left')`,
      [meetingId, userId, min(from), min(to)],
    );
  }
  const res = await t.http().get(`/api/meetings/${meetingId}/attendance`).set(auth.secretary1).expect(200);
  attendance = res.body;
  expect(attendance.records.length).toBe(members.length);
  expect(attendance.records.find((r) => r.userId === mem1)).toMatchObject({
    status: 'late',
    joinCount: 2,
    totalSeconds: 18 * 60 + 26.75 * 60,
    firstJoin: min(12).toISOString(),
    lastLeave: min(58.25).toISOString(),
  });
}, 60_000);
afterAll(() => t?.close());

/** The table every export must show: one line per expected member, from GET attendance and the database. */
function expectedRows() {
  return attendance.records.map((r) => [
    r.name,
    phones.get(r.userId)!,
    zh[r.status],
    beijing(r.firstJoin),
    beijing(r.lastLeave),
    r.joinCount,
    Math.round(r.totalSeconds / 6) / 10,
  ]);
}
function expectedCounts() {
  const n = (s: string) => attendance.records.filter((r) => r.status === s).length;
  const expected = attendance.records.length;
  const present = n('present') + n('late') + n('left_early');
  // The rate counts present, late and 补学 only: left early and absent do not, excused is apart.
  const attended = n('present') + n('late') + n('make_up');
  return {
    expected,
    present,
    leftEarly: n('left_early'),
    excused: n('excused'),
    absent: n('absent'),
    rate: (attended / expected) * 100,
  };
}
/**
 * The PDF's text by pdf.js (npm pdf-parse), in a child process: pdf.js loads its worker with a dynamic
 * `import()`, which jest's module sandbox does not allow.
 */
function pdfText(pdf: Buffer): string {
  const script = `
    const { PDFParse } = require('pdf-parse');
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
      const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
      process.stdout.write((await parser.getText()).text);
      await parser.destroy();
    });`;
  return execFileSync(process.execPath, ['-e', script], { input: pdf, cwd: __dirname, encoding: 'utf8' });
}
const header = ['姓名', '手机号', '状态', '首次入会', '最后离会', '入会次数', '在会时长(分钟)'];

describe('attendance exports', () => {
  it('XLSX: the title block and one row per expected member, as in the database', async () => {
    const res = await download(url('export.xlsx'), 'secretary1').expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename\*=UTF-8''.+\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0];
    const table: unknown[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row, n) => {
      // exceljs reads an empty text cell back as no value
      table[n - 1] = Array.from({ length: header.length }, (_, i) => (row.values as unknown[])[i + 1] ?? '');
    });
    const at = table.findIndex((r) => r?.[0] === '姓名');
    const block = new Map(table.slice(0, at).map((r) => [r?.[0], r?.[1]]));
    const c = expectedCounts();
    expect(block.get('会议')).toBe(
      (await t.ds.query('SELECT title FROM meeting WHERE id = $1', [meetingId]))[0].title,
    );
    expect(block.get('支部')).toBe('第一党支部');
    expect(block.get('日期')).toBe('2026-03-02 09:00:00');
    expect([block.get('应到'), block.get('实到'), block.get('请假'), block.get('缺席')]).toEqual([
      c.expected,
      c.present,
      c.excused,
      c.absent,
    ]);
    expect(block.get('出席率')).toBe(`${Math.round(c.rate * 10) / 10}%`);
    expect(c).toMatchObject({ present: 3, leftEarly: 1, absent: c.expected - 3 });
    // The one who left early came (实到) but is not in the rate: 2 of 应到, not 3.
    expect(block.get('早退')).toBe(1);
    expect(block.get('出席率')).toBe(`${Math.round((2 / c.expected) * 1000) / 10}%`);
    expect(table[at]).toEqual(header);
    expect(table.slice(at + 1)).toEqual(expectedRows());
    // A string cell: Excel shows it as text, never evaluates it.
    const evil = table.slice(at + 1).find((r) => String(r[0]).includes('HYPERLINK'))!;
    expect(evil[0]).toBe(EVIL);
    expect(evil.slice(2, 5)).toEqual(['早退', '2026-03-02 09:02:00', '2026-03-02 09:09:00']);
  });

  it('CSV: UTF-8 with BOM, RFC 4180, the same rows, and a formula-like name neutralised', async () => {
    const res = await download(url('export.csv'), 'committee').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    const buf = res.body as Buffer;
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const table = parseCsv(buf, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
    const at = table.findIndex((r) => r[0] === '姓名');
    expect(Object.fromEntries(table.slice(0, at).map((r) => [r[0], r[1]]))).toMatchObject({
      支部: '第一党支部',
      日期: '2026-03-02 09:00:00',
      应到: String(expectedCounts().expected),
      实到: '3',
      早退: '1',
      出席率: `${Math.round(expectedCounts().rate * 10) / 10}%`,
    });
    expect(table[at]).toEqual(header);
    const neutral = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
    expect(table.slice(at + 1)).toEqual(expectedRows().map((r) => r.map((v) => neutral(String(v)))));
    expect(table.some((r) => r[0] === `'${EVIL}`)).toBe(true);
    expect(buf.toString('utf8')).toContain(`"'=HYPERLINK(""x"")"`);
  });

  it('PDF: a sign-in sheet whose Chinese text is really there (embedded CJK font)', async () => {
    const res = await download(url('sign-in.pdf'), 'secretary1').expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const dir = join(__dirname, '../../../test/e2e/artifacts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'sign-in.pdf'), pdf);
    const text = pdfText(pdf);
    for (const s of ['签到表', '第一党支部', '地点：线上', '2026-03-02 09:00:00', '序号', '签名', '入会时间'])
      expect(text).toContain(s);
    const c = expectedCounts();
    expect(text).toContain(`应到 ${c.expected} 人`);
    expect(text).toContain(`实到 ${c.present} 人`);
    // The same rate as the XLSX, the CSV, the UI and the ledger.
    expect(text).toContain(`早退 ${c.leftEarly} 人`);
    expect(text).toContain(`出席率 ${Math.round(c.rate * 10) / 10}%`);
    // Each member's line: name, status, first join (Beijing time).
    const lines = text.split('\n');
    for (const r of attendance.records) {
      const line = lines.find((l) => l.includes(r.name));
      expect(line).toBeDefined();
      expect(line).toContain(zh[r.status]);
      if (r.firstJoin) expect(line).toContain(beijing(r.firstJoin));
    }
  });

  it('only the secretaries and the levels above: a member 403, another branch 404', async () => {
    for (const what of ['export.xlsx', 'export.csv', 'sign-in.pdf'] as const) {
      const member = await t.http().get(url(what)).set(auth.member1);
      expect(member.status).toBe(403);
      expect(member.body.code).toEqual(expect.any(String));
      expect((await t.http().get(url(what)).set(auth.member2)).status).toBe(404);
      expect((await download(url(what), 'committee')).status).toBe(200);
    }
  });
});
