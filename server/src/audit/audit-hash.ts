import { createHash, createHmac } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: the same value always gives the same text (as jsonb does not keep order). */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface HashedFields {
  at: Date;
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  unitId: string | null;
  before: unknown;
  after: unknown;
}

/**
 * Version 1 (events written before audit keys): sha256 of the previous hash and the event. Public: anyone who can
 * edit the table can recompute it, so it is only accepted for the events before the first keyed one.
 */
export function eventHash(prevHash: string, e: HashedFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(eventBody(e)).digest('hex');
}

/**
 * Version 2: HMAC-SHA256 with a key the database does not hold, over the previous hash, the event and the key's
 * id. Without the key an edited event cannot be given a matching hash, nor can any event after it.
 */
export function eventMac(key: { id: string; secret: Buffer }, prevHash: string, e: HashedFields): string {
  return createHmac('sha256', key.secret)
    .update(prevHash)
    .update('\n')
    .update(eventBody(e))
    .update('\n')
    .update(key.id)
    .digest('hex');
}

function eventBody(e: HashedFields): string {
  return canonicalJson({
    at: e.at.toISOString(),
    actorId: e.actorId,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    unitId: e.unitId,
    before: e.before ?? null,
    after: e.after ?? null,
  });
}
