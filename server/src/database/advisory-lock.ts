import { createHash } from 'node:crypto';

/** The PostgreSQL advisory lock key of a name: the first 64 bits of its SHA-256, signed (PostgreSQL's bigint). */
export function lockKey(lockName: string): string {
  const digest = createHash('sha256').update(`branchmeet:cluster-once:${lockName}`).digest();
  return BigInt.asIntN(64, digest.readBigUInt64BE(0)).toString();
}
