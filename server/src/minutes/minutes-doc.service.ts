import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ErrorCodes } from '@branchmeet/shared';
import { DataSource, EntityManager } from 'typeorm';
import * as Y from './yjs';
import { DomainError } from '../common/domain-error';
import { KeyedQueue } from '../common/keyed-queue';
import { SocketHub } from '../common/socket-hub';
import { checkClientUpdate, docFromState, readSections, resolutionsOf, toBase64 } from './minutes-doc';
import { MinutesUpdateEntity } from './minutes-update.entity';
import { MinutesEntity } from './minutes.entity';
import { MinutesRepository } from './minutes.repository';

/** What `exclusive` hands its function: the document, and its changes and flush inside a transaction. */
export interface DocTxn {
  doc: Y.Doc;
  change(edit: (doc: Y.Doc) => void, em: EntityManager): Promise<void>;
  flush(em: EntityManager): Promise<void>;
}

interface LiveDoc {
  doc: Y.Doc;
  /** The newest minutes_update row merged into `doc`; rows up to it are folded into `minutes.ydoc` on flush. */
  lastRowId: string | null;
  rowsSinceFlush: number;
  dirty: boolean;
  flushTimer?: NodeJS.Timeout;
  readers: Set<string>;
  /** The state vector each reader was last synced to (it hears every later change as a relay). */
  synced?: Map<string, Uint8Array>;
}

/** Unflushed rows after which a flush runs at once. */
const FLUSH_EVERY_ROWS = 200;
/** A flush runs this long after the last change (the texts for search and exports follow within it). */
const FLUSH_DELAY_MS = 1000;

/** The plain text of the sections: each title, then what was written under it. */
export function contentText(doc: Y.Doc): string {
  return readSections(doc)
    .map((s) => `${s.title}\n${s.text}`.trim())
    .join('\n\n');
}

/**
 * The Yjs documents of the minutes, one authority per meeting: every change (a client's update, or the server's
 * own: new sections, a vote's result, a correction) is applied in order, written to `minutes_update` before it is
 * acknowledged, and relayed to the other readers. Flushing folds the rows into `minutes.ydoc` and derives the
 * plain texts (content, resolutions, search text). Documents stay in memory while someone reads them.
 */
@Injectable()
export class MinutesDocService implements OnModuleDestroy {
  private readonly log = new Logger(MinutesDocService.name);
  private readonly docs = new Map<string, LiveDoc>();
  /** Runs the changes of one meeting's document one at a time. */
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: MinutesRepository,
    private readonly hub: SocketHub,
  ) {}

  async onModuleDestroy(): Promise<void> {
    for (const meetingId of [...this.docs.keys()]) {
      clearTimeout(this.docs.get(meetingId)?.flushTimer);
      await this.flush(meetingId).catch((e: unknown) => this.log.error(`flush ${meetingId}: ${String(e)}`));
    }
  }

  private async load(meetingId: string): Promise<LiveDoc> {
    const cached = this.docs.get(meetingId);
    if (cached) return cached;
    const row = await this.dataSource
      .getRepository(MinutesEntity)
      .findOne({ where: { meetingId }, select: { meetingId: true, ydoc: true } });
    if (!row) throw new DomainError(ErrorCodes.notFound, 404, 'notFound.minutes');
    const updates = await this.dataSource
      .getRepository(MinutesUpdateEntity)
      .createQueryBuilder('u')
      .select(['u.id', 'u.update'])
      .where('u.meeting_id = :meetingId', { meetingId })
      .orderBy('u.id', 'ASC')
      .getMany();
    const live: LiveDoc = {
      doc: docFromState(
        row.ydoc,
        updates.map((u) => u.update),
      ),
      lastRowId: updates.length ? updates[updates.length - 1].id : null,
      rowsSinceFlush: updates.length,
      dirty: updates.length > 0,
      readers: new Set(),
    };
    this.docs.set(meetingId, live);
    return live;
  }

  /** Reads the document (in order with the changes). */
  read<T>(meetingId: string, fn: (doc: Y.Doc) => T): Promise<T> {
    return this.queue.run(meetingId, async () => {
      const live = await this.load(meetingId);
      try {
        return fn(live.doc);
      } finally {
        this.evictIdle(meetingId, live);
      }
    });
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
    return this.queue.run(meetingId, async () => {
      const live = await this.load(meetingId);
      live.readers.add(socketId);
      const since = stateVector ?? live.synced?.get(socketId);
      const now = Y.encodeStateVector(live.doc);
      (live.synced ??= new Map()).set(socketId, now);
      return { update: toBase64(Y.encodeStateAsUpdate(live.doc, since)), stateVector: toBase64(now) };
    });
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
      await this.flushNow(meetingId, live);
      this.docs.delete(meetingId);
    });
  }

  /**
   * Runs `fn` alone on the meeting's document: no client update comes in between (the review workflow changes
   * the status and takes the revision this way). `change` persists server-side edits inside `fn`'s transaction;
   * they are relayed to the readers once `fn` succeeds. On failure the cached document is dropped, so the next
   * read reloads what is stored.
   */
  exclusive<T>(meetingId: string, fn: (t: DocTxn) => Promise<T>): Promise<T> {
    return this.queue.run(meetingId, async () => {
      const live = await this.load(meetingId);
      const relay: Uint8Array[] = [];
      const txn: DocTxn = {
        doc: live.doc,
        change: async (edit, em) => {
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
        flush: (em) => this.flushNow(meetingId, live, em),
      };
      let result: T;
      try {
        result = await fn(txn);
      } catch (e) {
        clearTimeout(live.flushTimer);
        this.docs.delete(meetingId);
        throw e;
      }
      for (const update of relay)
        this.hub.toReaders(meetingId, 'minutes.updated', { meetingId, update: toBase64(update) });
      this.evictIdle(meetingId, live);
      return result;
    });
  }

  /** A server-side edit on its own (new sections): persisted and relayed to every reader. */
  edit(meetingId: string, fn: (doc: Y.Doc) => void): Promise<void> {
    return this.exclusive(meetingId, (t) => t.change(fn, this.dataSource.manager));
  }

  /**
   * A client's update: `authorise` checks (in order with the other changes) that the user may write now; the
   * update is checked on a copy, stored, applied, and relayed to the other readers.
   */
  applyClientUpdate(
    meetingId: string,
    userId: string,
    socketId: string,
    update: Uint8Array,
    authorise: () => Promise<void>,
  ): Promise<void> {
    return this.queue.run(meetingId, async () => {
      await authorise();
      const live = await this.load(meetingId);
      const verdict = checkClientUpdate(live.doc, update);
      if (verdict !== 'ok') throw new DomainError(ErrorCodes.validation, 400, 'minutes.corruptUpdate');
      Y.applyUpdate(live.doc, update, 'client');
      try {
        await this.persist(meetingId, live, update, userId);
      } catch (e) {
        // Applied in memory, not stored: drop the document, the next read reloads what is stored.
        clearTimeout(live.flushTimer);
        this.docs.delete(meetingId);
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
    em?: EntityManager,
  ): Promise<void> {
    const repo = (em ?? this.dataSource.manager).getRepository(MinutesUpdateEntity);
    const saved = await repo.save(repo.create({ meetingId, update: Buffer.from(update), userId }));
    live.lastRowId = saved.id;
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
  flush(meetingId: string, em?: EntityManager): Promise<void> {
    return this.queue.run(meetingId, async () => {
      const live = this.docs.get(meetingId);
      if (live) await this.flushNow(meetingId, live, em);
    });
  }

  private async flushNow(meetingId: string, live: LiveDoc, em?: EntityManager): Promise<void> {
    clearTimeout(live.flushTimer);
    if (!live.dirty) return;
    const write = async (m: EntityManager) => {
      const content = contentText(live.doc);
      const resolutions = resolutionsOf(live.doc).toString();
      await this.repo.storeDocument(m, meetingId, Buffer.from(Y.encodeStateAsUpdate(live.doc)), {
        content,
        resolutions,
      });
      if (live.lastRowId) await this.repo.dropUpdates(m, meetingId, live.lastRowId);
    };
    if (em) await write(em);
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
