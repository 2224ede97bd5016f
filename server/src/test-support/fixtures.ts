import ExcelJS from 'exceljs';
import { DataSource } from 'typeorm';

/** The demo organisation's units (see seed/demo-seed.ts), looked up by name. */
export interface DemoUnits {
  committee: string;
  branchA: string;
  branchB: string;
  groupA: string;
}

export async function demoUnits(ds: DataSource): Promise<DemoUnits> {
  const rows: { id: string; name: string }[] = await ds.query('SELECT id, name FROM org_unit');
  const id = (name: string) => {
    const found = rows.find((r) => r.name === name);
    if (!found) throw new Error(`demo unit ${name} is missing`);
    return found.id;
  };
  return {
    committee: id('示范单位党委'),
    branchA: id('第一党支部'),
    branchB: id('第二党支部'),
    groupA: id('第一党小组'),
  };
}

export async function userIdByPhone(ds: DataSource, phone: string): Promise<string> {
  const rows: { id: string }[] = await ds.query('SELECT id FROM app_user WHERE phone = $1', [phone]);
  if (!rows[0]) throw new Error(`no user with phone ${phone}`);
  return rows[0].id;
}

export async function membershipCount(ds: DataSource, unitId: string): Promise<number> {
  const [row]: { n: string }[] = await ds.query('SELECT count(*) AS n FROM membership WHERE unit_id = $1', [
    unitId,
  ]);
  return Number(row.n);
}

/** Unique, valid mainland mobile numbers that no demo person has (the demo uses 138000000xx). */
export function phoneSequence(prefix = '139') {
  let n = 0;
  return () => `${prefix}${String(++n).padStart(8, '0')}`;
}

/** One roster row as a person types it into the spreadsheet: Chinese headers, Chinese values. */
export interface RosterFileRow {
  姓名: string;
  手机号: string;
  职务: string;
  党员类型: string;
  党小组: string;
}

export const rosterHeader = ['姓名', '手机号', '职务', '党员类型', '党小组'] as const;

const surnames =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const given =
  '伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红建国志文斌辉鹏宇浩凯晨欣怡佳琪子涵梓轩雨萱博文思远';

/**
 * `n` distinct people for a branch roster: a realistic mix of posts, 预备党员 and three party groups.
 * Phones are `${phonePrefix}` + an 8-digit sequence, so two calls with different prefixes never collide.
 */
export function rosterRows(n: number, phonePrefix = '137'): RosterFileRow[] {
  const roles = ['副书记', '组织委员', '委员'];
  return Array.from({ length: n }, (_, i) => ({
    姓名: `${surnames[i % surnames.length]}${given[Math.floor(i / surnames.length) % given.length]}${given[(i * 7) % given.length]}${i}`,
    手机号: `${phonePrefix}${String(i).padStart(8, '0')}`,
    职务: i < roles.length ? roles[i] : '党员',
    党员类型: i % 17 === 5 ? '预备党员' : '正式党员',
    党小组: ['第一党小组', '第二党小组', '第三党小组'][i % 3],
  }));
}

export async function rosterXlsx(rows: RosterFileRow[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('花名册');
  sheet.addRow([...rosterHeader]);
  for (const r of rows) sheet.addRow(rosterHeader.map((h) => r[h]));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** CSV as Excel on Windows saves "CSV UTF-8": with a byte-order mark and CRLF line ends. */
export function rosterCsv(rows: RosterFileRow[], { bom = true } = {}): Buffer {
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [rosterHeader.join(','), ...rows.map((r) => rosterHeader.map((h) => quote(r[h])).join(','))];
  const text = lines.join('\r\n') + '\r\n';
  return Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
}

/** Reads the first sheet of an XLSX back into rows of cell texts (header included). */
export async function readXlsxTable(buffer: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  const sheet = wb.worksheets[0];
  const table: string[][] = [];
  const columns = sheet.columnCount; // computed over every row: read it once
  sheet.eachRow((row) => {
    const values: string[] = [];
    for (let c = 1; c <= columns; c++) values.push(row.getCell(c).text);
    table.push(values);
  });
  return table;
}
