import type { AttendanceCorrection, AttendanceStatus } from '@branchmeet/shared';
import type { EntityManager } from 'typeorm';

/**
 * Corrections (已更正) stored beside the computed records: one current correction per person and meeting
 * (attendance_correction); every change is audited by AttendanceService.recompute (cause `correction`).
 */
export interface StoredCorrection {
  status: AttendanceStatus;
  reason: string;
  correctedBy: string | null;
  correctedByName: string | null;
  correctedAt: Date;
}

/** A status with its correction (if any): what counts is the correction. */
export const effectiveStatus = (r: {
  status: AttendanceStatus;
  correction?: StoredCorrection | null;
}): AttendanceStatus => r.correction?.status ?? r.status;

export const correctionView = (c: StoredCorrection): AttendanceCorrection => ({
  status: c.status,
  reason: c.reason,
  correctedBy: c.correctedBy,
  correctedByName: c.correctedByName,
  correctedAt: c.correctedAt.toISOString(),
});

/** The corrections of these meetings: meeting id → user id → correction. */
export async function correctionsOf(
  em: EntityManager,
  meetingIds: string[],
): Promise<Map<string, Map<string, StoredCorrection>>> {
  const out = new Map<string, Map<string, StoredCorrection>>();
  if (meetingIds.length === 0) return out;
  const rows: {
    meeting_id: string;
    user_id: string;
    status: AttendanceStatus;
    reason: string;
    corrected_by: string | null;
    by_name: string | null;
    corrected_at: Date;
  }[] = await em.query(
    `SELECT c.meeting_id, c.user_id, c.status, c.reason, c.corrected_by, u.name AS by_name, c.corrected_at
     FROM attendance_correction c LEFT JOIN app_user u ON u.id = c.corrected_by
     WHERE c.meeting_id = ANY($1)`,
    [meetingIds],
  );
  for (const r of rows) {
    const m = out.get(r.meeting_id) ?? new Map<string, StoredCorrection>();
    m.set(r.user_id, {
      status: r.status,
      reason: r.reason,
      correctedBy: r.corrected_by,
      correctedByName: r.by_name,
      correctedAt: r.corrected_at,
    });
    out.set(r.meeting_id, m);
  }
  return out;
}

/** Stores (or replaces) a person's correction; returns the one it replaced. */
export async function upsertCorrection(
  em: EntityManager,
  meetingId: string,
  c: { userId: string; status: AttendanceStatus; reason: string; actorId: string },
): Promise<StoredCorrection | null> {
  const before = (await correctionsOf(em, [meetingId])).get(meetingId)?.get(c.userId) ?? null;
  await em.query(
    `INSERT INTO attendance_correction (meeting_id, user_id, status, reason, corrected_by, corrected_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (meeting_id, user_id) DO UPDATE SET status = $3, reason = $4, corrected_by = $5,
       corrected_at = now()`,
    [meetingId, c.userId, c.status, c.reason, c.actorId],
  );
  return before;
}

/** How many corrections a meeting has (a recompute keeps them and says so). */
export async function correctionCount(em: EntityManager, meetingId: string): Promise<number> {
  const [row]: { n: string }[] = await em.query(
    `SELECT count(*) AS n FROM attendance_correction WHERE meeting_id = $1`,
    [meetingId],
  );
  return Number(row?.n ?? 0);
}

/** Label in exports and the ledger: `迟到（已更正：…）` beside the corrected status. */
export const correctedLabelZh = (
  label: string,
  c: StoredCorrection | AttendanceCorrection | null | undefined,
) => (c ? `${label}（已更正：${c.reason}）` : label);
