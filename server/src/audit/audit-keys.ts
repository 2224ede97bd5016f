import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** One HMAC key of the audit chain. `id` is stored with every event it signs (so an old key still verifies). */
export interface AuditKey {
  id: string;
  secret: Buffer;
}

/**
 * Where the audit chain's secrets and checkpoints live. None of it is in the database: whoever owns the database
 * can neither re-sign an edited event nor hide a cut-off tail.
 */
export interface AuditSettings {
  /** The current key first (new events), then older keys, newest first (verification only). */
  keys: AuditKey[];
  /** Append-only file of signed checkpoints (head id + hash). */
  checkpointFile: string;
  /** How often a new checkpoint is written while the head moves (seconds). */
  checkpointSeconds: number;
}

export interface AuditEnv {
  AUDIT_KEY?: string;
  AUDIT_OLD_KEYS?: string;
  AUDIT_CHECKPOINT_FILE?: string;
  AUDIT_CHECKPOINT_SECONDS?: number | string;
}

export const AUDIT_SETTINGS = Symbol('AUDIT_SETTINGS');
export const MIN_AUDIT_KEY_LENGTH = 32;

/** A key's public id: a fingerprint that names the key without revealing it. */
export function auditKeyId(secret: string): string {
  return (
    'k' + createHash('sha256').update('branchmeet-audit-key\n').update(secret).digest('hex').slice(0, 12)
  );
}

function key(secret: string): AuditKey {
  return { id: auditKeyId(secret), secret: Buffer.from(secret, 'utf8') };
}

/**
 * AUDIT_KEY (current) and AUDIT_OLD_KEYS (comma-separated, newest first) from the environment; without AUDIT_KEY
 * a key generated once into DATA_DIR/audit-key (as the development JWT secret is).
 */
export function auditSettings(env: AuditEnv, dataDir: string): AuditSettings {
  const current = env.AUDIT_KEY?.trim() || localAuditKey(dataDir);
  const old = (env.AUDIT_OLD_KEYS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== current);
  for (const s of [current, ...old]) {
    if (s.length < MIN_AUDIT_KEY_LENGTH)
      throw new Error(
        `audit keys need at least ${MIN_AUDIT_KEY_LENGTH} characters (AUDIT_KEY, AUDIT_OLD_KEYS)`,
      );
  }
  return {
    keys: [current, ...old].map(key),
    checkpointFile: resolve(env.AUDIT_CHECKPOINT_FILE || join(dataDir, 'audit-checkpoints.jsonl')),
    checkpointSeconds: Number(env.AUDIT_CHECKPOINT_SECONDS ?? 10),
  };
}

function localAuditKey(dataDir: string): string {
  const file = join(dataDir, 'audit-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** For code that runs outside the Nest app (seed, CLI helpers): the same settings from process.env. */
export function auditSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): AuditSettings {
  return auditSettings(env, resolve(env.DATA_DIR ?? join(__dirname, '../../../.data')));
}
