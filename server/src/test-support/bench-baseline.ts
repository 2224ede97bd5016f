/**
 * Child process of `test/bench/run.ts`: the irreducible work of a roster import, for comparison. It parses the
 * same XLSX with exceljs (as the server does) and writes the same people with ONE bulk INSERT into a scratch
 * table shaped like app_user (same unique phone), in a fresh database. No validation, no memberships, no audit.
 *
 * argv[2]: the XLSX file. Prints one JSON line: { ms, parseMs, insertMs, rows, rssStartMB, maxRssMB }.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import { createTestDatabase } from './test-database';

const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function main() {
  const rssStartMB = process.memoryUsage().rss / 2 ** 20;
  const file = process.argv[2];
  if (!file) throw new Error('usage: bench-baseline.ts <roster.xlsx>');
  const scratch = await createTestDatabase('bm_bench', server);
  const db = new Client({ connectionString: scratch.url });
  await db.connect();
  try {
    await db.query(`CREATE TABLE scratch_user (
      id uuid PRIMARY KEY, name varchar(50) NOT NULL, phone varchar(20) UNIQUE, member_type varchar(20) NOT NULL)`);
    const buffer = readFileSync(file);

    const t0 = performance.now();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0];
    const names: string[] = [];
    const phones: string[] = [];
    const types: string[] = [];
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      names.push(row.getCell(1).text);
      phones.push(row.getCell(2).text);
      types.push(row.getCell(4).text === '预备党员' ? 'probationary' : 'member');
    });
    const t1 = performance.now();
    await db.query(
      `INSERT INTO scratch_user (id, name, phone, member_type)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])`,
      [names.map(() => randomUUID()), names, phones, types],
    );
    const t2 = performance.now();
    const [{ n }] = (await db.query('SELECT count(*) AS n FROM scratch_user')).rows;
    console.log(
      JSON.stringify({
        ms: t2 - t0,
        parseMs: t1 - t0,
        insertMs: t2 - t1,
        rows: Number(n),
        rssStartMB,
        maxRssMB: process.resourceUsage().maxRSS / 1024,
      }),
    );
  } finally {
    await db.end();
    await scratch.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
