import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DemoUnits, demoUnits } from '../test-support/fixtures';
import { startTestApp, TestApp } from '../test-support/int-app';
import { eventHash } from './audit-hash';
import { AuditService } from './audit.service';

interface AuditRow {
  id: string;
  at: Date;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  unit_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  key_id: string | null;
  prev_hash: string;
  hash: string;
}
const json = (v: unknown) => (v === null ? null : JSON.stringify(v));

const serverDir = join(__dirname, '../..');

/** `npm run audit:verify` as an operator runs it, against the test database (the CLI is run from source). */
function auditVerifyCli(
  databaseUrl: string,
  checkpointFile?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        'src/cli.ts',
        'audit-verify',
        ...(checkpointFile ? ['--checkpoints', checkpointFile] : []),
      ],
      {
        cwd: serverDir,
        // A JWT secret is given so the CLI does not create a local one under .data/.
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          NODE_ENV: 'test',
          LOG_LEVEL: 'error',
          JWT_SECRET: 'x'.repeat(40),
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('audit hash chain (real PostgreSQL)', () => {
  let t: TestApp;
  let attacker: Client; // a superuser session working on the database behind the application's back
  let admin: { Authorization: string };
  let u: DemoUnits;

  const verify = async () => (await t.http().get('/api/audit/verify').set(admin).expect(200)).body;
  const eventCount = async () => Number((await t.ds.query('SELECT count(*) AS n FROM audit_event'))[0].n);
  /** The seed's audit event for adding 刘洋 (member1) to 第一党支部: somewhere in the middle of the chain. */
  const target = async () => {
    const [row] = await t.ds.query(
      `SELECT id, after::text AS after, hash FROM audit_event WHERE action = 'member.add' AND after->>'name' = '刘洋' ORDER BY id LIMIT 1`,
    );
    const [{ before }] = await t.ds.query('SELECT count(*) AS before FROM audit_event WHERE id < $1', [
      row.id,
    ]);
    const [{ next }] = await t.ds.query('SELECT min(id) AS next FROM audit_event WHERE id > $1', [row.id]);
    return {
      id: String(row.id),
      after: row.after as string,
      hash: row.hash as string,
      before: Number(before),
      next: String(next),
    };
  };

  beforeAll(async () => {
    if (!existsSync(join(serverDir, '../shared/dist/index.js'))) {
      throw new Error(
        'the CLI needs the built shared package: run `npm run build -w shared` in the repository root',
      );
    }
    // No periodic checkpoint: the attacks below are put back, and a checkpoint taken mid-attack would differ.
    t = await startTestApp({ env: { AUDIT_CHECKPOINT_SECONDS: '0' } });
    admin = (await t.login('admin')).auth;
    attacker = new Client({ connectionString: t.url });
    await attacker.connect();
    // Some ordinary changes on top of the demo seed, by different people.
    u = await demoUnits(t.ds);
    const secretary1 = (await t.login('secretary1')).auth;
    const added = await t
      .http()
      .post(`/api/org-units/${u.branchA}/members`)
      .set(secretary1)
      .send({ name: '审计测试', phone: '13911112222', role: 'member', groupId: u.groupA })
      .expect(201);
    await t
      .http()
      .patch(`/api/org-units/${u.branchA}/members/${added.body.membershipId}`)
      .set(secretary1)
      .send({ role: 'organizer' })
      .expect(200);
    await t
      .http()
      .patch(`/api/org-units/${u.branchB}`)
      .set(admin)
      .send({ name: '第二党支部（改）' })
      .expect(200);
  });
  afterAll(async () => {
    await attacker?.end();
    await t?.close();
  });

  it('verifies on a clean database: every event checked, nothing broken', async () => {
    const n = await eventCount();
    expect(n).toBeGreaterThan(30);
    expect(await verify()).toEqual({ ok: true, checked: n, firstBroken: null });
  });

  it('the audit:verify command says "intact" and exits 0 on a clean chain', async () => {
    const run = await auditVerifyCli(t.url);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`audit chain intact: ${await eventCount()} events checked`);
    expect(run.code).toBe(0);
  });

  it('refuses UPDATE, DELETE and TRUNCATE from an ordinary session (append-only trigger)', async () => {
    const ev = await target();
    // Even a superuser's session is refused as long as it does not switch the trigger off.
    await expect(
      attacker.query(`UPDATE audit_event SET action = 'member.remove' WHERE id = $1`, [ev.id]),
    ).rejects.toThrow(/append-only/);
    await expect(attacker.query('DELETE FROM audit_event WHERE id = $1', [ev.id])).rejects.toThrow(
      /append-only/,
    );
    await expect(attacker.query('TRUNCATE audit_event')).rejects.toThrow(/append-only/);
    expect(await target()).toEqual(ev);
    expect((await verify()).ok).toBe(true);
  });

  it('names an event altered in SQL (trigger bypassed) as the first broken one: API and command', async () => {
    const ev = await target();
    // Promote 刘洋 to secretary in the history, as a superuser who switched triggers off for the session.
    await attacker.query('SET session_replication_role = replica');
    await attacker.query(
      `UPDATE audit_event SET after = jsonb_set(after, '{role}', '"secretary"') WHERE id = $1`,
      [ev.id],
    );
    await attacker.query('SET session_replication_role = DEFAULT');

    expect(await verify()).toEqual({
      ok: false,
      checked: ev.before,
      firstBroken: { id: ev.id, reason: 'hash_mismatch' },
    });

    const run = await auditVerifyCli(t.url);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`audit chain BROKEN at event ${ev.id} (hash_mismatch)`);
    expect(run.stdout).not.toContain('intact');

    // Putting the original content back makes the chain whole again: the check is about content, not history.
    await attacker.query('SET session_replication_role = replica');
    await attacker.query('UPDATE audit_event SET after = $2::jsonb WHERE id = $1', [ev.id, ev.after]);
    await attacker.query('SET session_replication_role = DEFAULT');
    expect((await verify()).ok).toBe(true);
  });

  /** Every event from `id` on, as stored (to put back after an attack). */
  const rowsFrom = async (id: string) =>
    (await t.ds.query('SELECT * FROM audit_event WHERE id >= $1 ORDER BY id', [id])) as AuditRow[];
  const restore = async (rows: AuditRow[]) => {
    await attacker.query('SET session_replication_role = replica');
    for (const r of rows) {
      await attacker.query(
        'UPDATE audit_event SET after = $2::jsonb, key_id = $3, prev_hash = $4, hash = $5 WHERE id = $1',
        [r.id, JSON.stringify(r.after), r.key_id, r.prev_hash, r.hash],
      );
    }
    await attacker.query('SET session_replication_role = DEFAULT');
  };
  /**
   * The attack on the chain: as the database owner (triggers off), edit one event and recompute the hash
   * and link of it and of every later event with the public algorithm, so the chain is whole again.
   */
  const rewriteChainFrom = async (id: string, opts: { dropKeyId: boolean }) => {
    const rows = await rowsFrom(id);
    const [prev] = await t.ds.query('SELECT hash FROM audit_event WHERE id < $1 ORDER BY id DESC LIMIT 1', [
      id,
    ]);
    let prevHash: string = prev.hash;
    await attacker.query('SET session_replication_role = replica');
    for (const [i, r] of rows.entries()) {
      const after = i === 0 ? { ...r.after, role: 'secretary' } : r.after;
      const hash = eventHash(prevHash, {
        at: r.at,
        actorId: r.actor_id,
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        unitId: r.unit_id,
        before: r.before,
        after,
      });
      await attacker.query(
        `UPDATE audit_event SET after = $2::jsonb, prev_hash = $3, hash = $4,
           key_id = CASE WHEN $5 THEN NULL ELSE key_id END WHERE id = $1`,
        [r.id, JSON.stringify(after), prevHash, hash, opts.dropKeyId],
      );
      prevHash = hash;
    }
    await attacker.query('SET session_replication_role = DEFAULT');
    return rows;
  };

  it('names the altered event when every later hash is recomputed with the public algorithm (keyed chain)', async () => {
    const ev = await target();
    const original = await rewriteChainFrom(ev.id, { dropKeyId: false });
    // The forged chain links up, but without the audit key the edited event's HMAC cannot be made to match.
    expect(await verify()).toEqual({
      ok: false,
      checked: ev.before,
      firstBroken: { id: ev.id, reason: 'hash_mismatch' },
    });
    const run = await auditVerifyCli(t.url, t.config.AUDIT_CHECKPOINT_FILE);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`audit chain BROKEN at event ${ev.id} (hash_mismatch)`);
    await restore(original);
    expect((await verify()).ok).toBe(true);
  });

  it('names the altered event when the attacker also marks the rewritten events as unsigned (old format)', async () => {
    const ev = await target();
    const original = await rewriteChainFrom(ev.id, { dropKeyId: true });
    // Events from before audit keys verify with the public algorithm, but only before the first signed event.
    expect(await verify()).toEqual({
      ok: false,
      checked: ev.before,
      firstBroken: { id: ev.id, reason: 'downgraded' },
    });
    await restore(original);
    expect((await verify()).ok).toBe(true);
  });

  it('reports a deleted tail from the signed checkpoint kept outside the table: API and command', async () => {
    // New events, then a checkpoint as the app writes one every AUDIT_CHECKPOINT_SECONDS.
    for (const name of ['第一党支部 A', '第一党支部 B', '第一党支部']) {
      await t.http().patch(`/api/org-units/${u.branchA}`).set(admin).send({ name }).expect(200);
    }
    const cp = await t.app.get(AuditService).checkpoint();
    expect(cp).not.toBeNull();
    const [{ max }] = await t.ds.query('SELECT max(id)::text AS max FROM audit_event');
    expect(cp!.id).toBe(max);
    const file = readFileSync(t.config.AUDIT_CHECKPOINT_FILE!, 'utf8');
    expect(file).toContain(`"id":"${max}"`);

    // The owner deletes the three newest events: what is left is a perfectly linked, shorter chain.
    const [{ ends }] = await t.ds.query(
      'SELECT id::text AS ends FROM audit_event ORDER BY id DESC OFFSET 3 LIMIT 1',
    );
    const deleted = await t.ds.query('SELECT * FROM audit_event WHERE id > $1 ORDER BY id', [ends]);
    await attacker.query('SET session_replication_role = replica');
    await attacker.query('DELETE FROM audit_event WHERE id > $1', [ends]);
    await attacker.query('SET session_replication_role = DEFAULT');

    const checked = await eventCount();
    expect(await verify()).toEqual({ ok: false, checked, firstBroken: { id: max, reason: 'truncated' } });
    const run = await auditVerifyCli(t.url, t.config.AUDIT_CHECKPOINT_FILE);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `audit chain BROKEN at event ${max} (truncated): the table ends at event ${ends}; newer events were deleted`,
    );
    expect(run.stderr).toContain(`newest signed checkpoint: event ${max}`);

    // A checkpoint line edited by hand (an older head) does not count: its signature no longer matches.
    const forgedFile = join(tmpdir(), `forged-${process.pid}.jsonl`);
    writeFileSync(forgedFile, file.replaceAll(`"id":"${max}"`, `"id":"${ends}"`));
    const forged = await auditVerifyCli(t.url, forgedFile);
    expect(forged.stderr).toContain('checkpoint line(s) with a bad signature ignored');
    rmSync(forgedFile, { force: true });

    // Putting the events back makes the chain whole again.
    await attacker.query('SET session_replication_role = replica');
    for (const r of deleted as AuditRow[]) {
      await attacker.query(
        `INSERT INTO audit_event (id, at, actor_id, action, entity_type, entity_id, unit_id, before, after, key_id, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12)`,
        [
          r.id,
          r.at,
          r.actor_id,
          r.action,
          r.entity_type,
          r.entity_id,
          r.unit_id,
          json(r.before),
          json(r.after),
          r.key_id,
          r.prev_hash,
          r.hash,
        ],
      );
    }
    await attacker.query('SET session_replication_role = DEFAULT');
    expect(await verify()).toEqual({ ok: true, checked: await eventCount(), firstBroken: null });
  });

  it('reports a deleted event as a broken link at the event after it, even after new events are appended', async () => {
    const ev = await target();
    await attacker.query('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only');
    await attacker.query('DELETE FROM audit_event WHERE id = $1', [ev.id]);
    await attacker.query('ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only');

    const broken = { ok: false, checked: ev.before, firstBroken: { id: ev.next, reason: 'link_mismatch' } };
    expect(await verify()).toEqual(broken);

    // Life goes on (the app keeps appending), and the report still points at the first break.
    await t.http().patch(`/api/org-units/${u.branchA}`).set(admin).send({ name: '第一党支部' }).expect(200);
    expect(await verify()).toEqual(broken);

    const run = await auditVerifyCli(t.url);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`audit chain BROKEN at event ${ev.next} (link_mismatch)`);
  });
});
