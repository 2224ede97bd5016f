import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ErrorCodes } from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';
import * as Y from './yjs';
import { DomainError } from '../common/domain-error';
import { KeyedQueue } from '../common/keyed-queue';
import { SocketHub } from '../common/socket-hub';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { checkClientUpdate, docFromState, readSections, resolutionsOf, toBase64 } from './minutes-doc';
import { MinutesRepository } from './minutes.repository';

/**
 * What `exclusive` hands its function: the document, and the transaction it runs in (the minutes row locked in
 * it), with the document's changes and flush inside that transaction.
 */
export interface DocTxn {
  doc: Y.Doc;
  em: EntityManager;
  change(edit: (doc: Y.Doc) => void): Promise<void>;
  flush(): Promise<void>;
}

interface LiveDoc {
  doc: Y.Doc;
  /** The newest minutes_update row merged into `doc` ('0': none); a flush folds the rows up to it. */
  lastRowId: string;
  rowsSinceFlush: number;
  dirty: boolean;
  /** A change failed after it was applied here: the next step reloads what is stored. */
  stale?: boolean;
  flushTimer?: NodeJS.Timeout;
  readers: Set<string>;
  /** The state vector each reader was last synced to (it hears every later change as a relay). */
  synced?: Map<string, Uint8Array>;
}

/** Unflushed rows after which a flush runs at once. */
const FLUSH_EVERY_ROWS = 200;
/** A flush runs this long after the last change (the texts for search and exports follow within it). */
const FLUSH_DELAY_MS = 1000;

const notFound = () => new DomainError(ErrorCodes.notFound, 404, 'notFound.minutes');

/** The plain text of the sections: each title, then what was written under it. */
export function contentText(doc: Y.Doc): string {
  return readSections(doc)
    .map((s) => `${s.title}\n${s.text}`.trim())
    .join('\n\n');
}

/**
 * The Yjs documents of the minutes, one order of changes per meeting: every change (a client's update, or the
 * server's own: new sections, a vote's result, a correction) is applied in order, written to `minutes_update`
 * (committed) before it is acknowledged, and relayed to the other readers. Flushing folds the rows into
 * `minutes.ydoc` and derives the plain texts (content, resolutions, search text). A copy of the document stays
 * in memory while someone reads it here.
 *
 * The order: on one node (no REDIS_URL), this node's queue per meeting, and the copy here is the document. With
 * several nodes, each node serving a reader or a change holds a copy, and PostgreSQL is the one authority: every
 * step takes the minutes row's lock (FOR UPDATE to change, FOR SHARE to read) and first brings the copy up to
 * what is stored (the rows other nodes added; the stored document again when another node folded rows this copy
 * lacks), so every change is checked against and applied to the whole document, in the order of the rows. A
 * node that dies holds nothing another needs: its lock goes with its connection, its acknowledged updates are
 * rows, and any node rebuilds the document from `minutes.ydoc` and the rows after it.
 */
@Injectable()
export class MinutesDocService implements OnModuleDestroy {
  private readonly log = new Logger(MinutesDocService.name);
  private readonly docs = new Map<string, LiveDoc>();
  /** Runs the changes of one meeting's document one at a time. */
  private readonly queue = new KeyedQueue();
  /** Other nodes change the stored documents too (REDIS_URL set). */
  private readonly shared: boolean;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: MinutesRepository,
    private readonly hub: SocketHub,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'REDIS_URL'>,
  ) {
    this.shared = !!config.REDIS_URL;
  }

  async onModuleDestroy(): Promise<void> {
    for (const meetingId of [...this.docs.keys()]) {
      clearTimeout(this.docs.get(meetingId)?.flushTimer);
      await this.flush(meetingId).catch((e: unknown) => this.log.error(`flush ${meetingId}: ${String(e)}`));
    }
  }

  /**
   * One step on the meeting's document, in its order (the caller runs it in the meeting's queue): with several
   * nodes inside a transaction holding the minutes row, the copy here brought up to what is stored; on one node
   * the copy here as it is, in a transaction only when `transaction` asks for one.
   */
  private step<T>(
    meetingId: string,
    access: 'read' | 'write',
    fn: (live: LiveDoc, em: EntityManager) => Promise<T>,
    transaction = this.shared,
  ): Promise<T> {
    const run = async (em: EntityManager) => fn(await this.current(meetingId, em, access), em);
    return transaction ? this.dataSource.transaction(run) : run(this.dataSource.manager);
  }

  /** The copy here, as stored: loaded if there is none (or it is stale); with several nodes, caught up first. */
  private async current(meetingId: string, em: EntityManager, access: 'read' | 'write'): Promise<LiveDoc> {
    const cached = this.docs.get(meetingId);
    if (!this.shared) return cached && !cached.stale ? cached : this.load(meetingId, em, cached);
    const fold = await this.repo.lockDocument(em, meetingId, access);
    if (fold === null) throw notFound();
    // Another node folded rows this copy lacks (they are gone from minutes_update): the stored document again.
    if (!cached || cached.stale || BigInt(fold) > BigInt(cached.lastRowId))
      return this.load(meetingId, em, cached);
    const rows = await this.repo.updatesAfter(em, meetingId, cached.lastRowId);
    for (const row of rows) Y.applyUpdate(cached.doc, row.update);
    if (rows.length) {
      cached.lastRowId = rows[rows.length - 1].id;
      cached.dirty = true;
    }
    return cached;
  }

  /** The stored document and the rows after its fold; into `into` (keeping its readers) when given. */
  private async load(meetingId: string, em: EntityManager, into?: LiveDoc): Promise<LiveDoc> {
    const stored = await this.repo.storedDocument(em, meetingId);
    if (!stored) throw notFound();
    const rows = await this.repo.updatesAfter(em, meetingId, stored.fold);
    const doc = docFromState(
      stored.ydoc,
      rows.map((r) => r.update),
    );
    const state = {
      doc,
      lastRowId: rows.length ? rows[rows.length - 1].id : stored.fold,
      rowsSinceFlush: rows.length,
      dirty: rows.length > 0,
      stale: false,
    };
    if (into) {
      into.doc.destroy();
      return Object.assign(into, state);
    }
    const live: LiveDoc = { ...state, readers: new Set() };
    this.docs.set(meetingId, live);
    return live;
  }

  /** What this copy was given that may not be stored: the next step reloads it. */
  private invalidate(live: LiveDoc): void {
    clearTimeout(live.flushTimer);
    live.stale = true;
  }

  /** Reads the document (in order with the changes). */
  read<T>(meetingId: string, fn: (doc: Y.Doc) => T): Promise<T> {
    return this.queue.run(meetingId, () =>
      this.step(meetingId, 'read', async (live) => {
        try {
          return fn(live.doc);
        } finally {
          this.evictIdle(meetingId, live);
        }
      }),
    );
  }

  /** A document nobody reads and nothing waits to be flushed from is not kept in memory. */
  private evictIdle(meetingId: string, live: LiveDoc): void {
    if (live.readers.size === 0 && !live.dirty && this.docs.get(meetingId) === live) {
      clearTimeout(live.flushTimer);
      this.docs.delete(meetingId);
    }
  }

  /**
   * The sync step: what a reader with `stateVector` lacks, and the server's state vector. A reader that was
   * synced before and sends no state vector gets only what changed since then (the whole document once per
   * socket, not on every repeated open).
   */
  sync(meetingId: string, socketId: string, stateVector?: Uint8Array) {
    return this.queue.run(meetingId, () =>
      this.step(meetingId, 'read', async (live) => {
        live.readers.add(socketId);
        const since = stateVector ?? live.synced?.get(socketId);
        const now = Y.encodeStateVector(live.doc);
        (live.synced ??= new Map()).set(socketId, now);
        return { update: toBase64(Y.encodeStateAsUpdate(live.doc, since)), stateVector: toBase64(now) };
      }),
    );
  }

  /** Whether the socket reads the meeting's document now (it is in memory, and synced to that socket). */
  isReader(meetingId: string, socketId: string): boolean {
    return this.docs.get(meetingId)?.readers.has(socketId) ?? false;
  }

  /** A reader closed the minutes (or its socket dropped): the last one out flushes and frees the document. */
  release(meetingId: string, socketId: string): Promise<void> {
    return this.queue.run(meetingId, async () => {
      const live = this.docs.get(meetingId);
      live?.synced?.delete(socketId);
      if (!live || !live.readers.delete(socketId) || live.readers.size > 0) return;
      if (live.dirty) await this.flushStep(meetingId, live);
      clearTimeout(live.flushTimer);
      this.docs.delete(meetingId);
    });
  }

  /**
   * Runs `fn` alone on the meeting's document, in one transaction that holds the minutes row: no other change
   * comes in between (the review workflow changes the status and takes the revision this way). `change` persists
   * server-side edits in that transaction; they are relayed to the readers once it commits. On failure the
   * copy here is reloaded from what is stored at the next step.
   */
  exclusive<T>(meetingId: string, fn: (t: DocTxn) => Promise<T>): Promise<T> {
    return this.queue.run(meetingId, async () => {
      const relay: Uint8Array[] = [];
      let used: LiveDoc | undefined;
      let result: T;
      try {
        result = await this.step(
          meetingId,
          'write',
          async (live, em) => {
            used = live;
            return fn({
              doc: live.doc,
              em,
              change: async (edit) => {
                const updates: Uint8Array[] = [];
                const capture = (u: Uint8Array) => updates.push(u);
                live.doc.on('update', capture);
                try {
                  edit(live.doc);
                } finally {
                  live.doc.off('update', capture);
                }
                if (!updates.length) return;
                const merged = Y.mergeUpdates(updates);
                await this.persist(meetingId, live, merged, null, em);
                relay.push(merged);
              },
              flush: () => this.flushNow(meetingId, live, em),
            });
          },
          true,
        );
      } catch (e) {
        if (used) this.invalidate(used);
        throw e;
      }
      for (const update of relay)
        this.hub.toReaders(meetingId, 'minutes.updated', { meetingId, update: toBase64(update) });
      if (used) this.evictIdle(meetingId, used);
      return result;
    });
  }

  /** A server-side edit on its own (new sections): persisted and relayed to every reader. */
  edit(meetingId: string, fn: (doc: Y.Doc) => void): Promise<void> {
    return this.exclusive(meetingId, (t) => t.change(fn));
  }

  /**
   * A client's update: `authorise` checks (in order with the other changes, in the step's transaction) that the
   * user may write now; the update is checked on a copy, stored, applied, and relayed to the other readers once
   * stored.
   */
  applyClientUpdate(
    meetingId: string,
    userId: string,
    socketId: string,
    update: Uint8Array,
    authorise: (em: EntityManager) => Promise<void>,
  ): Promise<void> {
    return this.queue.run(meetingId, async () => {
      let applied: LiveDoc | undefined;
      try {
        await this.step(meetingId, 'write', async (live, em) => {
          await authorise(em);
          const verdict = checkClientUpdate(live.doc, update);
          if (verdict !== 'ok') throw new DomainError(ErrorCodes.validation, 400, 'minutes.corruptUpdate');
          Y.applyUpdate(live.doc, update, 'client');
          applied = live;
          await this.persist(meetingId, live, update, userId, em);
        });
      } catch (e) {
        // Applied here, not stored: the next step reloads what is stored.
        if (applied) this.invalidate(applied);
        throw e;
      }
      this.hub.toReadersExcept(meetingId, socketId, 'minutes.updated', {
        meetingId,
        update: toBase64(update),
      });
    });
  }

  private async persist(
    meetingId: string,
    live: LiveDoc,
    update: Uint8Array,
    userId: string | null,
    em: EntityManager,
  ): Promise<void> {
    live.lastRowId = await this.repo.addUpdate(em, meetingId, update, userId);
    live.dirty = true;
    live.rowsSinceFlush++;
    clearTimeout(live.flushTimer);
    if (live.rowsSinceFlush >= FLUSH_EVERY_ROWS) {
      await this.flushNow(meetingId, live, em);
    } else {
      live.flushTimer = setTimeout(() => {
        void this.flush(meetingId).catch((e: unknown) => this.log.error(`flush ${meetingId}: ${String(e)}`));
      }, FLUSH_DELAY_MS);
      live.flushTimer.unref();
    }
  }

  /** Folds the stored updates into `minutes.ydoc` and refreshes the plain texts (before exports, submission...). */
  flush(meetingId: string): Promise<void> {
    return this.queue.run(meetingId, async () => {
      const live = this.docs.get(meetingId);
      if (live) await this.flushStep(meetingId, live);
    });
  }

  /** A flush as a step of its own, in a transaction (run in the meeting's queue). */
  private async flushStep(meetingId: string, live: LiveDoc): Promise<void> {
    try {
      await this.step(meetingId, 'write', (l, em) => this.flushNow(meetingId, l, em), true);
    } catch (e) {
      this.invalidate(live);
      throw e;
    }
  }

  private async flushNow(meetingId: string, live: LiveDoc, em: EntityManager): Promise<void> {
    clearTimeout(live.flushTimer);
    if (!live.dirty) return;
    const write = (m: EntityManager) =>
      this.repo.storeFolded(
        m,
        meetingId,
        Buffer.from(Y.encodeStateAsUpdate(live.doc)),
        { content: contentText(live.doc), resolutions: resolutionsOf(live.doc).toString() },
        live.lastRowId,
      );
    // The stored document and the rows it folds change together.
    if (em.queryRunner?.isTransactionActive) await write(em);
    else await this.dataSource.transaction(write);
    live.dirty = false;
    live.rowsSinceFlush = 0;
    this.evictIdle(meetingId, live);
  }

  /** How many sockets read the meeting's minutes now. */
  readers(meetingId: string): number {
    return this.docs.get(meetingId)?.readers.size ?? 0;
  }
}
