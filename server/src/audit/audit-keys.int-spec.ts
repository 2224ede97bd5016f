import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { startTestApp, TestApp } from '../test-support/int-app';
import { eventHash, GENESIS_HASH } from './audit-hash';
import { auditSettings } from './audit-keys';
import { AuditInput, AuditService } from './audit.service';
import { AuditRepository } from './audit.repository';

const run = promisify(execFile);
const event = (n: number): AuditInput => ({
  actorId: null,
  action: 'unit.update',
  entityType: 'org_unit',
  entityId: `u${n}`,
  after: { name: `支部 ${n}` },
});

describe('audit keys: events from before keys, key rotation (real PostgreSQL)', () => {
  let t: TestApp;
  let attacker: Client;
  const keyA = process.env.AUDIT_KEY!;
  const keyB = randomBytes(32).toString('hex');
  const files: string[] = [];
  const service = (current: string, old: string[] = []) => {
    const file = join(tmpdir(), `audit-keys-${randomBytes(4).toString('hex')}.jsonl`);
    files.push(file);
    return new AuditService(
      new AuditRepository(t.ds),
      auditSettings(
        { AUDIT_KEY: current, AUDIT_OLD_KEYS: old.join(','), AUDIT_CHECKPOINT_FILE: file },
        tmpdir(),
      ),
    );
  };
  const append = (svc: AuditService, n: number) => t.ds.transaction((em) => svc.append(em, event(n)));
  const ids = async () =>
    ((await t.ds.query('SELECT id::text AS id FROM audit_event ORDER BY id')) as { id: string }[]).map(
      (r) => r.id,
    );

  beforeAll(async () => {
    t = await startTestApp({ seed: false, env: { AUDIT_CHECKPOINT_SECONDS: '0' } });
    attacker = new Client({ connectionString: t.url });
    await attacker.connect();
    // Three events as the server wrote them before audit keys: plain sha256 chain, no key id.
    let prev = GENESIS_HASH;
    for (let n = 1; n <= 3; n++) {
      const at = new Date(Date.UTC(2026, 0, n));
      const e = { ...event(n), entityId: `u${n}`, unitId: null, before: null, at };
      const hash = eventHash(prev, { ...e, actorId: null, entityId: e.entityId, after: e.after });
      await t.ds.query(
        `INSERT INTO audit_event (at, actor_id, action, entity_type, entity_id, unit_id, before, after, prev_hash, hash)
         VALUES ($1, NULL, $2, $3, $4, NULL, NULL, $5::jsonb, $6, $7)`,
        [at, e.action, e.entityType, e.entityId, JSON.stringify(e.after), prev, hash],
      );
      prev = hash;
    }
  });
  afterAll(async () => {
    await attacker?.end();
    await t?.close();
    for (const f of files) rmSync(f, { force: true });
  });

  it('events from before the keys still verify, and the first signed event seals them', async () => {
    const audit = t.app.get(AuditService);
    await append(audit, 4);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 4, firstBroken: null });
    const [legacy, keyed] = await Promise.all([
      t.ds.query('SELECT count(*)::int AS n FROM audit_event WHERE key_id IS NULL'),
      t.ds.query('SELECT key_id FROM audit_event WHERE key_id IS NOT NULL'),
    ]);
    expect(legacy[0].n).toBe(3);
    expect(keyed).toHaveLength(1);

    // Rewriting an old event (and the old events after it) with the public algorithm breaks the signed link.
    const [id1, id2, id3, id4] = await ids();
    const rows = await t.ds.query('SELECT * FROM audit_event WHERE id IN ($1, $2) ORDER BY id', [id2, id3]);
    const [{ hash: h1 }] = await t.ds.query('SELECT hash FROM audit_event WHERE id = $1', [id1]);
    let prev: string = h1;
    await attacker.query('SET session_replication_role = replica');
    for (const [i, r] of rows.entries()) {
      const after = i === 0 ? { name: '篡改' } : r.after;
      const hash = eventHash(prev, {
        ...r,
        actorId: null,
        entityType: r.entity_type,
        entityId: r.entity_id,
        unitId: null,
        after,
      });
      await attacker.query(
        'UPDATE audit_event SET after = $2::jsonb, prev_hash = $3, hash = $4 WHERE id = $1',
        [r.id, JSON.stringify(after), prev, hash],
      );
      prev = hash;
    }
    expect(await audit.verify()).toMatchObject({
      ok: false,
      firstBroken: { id: id4, reason: 'link_mismatch' },
    });
    for (const r of rows)
      await attacker.query(
        'UPDATE audit_event SET after = $2::jsonb, prev_hash = $3, hash = $4 WHERE id = $1',
        [r.id, JSON.stringify(r.after), r.prev_hash, r.hash],
      );
    await attacker.query('SET session_replication_role = DEFAULT');
    expect((await audit.verify()).ok).toBe(true);
  });

  it('rotation: events signed with the old key verify with AUDIT_OLD_KEYS; the old key cannot sign after the new one', async () => {
    const rotated = service(keyB, [keyA]);
    await append(rotated, 5);
    await append(rotated, 6);
    const [, , , , id5] = await ids();
    expect(await rotated.verify()).toMatchObject({ ok: true, checked: 6 });
    // Without the old key the events it signed cannot be checked, and the report says so.
    expect(await service(keyB).verify()).toMatchObject({ ok: false, firstBroken: { reason: 'unknown_key' } });
    // A server still on the old key does not know the new one.
    expect(await service(keyA).verify()).toMatchObject({
      ok: false,
      firstBroken: { id: id5, reason: 'unknown_key' },
    });

    // Whoever holds the retired key (leaked) appends with it after the rotation: named as a downgrade.
    await append(service(keyA), 7);
    const id7 = (await ids())[6];
    expect(await rotated.verify()).toMatchObject({
      ok: false,
      checked: 6,
      firstBroken: { id: id7, reason: 'downgraded' },
    });
  });
});

describe('the compose database roles: the app appends to the audit trail but cannot rewrite it', () => {
  let t: TestApp;
  const role = `bm_app_${randomBytes(4).toString('hex')}`;
  let app: Client;

  beforeAll(async () => {
    // deploy/postgres/app-role.psql as the postgres image runs it on a new volume, before any migration.
    const prepare = async (url: string) => {
      await run('psql', [
        url,
        '-q',
        '-v',
        `app_role=${role}`,
        '-v',
        'app_password=',
        '-v',
        `owner=${new URL(url).username || 'postgres'}`,
        '-f',
        join(__dirname, '../../../deploy/postgres/app-role.psql'),
      ]);
    };
    t = await startTestApp({ prepare, appUser: role, env: { AUDIT_CHECKPOINT_SECONDS: '0' } });
    const url = new URL(t.url);
    url.username = role;
    app = new Client({ connectionString: url.toString() });
    await app.connect();
  });
  afterAll(async () => {
    await app?.end();
    await t?.close();
    const c = new Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    await c.query(`DROP ROLE IF EXISTS ${role}`);
    await c.end();
  });

  it('the app works as that role and its changes are audited', async () => {
    const admin = (await t.login('admin')).auth;
    const units = await t.http().get('/api/org-units').set(admin).expect(200);
    const unit = (units.body as { id: string; type: string }[]).find((u) => u.type === 'branch')!;
    await t.http().patch(`/api/org-units/${unit.id}`).set(admin).send({ name: '角色测试支部' }).expect(200);
    const {
      rows: [last],
    } = await app.query('SELECT action, entity_id FROM audit_event ORDER BY id DESC LIMIT 1');
    expect(last.entity_id).toBe(unit.id);
    expect((await t.http().get('/api/audit/verify').set(admin).expect(200)).body.ok).toBe(true);
  });

  it('the role is neither owner nor superuser and cannot update, delete, truncate or switch triggers off', async () => {
    const {
      rows: [r],
    } = await app.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
    expect(r.rolsuper).toBe(false);
    const {
      rows: [o],
    } = await app.query(`SELECT tableowner FROM pg_tables WHERE tablename = 'audit_event'`);
    expect(o.tableowner).not.toBe(role);
    const denied = /permission denied|must be owner/;
    await expect(app.query(`UPDATE audit_event SET action = 'x' WHERE id = 1`)).rejects.toThrow(denied);
    await expect(app.query('DELETE FROM audit_event WHERE id = 1')).rejects.toThrow(denied);
    await expect(app.query('TRUNCATE audit_event')).rejects.toThrow(denied);
    await expect(app.query('SET session_replication_role = replica')).rejects.toThrow(denied);
    await expect(
      app.query('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only'),
    ).rejects.toThrow(denied);
    await expect(app.query('CREATE TABLE evil (id int)')).rejects.toThrow(denied);
    // Ordinary tables stay writable.
    await app.query(`UPDATE org_unit SET name = name WHERE false`);
  });
});
