import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DemoUnits, demoUnits } from '../test-support/fixtures';
import { startTestApp, TestApp } from '../test-support/int-app';
import { eventHash } from './audit-hash';

const serverDir = join(__dirname, '../..');

/** `npm run audit:verify` as an operator runs it, against the test database (the CLI is run from source). */
function auditVerifyCli(databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'src/cli.ts', 'audit-verify'],
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
    t = await startTestApp();
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

  it("catches an attacker who also recomputes the altered event's hash: the next event no longer links", async () => {
    const ev = await target();
    const [row] = await t.ds.query('SELECT * FROM audit_event WHERE id = $1', [ev.id]);
    const forged = { ...row.after, role: 'secretary' };
    const hash = eventHash(row.prev_hash, {
      at: row.at,
      actorId: row.actor_id,
      action: row.action,
      entityType: row.entity_type,
      entityId: row.entity_id,
      unitId: row.unit_id,
      before: row.before,
      after: forged,
    });
    await attacker.query('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only');
    await attacker.query('UPDATE audit_event SET after = $2::jsonb, hash = $3 WHERE id = $1', [
      ev.id,
      JSON.stringify(forged),
      hash,
    ]);
    await attacker.query('ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only');

    expect(await verify()).toEqual({
      ok: false,
      checked: ev.before + 1,
      firstBroken: { id: ev.next, reason: 'link_mismatch' },
    });

    await attacker.query('SET session_replication_role = replica');
    await attacker.query('UPDATE audit_event SET after = $2::jsonb, hash = $3 WHERE id = $1', [
      ev.id,
      ev.after,
      ev.hash,
    ]);
    await attacker.query('SET session_replication_role = DEFAULT');
    expect((await verify()).ok).toBe(true);
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
