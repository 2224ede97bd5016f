import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { AuditEvent, AuditVerifyResult } from '@branchmeet/shared';
import { EntityManager } from 'typeorm';
import { eventHash, eventMac, GENESIS_HASH } from './audit-hash';
import { AUDIT_SETTINGS, AuditSettings, auditSettingsFromEnv } from './audit-keys';
import {
  appendCheckpoint,
  AuditCheckpoint,
  checkpointLine,
  readCheckpoints,
  signCheckpoint,
} from './audit-checkpoints';
import { AuditRepository } from './audit.repository';

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
const VERIFY_BATCH = 5000;

type Broken = NonNullable<AuditVerifyResult['firstBroken']>;

/** What `audit:verify` shows: the chain's result, and what the checkpoints kept outside the table say. */
export interface AuditVerifyReport extends AuditVerifyResult {
  lastId: string | null;
  checkpoints: {
    file: string;
    found: boolean;
    /** Validly signed checkpoints of this database. */
    valid: number;
    /** Checkpoint lines of this database whose signature does not match any audit key. */
    forged: number;
    newest: AuditCheckpoint | null;
  };
}

@Injectable()
export class AuditService {
  private readonly settings: AuditSettings;
  private readonly log = new Logger('Audit');
  private lastCheckpointId: string | null = null;

  constructor(
    private readonly repo: AuditRepository,
    @Optional() @Inject(AUDIT_SETTINGS) settings?: AuditSettings,
  ) {
    this.settings = settings ?? auditSettingsFromEnv();
  }

  /**
   * Appends events inside the caller's transaction, so a change and its audit trail commit or roll back
   * together. Values are normalised through JSON first: what is hashed is exactly what jsonb stores.
   */
  async append(em: EntityManager, inputs: AuditInput | AuditInput[]): Promise<void> {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (list.length === 0) return;
    let prevHash = (await this.repo.lockHead(em)) ?? GENESIS_HASH;
    const key = this.settings.keys[0];
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
      const hash = eventMac(key, prevHash, fields);
      const row = { ...fields, keyId: key.id, prevHash, hash };
      prevHash = hash;
      return row;
    });
    await this.repo.insert(em, rows);
  }

  /** The unit of a meeting, or of a recording's meeting: where a line about it shows. */
  unitOf(subject: 'meetingId' | 'recordingId', id: string): Promise<string | null> {
    return this.repo.unitOf(subject, id);
  }

  /** One event in a transaction of its own: for reads and downloads, which change nothing else. */
  async record(input: AuditInput): Promise<void> {
    await this.repo.transaction((em) => this.append(em, input));
  }

  /**
   * Walks the whole chain in id order and reports the first event whose hash, link or key does not match; then
   * checks the signed checkpoints kept outside the table, so a cut-off tail is reported too.
   */
  async verify(opts: { checkpointFile?: string } = {}): Promise<AuditVerifyReport> {
    const file = opts.checkpointFile ?? this.settings.checkpointFile;
    const db = await this.repo.databaseName();
    const cps = await readCheckpoints(file, db, this.settings.keys);
    const atCheckpoint = new Map(cps.valid.map((c) => [c.id, c.hash]));
    const newest = cps.valid.reduce<AuditCheckpoint | null>(
      (a, c) => (!a || BigInt(c.id) > BigInt(a.id) ? c : a),
      null,
    );
    const keyRank = new Map(this.settings.keys.map((k, i) => [k.id, i]));
    const report = (
      checked: number,
      firstBroken: Broken | null,
      lastId: string | null,
    ): AuditVerifyReport => ({
      ok: firstBroken === null,
      checked,
      firstBroken,
      lastId,
      checkpoints: { file, found: cps.found, valid: cps.valid.length, forged: cps.forged, newest },
    });

    let prevHash = GENESIS_HASH;
    let checked = 0;
    let afterId = '0';
    let lastId: string | null = null;
    // Keys are used oldest to newest: once an event is signed with a key, no later event may be unsigned
    // (version 1) or signed with an older key (a leaked old key cannot rewrite what a newer key sealed).
    let rank = Infinity;
    for (;;) {
      const batch = await this.repo.batchAfter(afterId, VERIFY_BATCH);
      for (const e of batch) {
        const broken = (reason: Broken['reason']) => report(checked, { id: e.id, reason }, lastId);
        if (e.prevHash !== prevHash) return broken('link_mismatch');
        if (e.keyId === null) {
          if (rank !== Infinity) return broken('downgraded');
          if (eventHash(prevHash, e) !== e.hash) return broken('hash_mismatch');
        } else {
          const r = keyRank.get(e.keyId);
          if (r === undefined) return broken('unknown_key');
          if (r > rank) return broken('downgraded');
          if (eventMac(this.settings.keys[r], prevHash, e) !== e.hash) return broken('hash_mismatch');
          rank = r;
        }
        const signed = atCheckpoint.get(e.id);
        if (signed !== undefined && signed !== e.hash) return broken('checkpoint_mismatch');
        prevHash = e.hash;
        lastId = e.id;
        checked++;
      }
      if (batch.length < VERIFY_BATCH) break;
      afterId = batch[batch.length - 1].id;
    }
    if (newest && (lastId === null || BigInt(newest.id) > BigInt(lastId)))
      return report(checked, { id: newest.id, reason: 'truncated' }, lastId);
    return report(checked, null, lastId);
  }

  /**
   * Signs the chain's current head and writes it to the log and the checkpoint file (when the head moved since
   * the last one). Run every AUDIT_CHECKPOINT_SECONDS by AuditCheckpointer, at shutdown and by audit:verify.
   */
  async checkpoint(): Promise<AuditCheckpoint | null> {
    const head = await this.repo.head();
    if (!head || head.id === this.lastCheckpointId) return null;
    const c = signCheckpoint(this.settings.keys[0], {
      db: await this.repo.databaseName(),
      id: head.id,
      hash: head.hash,
      at: new Date().toISOString(),
    });
    await appendCheckpoint(this.settings.checkpointFile, c);
    this.log.log(checkpointLine(c));
    this.lastCheckpointId = head.id;
    return c;
  }

  get checkpointSeconds(): number {
    return this.settings.checkpointSeconds;
  }

  async list(opts: { unitIds?: string[] | null; limit: number; beforeId?: number }): Promise<AuditEvent[]> {
    const rows = await this.repo.list(opts);
    return rows.map(({ event: e, actorName }) => ({
      id: e.id,
      at: e.at.toISOString(),
      actorId: e.actorId,
      actorName,
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

function normalise(value: unknown): object | null {
  return value === undefined || value === null ? null : (JSON.parse(JSON.stringify(value)) as object);
}
