import { Injectable } from '@nestjs/common';
import type { AuditEvent, AuditVerifyResult } from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';
import { UserEntity } from '../auth/user.entity';
import { AuditEventEntity } from './audit-event.entity';
import { eventHash, GENESIS_HASH, HashedFields } from './audit-hash';
import { bulkInsert, BulkColumn } from '../database/bulk-insert';

export interface AuditInput {
  actorId: string | null;
  action: string;
  entityType: string;
  entityId?: string | null;
  unitId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Serialises appends so each event links to the one before it; held until the transaction ends. */
const CHAIN_LOCK = 0x6175646974; // 'audit'
const VERIFY_BATCH = 5000;

@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Appends events inside the caller's transaction, so a change and its audit trail commit or roll back
   * together. Values are normalised through JSON first: what is hashed is exactly what jsonb stores.
   */
  async append(em: EntityManager, inputs: AuditInput | AuditInput[]): Promise<void> {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (list.length === 0) return;
    await em.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    const last: { hash: string }[] = await em.query('SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1');
    let prevHash = last[0]?.hash ?? GENESIS_HASH;
    const at = new Date();
    const rows = list.map((input) => {
      const fields = {
        at,
        actorId: input.actorId,
        action: input.action,
        entityType: input.entityType,
        entityId: input.entityId ?? null,
        unitId: input.unitId ?? null,
        before: normalise(input.before),
        after: normalise(input.after),
      };
      const hash = eventHash(prevHash, fields);
      const row = { ...fields, prevHash, hash };
      prevHash = hash;
      return row;
    });
    await bulkInsert(em, 'audit_event', auditColumns, rows);
  }

  /** Walks the whole chain in id order and reports the first event whose hash or link does not match. */
  async verify(): Promise<AuditVerifyResult> {
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let afterId = '0';
    for (;;) {
      const batch = await this.dataSource
        .getRepository(AuditEventEntity)
        .createQueryBuilder('e')
        .where('e.id > :afterId', { afterId })
        .orderBy('e.id', 'ASC')
        .limit(VERIFY_BATCH)
        .getMany();
      for (const e of batch) {
        if (e.prevHash !== prevHash)
          return { ok: false, checked, firstBroken: { id: e.id, reason: 'link_mismatch' } };
        if (eventHash(prevHash, e) !== e.hash) {
          return { ok: false, checked, firstBroken: { id: e.id, reason: 'hash_mismatch' } };
        }
        prevHash = e.hash;
        checked++;
      }
      if (batch.length < VERIFY_BATCH) return { ok: true, checked, firstBroken: null };
      afterId = batch[batch.length - 1].id;
    }
  }

  async list(opts: { unitIds?: string[] | null; limit: number; beforeId?: number }): Promise<AuditEvent[]> {
    const qb = this.dataSource
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .leftJoin(UserEntity, 'u', 'u.id = e.actor_id')
      .addSelect('u.name', 'actor_name')
      .orderBy('e.id', 'DESC')
      .limit(opts.limit);
    if (opts.unitIds) qb.andWhere('e.unit_id IN (:...unitIds)', { unitIds: opts.unitIds });
    if (opts.beforeId) qb.andWhere('e.id < :beforeId', { beforeId: opts.beforeId });
    const { entities, raw } = await qb.getRawAndEntities<{ actor_name: string | null }>();
    return entities.map((e, i) => ({
      id: e.id,
      at: e.at.toISOString(),
      actorId: e.actorId,
      actorName: raw[i]?.actor_name ?? null,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      unitId: e.unitId,
      before: e.before ?? null,
      after: e.after ?? null,
      hash: e.hash,
    }));
  }
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const auditColumns: BulkColumn<HashedFields & { prevHash: string; hash: string }>[] = [
  { name: 'at', type: 'timestamptz', value: (r) => r.at.toISOString() },
  { name: 'actor_id', type: 'uuid', value: (r) => r.actorId },
  { name: 'action', type: 'text', value: (r) => r.action },
  { name: 'entity_type', type: 'text', value: (r) => r.entityType },
  { name: 'entity_id', type: 'text', value: (r) => r.entityId },
  { name: 'unit_id', type: 'uuid', value: (r) => r.unitId },
  { name: 'before', type: 'jsonb', value: (r) => json(r.before) },
  { name: 'after', type: 'jsonb', value: (r) => json(r.after) },
  { name: 'prev_hash', type: 'text', value: (r) => r.prevHash },
  { name: 'hash', type: 'text', value: (r) => r.hash },
];

function normalise(value: unknown): object | null {
  return value === undefined || value === null ? null : (JSON.parse(JSON.stringify(value)) as object);
}
