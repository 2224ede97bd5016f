/**
 * Roster import benchmark: a 10,000-row XLSX through the real HTTP endpoint into a fresh database, against a
 * baseline measured in the same run: the irreducible work (exceljs parse of the same file + one bulk INSERT of the
 * same people into a scratch table). Every measurement runs in its own child process, so RSS high-water marks
 * do not mix: the server process holds only the app (the file is made and sent from this process).
 */
import { ChildProcess, execFile, fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ExcelJS from 'exceljs';

const ROOT = resolve(__dirname, '../..');
const SERVER = join(ROOT, 'server');
const TARGET_MS = 3000;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Children run server code from source, with the server's compiler options (decorator metadata for Nest). */
const childEnv = () => ({
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  TS_NODE_PROJECT: join(SERVER, 'tsconfig.json'),
  TS_NODE_TRANSPILE_ONLY: 'true',
});
// BENCH_PROF=dir writes a V8 CPU profile of each child process there.
const childArgv = [
  '-r',
  'ts-node/register/transpile-only',
  ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []),
];

export async function rosterXlsx(n: number, phonePrefix = '137'): Promise<Buffer> {
  const surnames =
    '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁';
  const given = '伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红建国志文斌辉鹏宇浩凯晨欣怡佳琪';
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('花名册');
  sheet.addRow(['姓名', '手机号', '职务', '党员类型', '党小组']);
  for (let i = 0; i < n; i++) {
    sheet.addRow([
      `${surnames[i % surnames.length]}${given[Math.floor(i / surnames.length) % given.length]}${given[(i * 7) % given.length]}`,
      `${phonePrefix}${String(i).padStart(8, '0')}`,
      i < 3 ? ['副书记', '组织委员', '委员'][i] : '党员',
      i % 17 === 5 ? '预备党员' : '正式党员',
      `第${'一二三四五六七八九十'[i % 10]}党小组`,
    ]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

interface ServerReady {
  port: number;
  branchA: string;
  rssMB: number;
  maxRssMB: number;
}
interface Memory {
  rssMB: number;
  maxRssMB: number;
}

function nextMessage<T>(child: ChildProcess, timeoutMs = 60_000): Promise<T> {
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('child process did not answer in time')), timeoutMs);
    const onExit = (code: number | null) =>
      fail(new Error(`child process exited (${code}) before answering`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      ok(m as T);
    });
  });
}

async function importOverHttp(base: string, token: string, unitId: string, file: Buffer, query = '') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(file)], { type: XLSX_TYPE }), '花名册.xlsx');
  const started = performance.now();
  const res = await fetch(`${base}/api/org-units/${unitId}/roster/import${query}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  });
  const body = (await res.json()) as { applied: boolean; created: number; errors: unknown[] };
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`import answered ${res.status}: ${JSON.stringify(body)}`);
  return { ms, body };
}

async function measureImport(file: Buffer, rows: number) {
  const child = fork(join(SERVER, 'src/test-support/bench-server.ts'), [], {
    cwd: SERVER,
    env: childEnv(),
    execArgv: childArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await nextMessage<ServerReady>(child);
    const base = `http://127.0.0.1:${ready.port}`;
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'secretary1', password: 'Demo@2026' }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    // Warm-up: a small dry run through the same path (loads and JITs the import code; changes nothing).
    await importOverHttp(base, accessToken, ready.branchA, await rosterXlsx(50, '135'), '?dryRun=true');
    child.send('report');
    const before = await nextMessage<Memory>(child);
    const { ms, body } = await importOverHttp(base, accessToken, ready.branchA, file);
    if (!body.applied || body.created !== rows) {
      throw new Error(`the import did not create ${rows} members: ${JSON.stringify(body).slice(0, 500)}`);
    }
    child.send('report');
    const after = await nextMessage<Memory>(child);
    return { ms, rssBeforeMB: before.rssMB, maxRssBeforeMB: before.maxRssMB, maxRssMB: after.maxRssMB };
  } finally {
    if (child.exitCode === null) {
      child.send('stop');
      await new Promise((done) => child.once('exit', done));
    }
  }
}

interface Baseline {
  ms: number;
  parseMs: number;
  insertMs: number;
  rows: number;
  rssStartMB: number;
  maxRssMB: number;
}

function measureBaseline(path: string): Promise<Baseline> {
  return new Promise((ok, fail) => {
    execFile(
      process.execPath,
      [...childArgv, join(SERVER, 'src/test-support/bench-baseline.ts'), path],
      { cwd: SERVER, env: childEnv(), timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) return fail(new Error(`baseline failed: ${stderr || err.message}`));
        ok(JSON.parse(stdout.trim().split('\n').pop()!) as Baseline);
      },
    );
  });
}

export async function rosterImportBench(rows = 10_000): Promise<{ pass: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'bm-bench-'));
  try {
    const file = await rosterXlsx(rows);
    const path = join(dir, 'roster.xlsx');
    writeFileSync(path, file);
    const imp = await measureImport(file, rows);
    const base = await measureBaseline(path);
    if (base.rows !== rows) throw new Error(`baseline inserted ${base.rows} rows, expected ${rows}`);

    const mb = (x: number) => `${x.toFixed(0).padStart(5)} MB`;
    const msf = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
    const importAdded = imp.maxRssMB - imp.rssBeforeMB;
    const baseAdded = base.maxRssMB - base.rssStartMB;
    console.log(
      `\nroster import: ${rows.toLocaleString('en')} rows, XLSX ${(statSync(path).size / 1024).toFixed(0)} KB, fresh database`,
    );
    console.log('                                          time     peak RSS   RSS added');
    console.log(
      `  import (POST .../roster/import, app)  ${msf(imp.ms)}   ${mb(imp.maxRssMB)}   ${mb(importAdded)}   (RSS ${imp.rssBeforeMB.toFixed(0)} MB before, peak ${imp.maxRssBeforeMB.toFixed(0)} MB before)`,
    );
    console.log(
      `  baseline (exceljs parse + 1 INSERT)   ${msf(base.ms)}   ${mb(base.maxRssMB)}   ${mb(baseAdded)}   (parse ${base.parseMs.toFixed(0)} ms, insert ${base.insertMs.toFixed(0)} ms)`,
    );
    console.log(
      `  ratio import / baseline               ${(imp.ms / base.ms).toFixed(2).padStart(7)}x             ${(importAdded / baseAdded).toFixed(2).padStart(7)}x`,
    );
    const pass = imp.ms < TARGET_MS;
    console.log(
      `  target: import under ${TARGET_MS} ms → ${pass ? 'PASS' : 'WARN'} (${imp.ms.toFixed(0)} ms)`,
    );
    return { pass };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
