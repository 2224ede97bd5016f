import type { AttendanceCorrection, AttendanceStatus } from '@branchmeet/shared';

/**
 * Corrections (已更正) stored beside the computed records: one current correction per person and meeting
 * (attendance_correction, read and written by AttendanceRepository); every change is audited by AttendanceService.recompute (cause `correction`).
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

/** Label in exports and the ledger: `迟到（已更正：…）` beside the corrected status. */
export const correctedLabelZh = (
  label: string,
  c: StoredCorrection | AttendanceCorrection | null | undefined,
) => (c ? `${label}（已更正：${c.reason}）` : label);
