/**
 * The audit chain against a faked AuditRepository (rows in memory, as the table would hold them): appends link
 * each event to the one before and sign it with the current key, verify walks the chain and names the first
 * broken event (an edited one, a cut link, an unknown key), and a checkpoint reveals a cut-off tail.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntityManager } from 'typeorm';
import type { AuditEventEntity } from './audit-event.entity';
import type { AuditSettings } from './audit-keys';
import type { AuditRepository, StoredEvent } from './audit.repository';
import { AuditService } from './audit.service';

const em = {} as EntityManager;
const key = (secret: string) => ({ id: `k-${secret.slice(0, 4)}`, secret: Buffer.from(secret) });

function setup() {
  const rows: AuditEventEntity[] = [];
  const checkpointFile = join(
    tmpdir(),
    `audit-spec-${process.pid}-${Math.random().toString(16).slice(2)}.jsonl`,
  );
  const repo = {
    transaction: (run: (em: EntityManager) => Promise<unknown>) => run(em),
    lockHead: async () => rows[rows.length - 1]?.hash,
    insert: async (_em: EntityManager, events: StoredEvent[]) => {
      for (const e of events) rows.push({ ...e, id: String(rows.length + 1) } as AuditEventEntity);
    },
    head: async () => {
      const last = rows[rows.length - 1];
      return last && { id: last.id, hash: last.hash };
    },
    batchAfter: async (afterId: string, limit: number) =>
      rows.filter((r) => Number(r.id) > Number(afterId)).slice(0, limit),
    databaseName: async () => 'spec',
  } as unknown as AuditRepository;
  const settings: AuditSettings = {
    keys: [key('current-key-of-at-least-32-characters')],
    checkpointFile,
    checkpointSeconds: 0,
  };
  const audit = new AuditService(repo, settings);
  const event = (n: number) => ({
    actorId: 'sec',
    action: 'unit.update',
    entityType: 'org_unit',
    entityId: 'b1',
    unitId: 'b1',
    before: { name: `old ${n}` },
    after: { name: `new ${n}`, at: undefined },
  });
  return { audit, rows, event, checkpointFile };
}

describe('AuditService', () => {
  const files: string[] = [];
  afterAll(() => files.forEach((f) => rmSync(f, { force: true })));

  it('links and signs each event, and verifies the whole chain', async () => {
    const { audit, rows, event, checkpointFile } = setup();
    files.push(checkpointFile);
    await audit.append(em, event(1));
    await audit.append(em, [event(2), event(3)]);
    expect(rows.map((r) => r.prevHash)).toEqual([
      expect.stringMatching(/^0{64}$/),
      rows[0].hash,
      rows[1].hash,
    ]);
    expect(new Set(rows.map((r) => r.keyId))).toEqual(new Set(['k-curr']));
    expect(rows[0].after).toEqual({ name: 'new 1' }); // what is hashed is what jsonb keeps
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 3, firstBroken: null, lastId: '3' });
  });

  it('names the first broken event: an edited one, a cut link, an unknown key', async () => {
    for (const [breakIt, reason] of [
      [(r: AuditEventEntity[]) => (r[1].after = { name: 'forged' }), 'hash_mismatch'],
      [(r: AuditEventEntity[]) => (r[1].prevHash = r[0].prevHash), 'link_mismatch'],
      [(r: AuditEventEntity[]) => (r[1].keyId = 'k-gone'), 'unknown_key'],
    ] as const) {
      const { audit, rows, event } = setup();
      await audit.append(em, [event(1), event(2), event(3)]);
      breakIt(rows);
      expect(await audit.verify()).toMatchObject({ ok: false, checked: 1, firstBroken: { id: '2', reason } });
    }
  });

  it('reveals a tail cut off after a checkpoint', async () => {
    const { audit, rows, event, checkpointFile } = setup();
    files.push(checkpointFile);
    await audit.append(em, [event(1), event(2)]);
    expect(await audit.checkpoint()).toMatchObject({ id: '2' });
    expect(await audit.checkpoint()).toBeNull(); // the head has not moved
    rows.pop();
    expect(await audit.verify()).toMatchObject({ ok: false, firstBroken: { id: '2', reason: 'truncated' } });
  });
});
