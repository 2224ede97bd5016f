import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordingList } from '@branchmeet/shared';
import { publishAv, type AvBot } from '../test-support/av-bot';
import { demoUnits, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit } from '../test-support/rtc-client';
import { sleep, waitFor } from '../test-support/werift';
import { run } from './recorder';
import { LiveRecordings } from './live-recordings';

/**
 * A lecture recorded by ffmpeg from PlainTransport consumers of a werift bot that publishes
 * real VP8 + Opus (encoded live by ffmpeg), the recording indicator, the stored file (ffprobe, a decoded frame).
 */
jest.setTimeout(240_000);
/** The lecture's length: two minutes (shorter only to try changes quickly: LECTURE_TEST_SECONDS=20). */
const LECTURE_S = Number(process.env.LECTURE_TEST_SECONDS ?? 120);

interface Probe {
  format: { duration: string };
  streams: { codec_type: string; codec_name: string; width?: number }[];
}

async function probe(file: string): Promise<Probe> {
  return JSON.parse(
    await run('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file]),
  ) as Probe;
}

describe('lecture recording (ffmpeg fed by PlainTransport consumers)', () => {
  let t: TestApp;
  let kit: RtcKit;
  let units: DemoUnits;
  let dir: string;
  let bot: AvBot | undefined;
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bm-rec-'));
    t = await startTestApp({ listen: true, env: { RECORDINGS_DIR: dir, MEETING_EMPTY_END_SECONDS: '0' } });
    kit = new RtcKit(t.baseUrl);
    units = await demoUnits(t.ds);
    for (const who of ['secretary1', 'member1', 'member2']) auth[who] = (await t.login(who)).auth;
  });

  afterAll(async () => {
    await bot?.close();
    await kit?.close();
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function scheduleLecture(settings = { recordingAllowed: true }): Promise<string> {
    const res = await t
      .http()
      .post(`/api/org-units/${units.branchA}/meetings`)
      .set(auth.secretary1)
      .send({ type: 'lecture', start: new Date(Date.now() + 60_000).toISOString(), settings })
      .expect(201);
    return (res.body as { id: string }).id;
  }

  it('records a two-minute lecture into one WebM file with one audio and one video stream', async () => {
    const meetingId = await scheduleLecture();
    const host = await kit.client((await t.login('secretary1')).session.accessToken);
    const joined = await host.join(meetingId);
    expect(joined.recording).toEqual({
      meetingId,
      recording: false,
      startedAt: null,
      available: true,
      unavailableReason: null,
    });
    bot = await publishAv(host, joined, { screen: true });

    // A member may not start it; the host may.
    await t
      .http()
      .post(`/api/meetings/${meetingId}/recording`)
      .set(auth.member1)
      .send({ action: 'start' })
      .expect(403);
    const changed = host.next('recording.changed', (s) => s.recording);
    const start = Date.now();
    const started = await t
      .http()
      .post(`/api/meetings/${meetingId}/recording`)
      .set(auth.secretary1)
      .send({ action: 'start' })
      .expect(200);
    expect(started.body).toMatchObject({ meetingId, recording: true });
    expect((await changed).recording).toBe(true);

    // Everyone who joins now is told on join (the indicator).
    const listener = await kit.client((await t.login('member1')).session.accessToken);
    const lj = await listener.join(meetingId);
    expect(lj.recording).toMatchObject({ recording: true });

    const recordings = t.app.get(LiveRecordings);
    expect(recordings.sources(meetingId)).toEqual({ audio: bot.micProducerId, video: bot.cameraProducerId });
    // Half-way the lecturer shares the screen: it becomes the main video; after it stops, the camera again.
    await sleep(LECTURE_S * 400);
    const screenId = await bot.startScreen();
    await waitFor('the screen share is recorded', () => recordings.sources(meetingId)?.video === screenId);
    await sleep(LECTURE_S * 250);
    await bot.stopScreen();
    await waitFor(
      'the camera is recorded again',
      () => recordings.sources(meetingId)?.video === bot?.cameraProducerId,
    );
    await sleep(Math.max(0, start + LECTURE_S * 1000 - Date.now()));

    const off = listener.next('recording.changed', (s) => !s.recording);
    const lectureSeconds = (Date.now() - start) / 1000;
    await t
      .http()
      .post(`/api/meetings/${meetingId}/recording`)
      .set(auth.secretary1)
      .send({ action: 'stop' })
      .expect(200);
    await off;
    await recordings.settled(meetingId);

    const list = (await t.http().get(`/api/meetings/${meetingId}/recordings`).set(auth.member1).expect(200))
      .body as RecordingList;
    expect(list.items).toHaveLength(1);
    expect(list.state.recording).toBe(false);
    const [rec] = list.items;
    expect(rec.mimeType).toBe('video/webm');

    const files = await readdir(join(dir, meetingId));
    expect(files).toEqual([`${rec.id}.webm`]);
    const file = join(dir, meetingId, files[0]);
    expect((await stat(file)).size).toBe(rec.sizeBytes);
    const p = await probe(file);
    const kinds = p.streams.map((s) => s.codec_type).sort();
    expect(kinds).toEqual(['audio', 'video']);
    expect(p.streams.find((s) => s.codec_type === 'video')?.codec_name).toBe('vp8');
    expect(p.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('opus');
    const duration = Number(p.format.duration);
    console.log(
      `recording: lecture ${lectureSeconds.toFixed(1)} s, file ${duration.toFixed(1)} s, ` +
        `${(rec.sizeBytes / 1e6).toFixed(2)} MB; bot sent ${JSON.stringify(bot.sent())} packets; ` +
        JSON.stringify(p.format),
    );
    expect(Math.abs(duration - lectureSeconds)).toBeLessThan(5);
    expect(Math.abs(rec.durationSeconds - duration)).toBeLessThan(0.2);

    // A frame decodes (from the camera part and from the screen-share part).
    for (const at of [LECTURE_S * 0.2, LECTURE_S * 0.55].map(String)) {
      const png = join(dir, `frame-${at}.png`);
      await run('ffmpeg', ['-v', 'error', '-ss', at, '-i', file, '-frames:v', '1', '-y', png]);
      expect((await stat(png)).size).toBeGreaterThan(1000);
    }
    // Another branch's member does not see it.
    await t.http().get(`/api/meetings/${meetingId}/recordings`).set(auth.member2).expect(404);
  });
});
