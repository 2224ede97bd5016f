/**
 * The make-up study against a faked recordings repository (in memory), meeting directory and attendance: reports
 * are credited in turn, and a member who missed the meeting completes it once — through the attendance's
 * recompute with the make_up cause — when the watched share reaches the threshold.
 */
import type { EntityManager } from 'typeorm';
import type { AttendanceService, RecomputeCause } from '../attendance/attendance.service';
import type { AuthUser } from '../auth/auth-user';
import type { MeetingDirectory } from '../meetings/meeting-directory.service';
import { MakeUpStudy } from './make-up-study';
import type { RecordingEntity, RecordingWatchEntity } from './recording.entity';
import type { RecordingsRepository } from './recordings.repository';

const em = {} as EntityManager;
const ann = { id: 'ann', isAdmin: false } as AuthUser;
const rec = { id: 'rec-1', meetingId: 'm1', durationMs: 100_000 } as RecordingEntity;

function setup(status: string | undefined, meetingStatus = 'ended') {
  const watches = new Map<string, RecordingWatchEntity>();
  const recomputed: RecomputeCause[] = [];
  let record = status ? { status, make_up_at: null as Date | null } : undefined;
  const repo = {
    transaction: (run: (em: EntityManager) => Promise<unknown>) => run(em),
    lockWatch: async (_em: EntityManager, recordingId: string, userId: string) =>
      watches.get(`${recordingId}:${userId}`) ?? null,
    saveWatch: async (_em: EntityManager, w: RecordingWatchEntity) => {
      watches.set(`${w.recordingId}:${w.userId}`, w);
    },
    ofMeeting: async () => [rec],
    watchedSpans: async (_em: EntityManager, userId: string, ids: string[]) =>
      ids.flatMap((id) => watches.get(`${id}:${userId}`)?.spans ?? []).map((s) => [s]),
  } as unknown as RecordingsRepository;
  const meetings = {
    get: async () => ({ id: 'm1', status: meetingStatus }),
  } as unknown as MeetingDirectory;
  const attendance = {
    storedRecord: async () => record,
    recompute: async (_id: string, cause: RecomputeCause) => {
      recomputed.push(cause);
      if (record && cause.kind === 'make_up') record = { status: 'make_up', make_up_at: cause.completedAt };
    },
  } as unknown as AttendanceService;
  const study = new MakeUpStudy(repo, meetings, attendance, {
    REPLAY_REPORT_MAX_SECONDS: 60,
    MAKE_UP_THRESHOLD_PERCENT: 90,
  });
  return { study, recomputed };
}

/** Plays the 100 s recording from 0 to `until` in 50 s reports, one wall-clock second per played second. */
async function play(study: MakeUpStudy, until: number) {
  const t0 = Date.parse('2026-05-01T02:00:00Z');
  let last;
  for (let pos = 0; pos <= until; pos += 50)
    last = await study.report(ann, rec, { position: pos, playing: true }, new Date(t0 + pos * 1000));
  return last!;
}

describe('MakeUpStudy', () => {
  it('credits played spans and completes the study of a member who missed the meeting, once', async () => {
    const { study, recomputed } = setup('absent');
    const half = await play(study, 50);
    expect(half).toMatchObject({ watchedSeconds: 50, totalSeconds: 100, percent: 50, eligible: true });
    expect(half.completedAt).toBeNull();
    const done = await play(study, 100);
    expect(done).toMatchObject({ percent: 100, completedAt: expect.any(String) });
    expect(recomputed).toEqual([expect.objectContaining({ kind: 'make_up', userId: 'ann' })]);
    await play(study, 100); // watching again changes nothing
    expect(recomputed).toHaveLength(1);
  });

  it('does not count a replay as make-up for someone who was present, or before the meeting ended', async () => {
    for (const { study, recomputed } of [setup('present'), setup(undefined), setup('absent', 'live')]) {
      const done = await play(study, 100);
      expect(done).toMatchObject({ percent: 100, eligible: false, completedAt: null });
      expect(recomputed).toEqual([]);
    }
  });
});
