/**
 * Child process of `test/bench/minutes-search.bench.ts`: the archive search over <records> minutes of one branch
 * (a fresh, migrated database; the texts generated here, about 600 Chinese characters each, one record holding a
 * phrase nobody else has), timed with MinutesSearchService.page — the query the API runs — against a baseline
 * measured in the same run: the same listing without words (the (unit, status) index), and a plain primary-key
 * lookup of one record. Also the same ILIKE with the trigram index switched off (a sequential scan), to show
 * what the index buys.
 *
 * Prints one JSON line: { records, rare, common, every: {ms, hits}, list, pk, seq: {ms}, usesTrigramIndex }.
 */
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../database/typeorm-options';
import { createTestDatabase } from '../test-support/test-database';
import type { AccessService } from '../orgs/access.service';
import { MinutesSearchRepository } from './minutes-search.repository';
import { MinutesSearchService } from './minutes-search.service';

const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RARE = '关于推进智慧党建平台建设的专项决议';

const words =
  '学习 贯彻 党的 二十大 精神 组织 生活 支部 党员 发展 对象 培养 考察 民主 评议 批评 与 自我批评 理论 武装 ' +
  '主题 教育 廉政 建设 作风 纪律 基层 治理 服务 群众 志愿 活动 专题 研讨 心得 体会 会议 决定 同意 通过 ' +
  '思想 汇报 入党 积极分子 预备 转正 党费 收缴 三会一课 制度 落实 问题 整改 措施 计划 总结 部署 安排';
const vocabulary = words.split(' ');

/** A deterministic pseudo-random sequence (mulberry32): every run searches the same texts. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(runs: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function bench(records: number) {
  const db = await createTestDatabase('bm_bench', server);
  const ds = new DataSource(dataSourceOptions(db.url));
  try {
    await ds.initialize();
    await ds.runMigrations();
    const [unit]: { id: string; name: string }[] = await ds.query(
      `INSERT INTO org_unit (id, name, type, parent_id, path)
       SELECT id, '基准党支部', 'branch', NULL, id::text FROM (SELECT gen_random_uuid() AS id) x RETURNING id, name`,
    );
    const [host]: { id: string }[] = await ds.query(
      `INSERT INTO app_user (name, phone) VALUES ('基准书记', '13700000000') RETURNING id`,
    );
    const rnd = random(5);
    const text = (n: number) =>
      Array.from({ length: n }, () => vocabulary[Math.floor(rnd() * vocabulary.length)]).join('');
    const target = Math.floor(records / 2);
    const BATCH = 1000;
    for (let from = 0; from < records; from += BATCH) {
      const n = Math.min(BATCH, records - from);
      const titles: string[] = [];
      const contents: string[] = [];
      const resolutions: string[] = [];
      for (let i = 0; i < n; i++) {
        titles.push(`第${from + i + 1}次支部党员大会`);
        contents.push(`学习党章\n${text(150)}\n讨论发展党员\n${text(150)}`);
        resolutions.push(from + i === target ? `会议通过${RARE}。` : text(20));
      }
      await ds.query(
        `WITH m AS (
           INSERT INTO meeting (unit_id, type, title, host_id, status, started_at, ended_at, created_by, agenda)
           SELECT $1, 'branch_assembly', t.title, $2, 'ended', s, s + interval '1 hour', $2, '["学习党章","讨论发展党员"]'
           FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(title, content, resolution, k),
                LATERAL (SELECT timestamptz '2020-01-01T01:00:00Z' + ($6::int + k) * interval '7 hours' AS s) ss
           RETURNING id, title, started_at)
         INSERT INTO minutes (meeting_id, unit_id, status, fields, ydoc, content_text, resolutions_text, search_text,
                              revision, submitted_at)
         SELECT m.id, $1, 'approved', jsonb_build_object('title', m.title, 'agenda', '["学习党章","讨论发展党员"]'::jsonb),
                '\\x0000'::bytea, t.content, t.resolution,
                concat_ws(E'\\n', m.title, '学习党章 讨论发展党员', t.content, t.resolution), 1, m.started_at
         FROM m JOIN unnest($3::text[], $4::text[], $5::text[]) AS t(title, content, resolution) ON t.title = m.title`,
        [unit.id, host.id, titles, contents, resolutions, from],
      );
    }
    await ds.query('ANALYZE');
    const service = new MinutesSearchService(new MinutesSearchRepository(ds), {} as AccessService);
    const query = (q?: string) => service.page(unit.id, unit.name, { q, limit: 20, offset: 0 });
    const rareHits = (await query(RARE.slice(2, 12))).total;
    const commonHits = (await query('发展对象培养')).total;
    const everyHits = (await query('讨论发展党员')).total;
    const [one]: { meeting_id: string }[] = await ds.query(
      `SELECT meeting_id FROM minutes LIMIT 1 OFFSET $1`,
      [target],
    );
    const runs = 41;
    const rare = await timed(runs, () => query(RARE.slice(2, 12)));
    const common = await timed(runs, () => query('发展对象培养'));
    const every = await timed(runs, () => query('讨论发展党员'));
    const list = await timed(runs, () => query());
    const pk = await timed(runs, () =>
      ds.query(`SELECT meeting_id, search_text FROM minutes WHERE meeting_id = $1`, [one.meeting_id]),
    );
    // The same search without the trigram index: what a sequential scan over the texts costs.
    const runner = ds.createQueryRunner();
    await runner.connect();
    await runner.query('SET enable_bitmapscan = off');
    await runner.query('SET enable_indexscan = off');
    const seq = await timed(9, () =>
      runner.query(`SELECT count(*) FROM minutes WHERE unit_id = $1 AND search_text ILIKE $2`, [
        unit.id,
        `%${RARE.slice(2, 12)}%`,
      ]),
    );
    const plan: { 'QUERY PLAN': string }[] = await ds.query(
      `EXPLAIN SELECT meeting_id FROM minutes WHERE unit_id = $1 AND search_text ILIKE $2`,
      [unit.id, `%${RARE.slice(2, 12)}%`],
    );
    await runner.release();
    return {
      records,
      rare: { ms: rare, hits: rareHits },
      common: { ms: common, hits: commonHits },
      every: { ms: every, hits: everyHits },
      list: { ms: list },
      pk: { ms: pk },
      seq: { ms: seq },
      usesTrigramIndex: plan.some((p) => p['QUERY PLAN'].includes('ix_minutes_search_trgm')),
    };
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await db.drop();
  }
}

bench(Number(process.argv[2] ?? 10_000)).then(
  (r) => console.log(JSON.stringify(r)),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
