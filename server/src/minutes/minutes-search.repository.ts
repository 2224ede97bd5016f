import { Injectable } from '@nestjs/common';
import type { MeetingType, MinutesSearchQuery, MinutesStatus } from '@branchmeet/shared';
import { DataSource } from 'typeorm';

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Characters of context on each side of the first match in a result's snippet. */
const SNIPPET_BEFORE = 24;
const SNIPPET_LENGTH = 80;

/** One minutes record found, with its snippet. */
export interface MinutesHit {
  meetingId: string;
  unitId: string;
  meetingType: MeetingType;
  title: string;
  startedAt: Date;
  status: MinutesStatus;
  revision: number;
  submittedAt: Date | null;
  snippet: string;
}

/**
 * The archive search's read model: a branch's minutes (minutes) with their meetings (meeting), filtered, newest
 * first, one page. `search_text ILIKE '%…%'` is served by the GIN trigram index (pg_trgm).
 */
@Injectable()
export class MinutesSearchRepository {
  constructor(private readonly dataSource: DataSource) {}

  async search(unitId: string, q: MinutesSearchQuery): Promise<{ rows: MinutesHit[]; total: number }> {
    const params: unknown[] = [unitId];
    const where = ['m.unit_id = $1'];
    const words = q.q?.trim();
    if (words) {
      params.push(`%${likeEscape(words)}%`);
      where.push(`m.search_text ILIKE $2`);
    }
    if (q.status) {
      params.push(q.status);
      where.push(`m.status = $${params.length}`);
    }
    if (q.from) {
      params.push(new Date(q.from));
      where.push(`mt.started_at >= $${params.length}`);
    }
    if (q.to) {
      params.push(new Date(q.to));
      where.push(`mt.started_at < $${params.length}`);
    }
    const filter = params.length;
    // The snippet: around the first match, or the start of the content.
    params.push(words ?? null, q.limit, q.offset);
    const [w, limit, offset] = [filter + 1, filter + 2, filter + 3].map((n) => `$${n}`);
    const snippet = `CASE WHEN ${w}::text IS NULL THEN left(m.content_text, ${SNIPPET_LENGTH})
      ELSE substr(m.search_text, greatest(1, strpos(lower(m.search_text), lower(${w}::text)) - ${SNIPPET_BEFORE}), ${SNIPPET_LENGTH}) END`;
    // The matching ids first (no texts read), then the page's rows with their snippets: the total and the order
    // never touch the texts of rows that are not shown.
    const rows: (MinutesHit & { total: string })[] = await this.dataSource.query(
      `WITH hits AS MATERIALIZED (
         SELECT m.meeting_id, mt.started_at FROM "minutes" m JOIN "meeting" mt ON mt.id = m.meeting_id
         WHERE ${where.join(' AND ')}),
       page AS (SELECT meeting_id FROM hits ORDER BY started_at DESC, meeting_id LIMIT ${limit} OFFSET ${offset})
       SELECT m.meeting_id AS "meetingId", m.unit_id AS "unitId", mt.type AS "meetingType", mt.title,
              mt.started_at AS "startedAt", m.status, m.revision, m.submitted_at AS "submittedAt",
              ${snippet} AS snippet, (SELECT count(*) FROM hits) AS total
       FROM page JOIN "minutes" m ON m.meeting_id = page.meeting_id JOIN "meeting" mt ON mt.id = m.meeting_id
       ORDER BY mt.started_at DESC, m.meeting_id`,
      params,
    );
    let total = rows.length ? Number(rows[0].total) : 0;
    if (!rows.length && q.offset > 0) {
      const [count]: { n: string }[] = await this.dataSource.query(
        `SELECT count(*) AS n FROM "minutes" m JOIN "meeting" mt ON mt.id = m.meeting_id WHERE ${where.join(' AND ')}`,
        params.slice(0, filter),
      );
      total = Number(count.n);
    }
    return { rows, total };
  }
}
