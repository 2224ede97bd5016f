/**
 * Minutes archive search: 10,000 minutes of one branch in a fresh database, searched
 * by a Chinese substring through MinutesSearchService.page (pg_trgm GIN index, `search_text ILIKE '%…%'`), in
 * a child process running the compiled server code (server/dist-bench). Baselines in the same run: a plain primary-key lookup
 * of one record, the same query with the trigram index off (a sequential scan), and the listing without words.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SERVER = join(ROOT, 'server');
const CHILD = join(SERVER, 'dist-bench/minutes/search-bench.child.js');
const TARGET_MS = 50;

interface Result {
  records: number;
  rare: { ms: number; hits: number };
  common: { ms: number; hits: number };
  every: { ms: number; hits: number };
  list: { ms: number };
  pk: { ms: number };
  seq: { ms: number };
  usesTrigramIndex: boolean;
}

function child(records: number): Promise<Result> {
  return new Promise((ok, fail) => {
    execFile(
      process.execPath,
      [CHILD, String(records)],
      { cwd: SERVER, env: process.env, timeout: 300_000 },
      (err, stdout, stderr) =>
        err
          ? fail(new Error(`search child failed: ${stderr || err.message}`))
          : ok(JSON.parse(stdout.trim().split('\n').pop()!) as Result),
    );
  });
}

export async function minutesSearchBench(records = 10_000): Promise<{ pass: boolean }> {
  if (!existsSync(CHILD))
    throw new Error(`${CHILD} is missing: build the bench children (npm run build:bench -w server)`);
  const r = await child(records);
  if (r.rare.hits !== 1) throw new Error(`the rare phrase was found ${r.rare.hits} times, expected once`);
  const ms = (x: number) => `${x.toFixed(2).padStart(8)} ms`;
  console.log(
    `\nminutes search: ${r.records.toLocaleString('en')} records of one branch (median of 41 runs; seq scan: 9)`,
  );
  console.log(`  substring, 1 hit (trigram index)        ${ms(r.rare.ms)}`);
  console.log(`  substring, ${String(r.common.hits).padEnd(2)} hits                     ${ms(r.common.ms)}`);
  console.log(
    `  substring every record has (${r.every.hits} hits)  ${ms(r.every.ms)}   (each row rechecked)`,
  );
  console.log(`  listing without words (20 newest)       ${ms(r.list.ms)}`);
  console.log(`  baseline: primary-key lookup            ${ms(r.pk.ms)}`);
  console.log(`  baseline: same ILIKE, sequential scan   ${ms(r.seq.ms)}`);
  console.log(`  ratio search / primary-key lookup       ${(r.rare.ms / r.pk.ms).toFixed(1).padStart(8)}x`);
  console.log(`  ratio search / sequential scan          ${(r.rare.ms / r.seq.ms).toFixed(3).padStart(8)}x`);
  console.log(`  plan uses ix_minutes_search_trgm: ${r.usesTrigramIndex ? 'yes' : 'NO'}`);
  const pass = r.rare.ms < TARGET_MS && r.common.ms < TARGET_MS && r.usesTrigramIndex;
  console.log(
    `  target: a substring search under ${TARGET_MS} ms → ${pass ? 'PASS' : 'WARN'} (${r.rare.ms.toFixed(2)} ms, ${r.common.ms.toFixed(2)} ms)`,
  );
  return { pass };
}
