import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { canonicalJson } from './audit-hash';
import type { AuditKey } from './audit-keys';

/**
 * A signed statement "the chain of database `db` reached event `id` with hash `hash` at `at`", kept outside the
 * table (a file and the log). Deleting the newest events cannot be hidden from it: the table no longer reaches
 * the checkpoint's head. The signature keeps whoever can write the file from inventing an older head.
 */
export interface AuditCheckpoint {
  db: string;
  id: string;
  hash: string;
  at: string;
  keyId: string;
  mac: string;
}

const LOG_PREFIX = 'audit checkpoint ';

function mac(key: AuditKey, c: Omit<AuditCheckpoint, 'mac' | 'keyId'>): string {
  const body = canonicalJson({ db: c.db, id: c.id, hash: c.hash, at: c.at, keyId: key.id });
  return createHmac('sha256', key.secret).update('checkpoint\n').update(body).digest('hex');
}

export function signCheckpoint(key: AuditKey, c: Omit<AuditCheckpoint, 'mac' | 'keyId'>): AuditCheckpoint {
  return { db: c.db, id: c.id, hash: c.hash, at: c.at, keyId: key.id, mac: mac(key, c) };
}

/** The line written to the log and the file: the log prefix makes it easy to grep from shipped logs. */
export function checkpointLine(c: AuditCheckpoint): string {
  return LOG_PREFIX + JSON.stringify(c);
}

export async function appendCheckpoint(file: string, c: AuditCheckpoint): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, checkpointLine(c) + '\n', { mode: 0o600 });
}

export interface ReadCheckpoints {
  /** Validly signed checkpoints of this database, in file order. */
  valid: AuditCheckpoint[];
  /** Lines that look like checkpoints of this database but whose signature or key is wrong. */
  forged: number;
  /** Whether the file exists at all. */
  found: boolean;
}

/** Reads checkpoint lines (from the file, or from a copy of the log: other lines are skipped). */
export async function readCheckpoints(file: string, db: string, keys: AuditKey[]): Promise<ReadCheckpoints> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { valid: [], forged: 0, found: false };
  }
  const out: ReadCheckpoints = { valid: [], forged: 0, found: true };
  for (const line of text.split('\n')) {
    const at = line.indexOf(LOG_PREFIX);
    if (at < 0) continue;
    let c: AuditCheckpoint;
    try {
      c = JSON.parse(line.slice(at + LOG_PREFIX.length)) as AuditCheckpoint;
    } catch {
      continue;
    }
    if (!c || typeof c !== 'object' || c.db !== db) continue;
    const key = keys.find((k) => k.id === c.keyId);
    const ok =
      key &&
      typeof c.mac === 'string' &&
      c.mac.length === 64 &&
      timingSafeEqual(Buffer.from(c.mac), Buffer.from(mac(key, c)));
    if (ok) out.valid.push(c);
    else out.forged++;
  }
  return out;
}
