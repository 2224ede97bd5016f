import type { EntityManager } from 'typeorm';

/**
 * Media health beside presence (information, never absence): per person of a meeting, how many whole seconds of
 * their presence had no media flowing yet — from a segment's opening (the seat) to its first connected transport
 * (`media_at`), or to its end if media never flowed. A host alone with camera and mic off, or a listener before
 * anyone shares, shows here as "no media for N minutes" while still counted present.
 */
export async function noMediaSeconds(
  em: EntityManager,
  meetingId: string,
  end: Date,
): Promise<Map<string, number>> {
  const rows: { person: string; seconds: string | number | null }[] = await em.query(
    `SELECT COALESCE(user_id, guest_id) AS person,
            SUM(GREATEST(0, EXTRACT(EPOCH FROM (
              LEAST(COALESCE(media_at, closed_at, $2), COALESCE(closed_at, $2), $2) - opened_at)))) AS seconds
     FROM presence_segment WHERE meeting_id = $1 GROUP BY 1`,
    [meetingId, end],
  );
  return new Map(rows.map((r) => [r.person, Math.round(Number(r.seconds ?? 0))]));
}
