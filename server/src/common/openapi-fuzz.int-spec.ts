/**
 * Fuzzing every REST route from the OpenAPI document the app serves (/api/docs/openapi.json): bodies, queries
 * and path parameters generated from each operation's schema, then bent the ways a hostile client bends them —
 * NUL and lone surrogates in any text, numbers past an `integer`, wrong types, huge and empty values. Whatever
 * is sent, the answer is a 2xx/3xx/4xx: a 5xx is a bug (an unhandled error reached the client as a 500).
 */
import { randomUUID } from 'node:crypto';
import { demoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: Json[];
  const?: Json;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  default?: Json;
  $ref?: string;
}
interface Operation {
  method: string;
  path: string;
  params: { name: string; in: 'path' | 'query'; schema?: Schema }[];
  body: Schema | null;
}

const TOTAL = 2400;

/** A small deterministic PRNG, so a failure can be replayed with the same seed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let r = Math.imul(s ^ (s >>> 15), 1 | s);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_TEXT = [
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDC00y',
  '\uDBFF\uDBFF',
  '💥'.repeat(50),
  '',
  ' ',
  'x'.repeat(20_000),
  "'; DROP TABLE app_user; --",
  '=cmd|calc!A1',
  '../../../../etc/passwd',
  '%00',
  '2147483648',
  '-1',
  'null',
];
const HOSTILE_NUMBERS = [2147483648, -2147483649, -1, 0, 1e308, 9007199254740991, 0.5, -0.0];
const HOSTILE_ANY: Json[] = [null, true, {}, [], [null], { a: { b: { c: [1, '\u0000'] } } }, 'x', 42];

describe('OpenAPI fuzz: no input gives a 5xx', () => {
  let t: TestApp;
  let ops: Operation[];
  let pool: string[];
  let auth: string;

  beforeAll(async () => {
    t = await startTestApp({ listen: true, env: { AUDIT_CHECKPOINT_SECONDS: '0' } });
    const u = await demoUnits(t.ds);
    auth = (await t.login('admin')).session.accessToken;
    // A live meeting of branch 1, so ids in paths sometimes reach deep into the handlers.
    const meeting = await fetch(`${t.baseUrl}/api/org-units/${u.branchA}/meetings/live`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${auth}`, 'Content-Type': 'application/json' },
      body: '{}',
    }).then((r) => r.json() as Promise<{ id: string }>);
    pool = [...Object.values(u), meeting.id];
    const doc = (await fetch(`${t.baseUrl}/api/docs/openapi.json`).then((r) => r.json())) as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: Operation['params'];
            requestBody?: { content?: Record<string, { schema?: Schema }> };
          }
        >
      >;
    };
    ops = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        ops.push({
          method,
          path,
          params: (op.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query'),
          body: op.requestBody?.content?.['application/json']?.schema ?? null,
        });
      }
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('sends ≥ 2,000 generated requests over every route and gets no 5xx', async () => {
    expect(ops.length).toBeGreaterThan(60);
    const rnd = prng(Number(process.env.FUZZ_SEED ?? 20261206));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

    /** A value the schema accepts (roughly), or — with probability `bend` at each node — one it should refuse. */
    const gen = (s: Schema | undefined, bend: number, depth = 0): Json => {
      if (!s || depth > 6) return pick(HOSTILE_ANY);
      if (rnd() < bend) {
        const r = rnd();
        return r < 0.45 ? pick(HOSTILE_TEXT) : r < 0.75 ? pick(HOSTILE_NUMBERS) : pick(HOSTILE_ANY);
      }
      const alt = s.anyOf ?? s.oneOf;
      if (alt?.length) return gen(pick(alt), bend, depth + 1);
      if (s.allOf?.length) return gen(s.allOf[0], bend, depth + 1);
      if (s.const !== undefined) return s.const;
      if (s.enum?.length) return pick(s.enum);
      const type = Array.isArray(s.type) ? pick(s.type) : s.type;
      switch (type) {
        case 'string':
          if (s.format === 'uuid') return rnd() < 0.6 ? pick(pool) : randomUUID();
          if (s.format === 'date-time') return new Date(Date.now() + (rnd() - 0.5) * 864e8).toISOString();
          if (s.format === 'date')
            return new Date(Date.now() + (rnd() - 0.5) * 864e8).toISOString().slice(0, 10);
          return rnd() < 0.5
            ? '测试' + Math.floor(rnd() * 1000)
            : pick(HOSTILE_TEXT).slice(0, s.maxLength ?? 20_000);
        case 'integer':
        case 'number': {
          const lo = s.minimum ?? 0;
          const hi = Math.min(s.maximum ?? 1000, lo + 1000);
          return Math.floor(lo + rnd() * (hi - lo + 1));
        }
        case 'boolean':
          return rnd() < 0.5;
        case 'array':
          return Array.from({ length: Math.floor(rnd() * 3) }, () => gen(s.items, bend, depth + 1));
        case 'object': {
          const out: Record<string, Json> = {};
          for (const [k, v] of Object.entries(s.properties ?? {})) {
            if (s.required?.includes(k) || rnd() < 0.5) out[k] = gen(v, bend, depth + 1);
          }
          if (rnd() < 0.05) out['\u0000key'] = 1;
          return out;
        }
        case 'null':
          return null;
        default:
          return pick(HOSTILE_ANY);
      }
    };
    const pathValue = (name: string): string => {
      const r = rnd();
      if (name === 'number')
        return pick(['1', '2', '0', '-1', '2147483647', '2147483648', '99999999999999999999', 'x']);
      if (r < 0.5) return pick(pool);
      if (r < 0.7) return randomUUID();
      return pick(['2147483648', '0', 'abc', '%00', '%F0%9F', '%ED%A0%80', 'null', 'x'.repeat(300)]);
    };

    const failures: string[] = [];
    const byStatus = new Map<number, number>();
    let sent = 0;
    const one = async (op: Operation, bend: number) => {
      const url = new URL(
        t.baseUrl +
          '/api' +
          op.path.replace(/^\/api/, '').replace(/\{(\w+)\}/g, (_, name: string) => {
            const v = pathValue(name);
            return /^%/.test(v) ? v : encodeURIComponent(v);
          }),
      );
      for (const p of op.params.filter((q) => q.in === 'query')) {
        if (rnd() < 0.6) {
          const v = gen(p.schema, bend);
          url.searchParams.set(p.name, typeof v === 'string' ? v : JSON.stringify(v));
        }
      }
      if (rnd() < 0.05) url.searchParams.set('q', '\u0000');
      const body = op.body && op.method !== 'get' ? JSON.stringify(gen(op.body, bend)) : undefined;
      let res: Response;
      try {
        res = await fetch(url, {
          method: op.method.toUpperCase(),
          headers: {
            Authorization: `Bearer ${auth}`,
            ...(body ? { 'Content-Type': 'application/json' } : {}),
          },
          body,
          redirect: 'manual',
        });
      } catch (e) {
        // fetch's own message is "fetch failed"; the cause says what the socket saw (reset, closed, timeout).
        const cause = (e as Error).cause;
        failures.push(
          `${op.method.toUpperCase()} ${url.pathname}${url.search}: no answer (${String(e)}${cause ? `: ${String(cause)}` : ''}; body ${body?.length ?? 0} bytes)`,
        );
        return;
      }
      const text = await res.text();
      sent++;
      byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
      if (res.status >= 500)
        failures.push(
          `${res.status} ${op.method.toUpperCase()} ${url.pathname}${url.search} ${body?.slice(0, 300) ?? ''} → ${text.slice(0, 200)}`,
        );
      if (res.status === 401 && op.path !== '/api/auth/refresh') {
        auth = (await t.login('admin')).session.accessToken; // a fuzzed logout ended the session: sign in again
      }
    };

    const perRoute = Math.ceil(TOTAL / ops.length);
    const queue: (() => Promise<void>)[] = [];
    for (let i = 0; i < perRoute; i++) {
      // A quarter valid-looking (reaches the handlers), the rest bent at some depth.
      const bend = i % 4 === 0 ? 0 : pick([0.1, 0.3, 0.6]);
      for (const op of ops) queue.push(() => one(op, bend));
    }
    const workers = Array.from({ length: 6 }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job();
    });
    await Promise.all(workers);

    console.log(
      `fuzz: ${sent} requests over ${ops.length} operations; statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}`,
    );
    expect(sent).toBeGreaterThanOrEqual(2000);
    expect(failures).toEqual([]);
  }, 300_000);
});
