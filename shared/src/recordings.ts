import { z } from 'zod';
import { Uuid } from './common';
import type { EventContracts } from './wire';

/**
 * Server-side recording of a lecture: one WebM file (VP8 + Opus) per recording run, with the
 * lecturer's audio and the main video (the screen share when there is one, else the lecturer's camera).
 * Replay in the browser with periodic progress reports; the server credits watched time and marks a member who
 * missed the meeting `make_up` once they have watched enough of it.
 */

/** Whether a live meeting is being recorded: pushed as `recording.changed` on /rtc and given on join. */
export const RecordingState = z.object({
  meetingId: Uuid,
  recording: z.boolean(),
  /** When the running recording started (null when not recording). */
  startedAt: z.string().nullable(),
  /** Whether this server can record at all (ffmpeg and ffprobe found at start); why not, when not. */
  available: z.boolean(),
  unavailableReason: z.string().nullable(),
});
export type RecordingState = z.infer<typeof RecordingState>;

/** `POST /meetings/:id/recording`: the host or lecturer starts or stops the recording of the live meeting. */
export const RecordingControl = z.object({ action: z.enum(['start', 'stop']) });
export type RecordingControl = z.infer<typeof RecordingControl>;

/** A member's make-up progress over a meeting's recordings (server-tracked; skipping ahead does not count). */
export const MakeUpProgress = z.object({
  /** Distinct seconds of the recordings watched at play speed. */
  watchedSeconds: z.number().min(0),
  /** Seconds of all the meeting's recordings. */
  totalSeconds: z.number().min(0),
  /** watched / total, 0..100. */
  percent: z.number().min(0).max(100),
  /** The share (percent) that completes the make-up study. */
  thresholdPercent: z.number().min(0).max(100),
  /** The member missed the meeting (absent, excused, left early): watching the replay counts as 补学. */
  eligible: z.boolean(),
  /** When the make-up study was completed (the attendance record's makeUpAt). */
  completedAt: z.string().nullable(),
});
export type MakeUpProgress = z.infer<typeof MakeUpProgress>;

export const Recording = z.object({
  id: Uuid,
  meetingId: Uuid,
  startedAt: z.string(),
  endedAt: z.string(),
  /** From ffprobe. */
  durationSeconds: z.number().min(0),
  sizeBytes: z.number().int().min(0),
  mimeType: z.string(),
  createdAt: z.string(),
  /**
   * Where the player loads the file from (relative to the site): `/api/recordings/:id/file?t=…`, a short-lived
   * link for this reader and this recording only (a <video> element cannot send the Authorization header).
   */
  url: z.string(),
});
export type Recording = z.infer<typeof Recording>;

/** `GET /meetings/:id/recordings`: the recordings, the live state, what the reader may do, their progress. */
export const RecordingList = z.object({
  items: z.array(Recording),
  state: RecordingState,
  canControl: z.boolean(),
  canDelete: z.boolean(),
  progress: MakeUpProgress,
});
export type RecordingList = z.infer<typeof RecordingList>;

/**
 * `POST /recordings/:id/progress`, every few seconds while the replay is open: where the player is (seconds)
 * and whether it is playing. The server credits only wall-clock time between two playing reports whose
 * positions advanced contiguously (at most one report interval's worth each).
 */
export const ProgressReport = z.object({
  position: z.number().min(0).max(86400),
  playing: z.boolean(),
});
export type ProgressReport = z.infer<typeof ProgressReport>;

/** `GET /recordings/:id/file?t=…` (the list's link), or with `Authorization: Bearer` and no `t`. */
export const RecordingFileQuery = z.object({ t: z.string().min(1).max(2000).optional() });
export type RecordingFileQuery = z.infer<typeof RecordingFileQuery>;

/** Server → client on /rtc (merged into `rtcServerEvents`). */
export const recordingServerEvents = {
  'recording.changed': RecordingState,
} as const satisfies EventContracts;
