import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UserEntity } from '../auth/user.entity';
import { bulkInsert, type BulkColumn } from '../database/bulk-insert';
import { AuditEventEntity } from './audit-event.entity';
import type { HashedFields } from './audit-hash';

/** An event to store: its fields, the key that signed it, and its link in the chain. */
export type StoredEvent = HashedFields & { keyId: string; prevHash: string; hash: string };

const CHAIN_LOCK = 0x6175646974; // 'audit'

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const auditColumns: BulkColumn<StoredEvent>[] = [
  { name: 'at', type: 'timestamptz', value: (r) => r.at.toISOString() },
  { name: 'actor_id', type: 'uuid', value: (r) => r.actorId },
  { name: 'action', type: 'text', value: (r) => r.action },
  { name: 'entity_type', type: 'text', value: (r) => r.entityType },
  { name: 'entity_id', type: 'text', value: (r) => r.entityId },
  { name: 'unit_id', type: 'uuid', value: (r) => r.unitId },
  { name: 'before', type: 'jsonb', value: (r) => json(r.before) },
  { name: 'after', type: 'jsonb', value: (r) => json(r.after) },
  { name: 'key_id', type: 'text', value: (r) => r.keyId },
  { name: 'prev_hash', type: 'text', value: (r) => r.prevHash },
  { name: 'hash', type: 'text', value: (r) => r.hash },
];

/**
 * The SQL of the audit log (audit_event). The log is read across every feature by design: its listing names each
 * actor in the same keyset-paged query (a join on the people), and a download's line finds the unit of the
 * meeting or recording it was of.
 */
@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(run: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(run);
  }

  /** Takes the chain for the rest of `em`'s transaction (appends run one after another) and reads its head. */
  async lockHead(em: EntityManager): Promise<string | undefined> {
    await em.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    const last: { hash: string }[] = await em.query('SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1');
    return last[0]?.hash;
  }

  async insert(em: EntityManager, rows: StoredEvent[]): Promise<void> {
    await bulkInsert(em, 'audit_event', auditColumns, rows);
  }

  /** The chain's newest event, if any. */
  async head(): Promise<{ id: string; hash: string } | undefined> {
    const [head]: { id: string; hash: string }[] = await this.dataSource.query(
      'SELECT e.id::text AS id, e.hash FROM audit_event e ORDER BY e.id DESC LIMIT 1',
    );
    return head;
  }

  /** The events after `afterId`, in id order, at most `limit`. */
  batchAfter(afterId: string, limit: number): Promise<AuditEventEntity[]> {
    return this.dataSource
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .where('e.id > :afterId', { afterId })
      .orderBy('e.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** The name of this database (checkpoints name the database they seal). */
  async databaseName(): Promise<string> {
    const [{ db }]: { db: string }[] = await this.dataSource.query('SELECT current_database() AS db');
    return db;
  }

  /** Newest first, of the units (all when null), before `beforeId`: each with its actor's name. */
  async list(opts: {
    unitIds?: string[] | null;
    limit: number;
    beforeId?: number;
  }): Promise<{ event: AuditEventEntity; actorName: string | null }[]> {
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
    return entities.map((event, i) => ({ event, actorName: raw[i]?.actor_name ?? null }));
  }

  /** The unit of a meeting, or of a recording's meeting: where a download's line shows. */
  async unitOf(subject: 'meetingId' | 'recordingId', id: string): Promise<string | null> {
    const rows: { unit_id: string }[] =
      subject === 'meetingId'
        ? await this.dataSource.query('SELECT unit_id FROM meeting WHERE id = $1', [id])
        : await this.dataSource.query(
            'SELECT m.unit_id FROM recording r JOIN meeting m ON m.id = r.meeting_id WHERE r.id = $1',
            [id],
          );
    return rows[0]?.unit_id ?? null;
  }
}
