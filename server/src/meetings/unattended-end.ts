/** A live meeting nobody is seated in, as the reaper sees it. */
export interface UnattendedMeeting {
  id: string;
  /** Its start, or the last heartbeat or close of any of its presence segments. */
  lastActivity: Date;
  /** Someone was seated in it once. */
  everSeated: boolean;
  /** When it went live. */
  startedAt: Date;
  /** Its planned end (null for a meeting opened ad hoc). */
  scheduledEnd: Date | null;
}

export interface UnattendedWaits {
  /** A meeting people were in and left: how long after its last activity (MEETING_EMPTY_END_SECONDS + heartbeats). */
  emptyMs: number;
  /** A meeting nobody ever entered: how long after it went live (MEETING_UNENTERED_END_SECONDS). */
  unenteredMs: number;
}

/**
 * When the reaper may end a live meeting nobody is seated in (and no node holds):
 * - people were in it and all left (or their node died): `emptyMs` after its last activity, as an emptied room
 *   ends by its own timer;
 * - nobody ever entered it: `unenteredMs` after it went live, and not before its planned end. A secretary opens
 *   the meeting ahead of time and waits on the pre-join page, members come at the planned time or late: the
 *   meeting must still be there for them. Waiting costs nothing in the record: such a meeting ends at its start.
 */
export function unattendedEndsAt(m: UnattendedMeeting, waits: UnattendedWaits): Date {
  if (m.everSeated) return new Date(m.lastActivity.getTime() + waits.emptyMs);
  return new Date(Math.max(m.startedAt.getTime() + waits.unenteredMs, m.scheduledEnd?.getTime() ?? 0));
}

/** The shortest wait: a meeting quieter than this for a shorter time is not yet a candidate at all. */
export function shortestWait(waits: UnattendedWaits): number {
  return Math.min(waits.emptyMs, waits.unenteredMs);
}
