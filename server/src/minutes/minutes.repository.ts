import { Injectable } from '@nestjs/common';
import { ErrorCodes, type MinutesStatus } from '@branchmeet/shared';
import { DataSource, EntityManager, In } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { MinutesAttachmentEntity } from './minutes-attachment.entity';
import { MinutesRevisionEntity } from './minutes-revision.entity';
import { MinutesEntity } from './minutes.entity';

/**
 * SQL for `search_text`: title, agenda, content and resolutions in one text (what the trigram index covers).
 * `$content` and `$resolutions` name the texts' parameters, or columns.
 */
export const searchTextSql = (content: string, resolutions: string) =>
  `concat_ws(E'\\n', "fields"->>'title', (SELECT string_agg(a, ' ') FROM jsonb_array_elements_text("fields"->'agenda') a), ${content}, ${resolutions})`;

/** How long a step waits for another node's lock on a meeting's minutes before it gives up (try again). */
const LOCK_WAIT = '5s';
/** How long a transaction holding that lock may sit idle before PostgreSQL ends its session (a stalled node). */
const HOLDER_IDLE = '15s';
/** PostgreSQL's lock_not_available (lock_timeout ran out). */
const LOCK_NOT_AVAILABLE = '55P03';

/** An attachment as stored, without its bytes. */
export type AttachmentRow = Omit<MinutesAttachmentEntity, 'data'>;

/**
 * The SQL of the minutes' own tables (minutes, minutes_update, minutes_revision, minutes_attachment, minutes_ballot). Methods that take an
 * EntityManager run in the caller's transaction; the others use the pool.
 */
@Injectable()
export class MinutesRepository {
  constructor(private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  transaction<T>(run: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(run);
  }

  find(meetingId: string): Promise<MinutesEntity | null> {
    return this.dataSource.getRepository(MinutesEntity).findOneBy({ meetingId });
  }

  /** Only the status (not the document): what a live update checks. */
  status(
    meetingId: string,
    em: EntityManager = this.manager,
  ): Promise<Pick<MinutesEntity, 'meetingId' | 'status'> | null> {
    return em
      .getRepository(MinutesEntity)
      .findOne({ where: { meetingId }, select: { meetingId: true, status: true } });
  }

  /** The minutes of these meetings, in the order of the ids. */
  async ofMeetings(meetingIds: string[]): Promise<MinutesEntity[]> {
    if (meetingIds.length === 0) return [];
    const rows = await this.dataSource.getRepository(MinutesEntity).findBy({ meetingId: In(meetingIds) });
    const byId = new Map(rows.map((r) => [r.meetingId, r]));
    return meetingIds.flatMap((id) => byId.get(id) ?? []);
  }

  /** Inserts the minutes' first row unless a concurrent reader already did. */
  async insertIfMissing(row: Partial<MinutesEntity>): Promise<void> {
    await this.dataSource
      .getRepository(MinutesEntity)
      .createQueryBuilder()
      .insert()
      .values(row)
      .orIgnore()
      .execute();
  }

  /** The row locked for the rest of `em`'s transaction (null: there are no minutes yet). */
  lock(em: EntityManager, meetingId: string): Promise<MinutesEntity | null> {
    return em.findOne(MinutesEntity, { where: { meetingId }, lock: { mode: 'pessimistic_write' } });
  }

  async update(
    meetingId: string,
    patch: Partial<MinutesEntity>,
    em: EntityManager = this.manager,
  ): Promise<void> {
    await em.update(MinutesEntity, { meetingId }, patch);
  }

  /**
   * Locks the minutes row for the rest of `em`'s transaction — `write` (FOR UPDATE) to change the document, `read`
   * (FOR SHARE) to read it beside other readers — and says up to which update row the stored document is folded.
   * Null: there are no minutes.
   */
  async lockDocument(em: EntityManager, meetingId: string, mode: 'read' | 'write'): Promise<string | null> {
    // A node that stalls holding the lock (a long pause, a lost network) must not hold every other node's
    // readers and writers of this meeting's minutes: waiting gives up after LOCK_WAIT (the caller is told to
    // retry), and a holder idle in its transaction that long is cut off by PostgreSQL, which frees the lock.
    await em.query(
      `SELECT set_config('lock_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true)`,
      [LOCK_WAIT, HOLDER_IDLE],
    );
    try {
      const rows: { fold: string }[] = await em.query(
        `SELECT "folded_update_id"::text AS "fold" FROM "minutes" WHERE "meeting_id" = $1
         FOR ${mode === 'write' ? 'UPDATE' : 'SHARE'}`,
        [meetingId],
      );
      return rows[0]?.fold ?? null;
    } catch (e) {
      if ((e as { driverError?: { code?: string } }).driverError?.code === LOCK_NOT_AVAILABLE)
        throw new DomainError(ErrorCodes.unavailable, 503, 'minutes.busy');
      throw e;
    }
  }

  /** The stored (folded) document and the update row it is folded up to; null: there are no minutes. */
  async storedDocument(em: EntityManager, meetingId: string): Promise<{ ydoc: Buffer; fold: string } | null> {
    const rows: { ydoc: Buffer; fold: string }[] = await em.query(
      `SELECT "ydoc", "folded_update_id"::text AS "fold" FROM "minutes" WHERE "meeting_id" = $1`,
      [meetingId],
    );
    return rows[0] ?? null;
  }

  /** The document's update rows after row `afterId` (not yet folded), oldest first. */
  updatesAfter(
    em: EntityManager,
    meetingId: string,
    afterId: string,
  ): Promise<{ id: string; update: Buffer }[]> {
    return em.query(
      `SELECT "id"::text AS "id", "update" FROM "minutes_update" WHERE "meeting_id" = $1 AND "id" > $2
       ORDER BY "id"`,
      [meetingId, afterId],
    );
  }

  /** Stores one update of the document (null user: the server's own); its row id. */
  async addUpdate(
    em: EntityManager,
    meetingId: string,
    update: Uint8Array,
    userId: string | null,
  ): Promise<string> {
    const rows: { id: string }[] = await em.query(
      `INSERT INTO "minutes_update" ("meeting_id", "update", "user_id") VALUES ($1, $2, $3) RETURNING "id"::text AS "id"`,
      [meetingId, Buffer.from(update), userId],
    );
    return rows[0].id;
  }

  /**
   * Stores the document folded up to update row `upToId` with its plain texts (and so its search text), and drops
   * the rows it folded.
   */
  async storeFolded(
    em: EntityManager,
    meetingId: string,
    state: Buffer,
    texts: { content: string; resolutions: string },
    upToId: string,
  ): Promise<void> {
    await em.query(
      `UPDATE "minutes" SET "ydoc" = $2, "content_text" = $3, "resolutions_text" = $4,
         "search_text" = ${searchTextSql('$3::text', '$4::text')},
         "folded_update_id" = GREATEST("folded_update_id", $5::bigint), "updated_at" = now()
       WHERE "meeting_id" = $1`,
      [meetingId, state, texts.content, texts.resolutions, upToId],
    );
    await em.query(`DELETE FROM "minutes_update" WHERE "meeting_id" = $1 AND "id" <= $2`, [
      meetingId,
      upToId,
    ]);
  }

  /**
   * Records that `userId` voted (with the choice unless `secret`, whose choice goes into the vote's totals, which
   * name nobody); false when they had voted already.
   */
  async castBallot(
    em: EntityManager,
    voteId: string,
    userId: string,
    choice: 'yes' | 'no' | 'abstain',
    secret: boolean,
  ): Promise<boolean> {
    const inserted: unknown[] = await em.query(
      `INSERT INTO "minutes_ballot" ("vote_id", "user_id", "choice") VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING "vote_id"`,
      [voteId, userId, secret ? null : choice],
    );
    if (inserted.length === 0) return false;
    if (secret) {
      const column = { yes: 'secret_yes', no: 'secret_no', abstain: 'secret_abstain' }[choice];
      await em.query(`UPDATE "minutes_vote" SET "${column}" = "${column}" + 1 WHERE "id" = $1`, [voteId]);
    }
    return true;
  }

  /** Derives the search text again from the stored fields and texts. */
  async refreshSearch(meetingId: string, em: EntityManager = this.manager): Promise<void> {
    await em.query(
      `UPDATE "minutes" SET "search_text" = ${searchTextSql('"content_text"', '"resolutions_text"')}
       WHERE "meeting_id" = $1`,
      [meetingId],
    );
  }

  async insertRevision(em: EntityManager, revision: Partial<MinutesRevisionEntity>): Promise<void> {
    await em.insert(MinutesRevisionEntity, revision);
  }

  revisions(meetingId: string): Promise<MinutesRevisionEntity[]> {
    return this.dataSource.getRepository(MinutesRevisionEntity).find({
      where: { meetingId },
      order: { number: 'ASC' },
      select: { number: true, kind: true, reason: true, createdBy: true, createdAt: true, meetingId: true },
    });
  }

  revision(meetingId: string, number: number): Promise<MinutesRevisionEntity | null> {
    return this.dataSource.getRepository(MinutesRevisionEntity).findOneBy({ meetingId, number });
  }

  attachments(meetingId: string, em: EntityManager = this.manager): Promise<AttachmentRow[]> {
    return em.getRepository(MinutesAttachmentEntity).find({
      where: { meetingId },
      order: { uploadedAt: 'ASC' },
      select: {
        id: true,
        meetingId: true,
        filename: true,
        contentType: true,
        size: true,
        uploadedBy: true,
        uploadedAt: true,
      },
    });
  }

  attachmentFile(meetingId: string, id: string) {
    return this.dataSource.getRepository(MinutesAttachmentEntity).findOne({
      where: { id, meetingId },
      select: { id: true, filename: true, contentType: true, data: true },
    });
  }

  async insertAttachment(em: EntityManager, a: Omit<MinutesAttachmentEntity, 'id' | 'uploadedAt'>) {
    return em.save(em.create(MinutesAttachmentEntity, a));
  }

  findAttachment(em: EntityManager, meetingId: string, id: string) {
    return em.findOne(MinutesAttachmentEntity, {
      where: { id, meetingId },
      select: { id: true, filename: true },
    });
  }

  async deleteAttachment(em: EntityManager, id: string): Promise<void> {
    await em.delete(MinutesAttachmentEntity, { id });
  }

  /** Minutes of these units in a status, oldest submission first, with their plain content. */
  inStatus(
    unitIds: string[],
    status: MinutesStatus,
  ): Promise<
    {
      meetingId: string;
      unitId: string;
      status: MinutesStatus;
      revision: number;
      submittedAt: Date | null;
      reason: string | null;
      content: string;
    }[]
  > {
    return this.dataSource
      .getRepository(MinutesEntity)
      .createQueryBuilder('m')
      .where('m.unit_id IN (:...ids)', { ids: unitIds })
      .andWhere('m.status = :status', { status })
      .orderBy('m.submitted_at', 'ASC')
      .select([
        'm.meeting_id AS "meetingId"',
        'm.unit_id AS "unitId"',
        'm.status AS status',
        'm.revision AS revision',
        'm.submitted_at AS "submittedAt"',
        'm.review_reason AS "reason"',
        'm.content_text AS "content"',
      ])
      .getRawMany();
  }
}
