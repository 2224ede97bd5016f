import type { Health } from '@branchmeet/shared';
import { demoUnits, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit } from '../test-support/rtc-client';
import { checkMediaTools } from './media-tools';

/**
 * A server without ffmpeg (FFMPEG_PATH pointing at a binary that does not exist) starts, says so in
 * /api/health, tells the room that recording is unavailable and why, and answers 开始录制 with a clear domain
 * error (503 `unavailable`) instead of a bare 500.
 */
jest.setTimeout(120_000);
const MISSING = '/nonexistent/bin/ffmpeg-missing';

describe('recording without ffmpeg', () => {
  let t: TestApp;
  let kit: RtcKit;
  let units: DemoUnits;

  beforeAll(async () => {
    t = await startTestApp({ listen: true, env: { FFMPEG_PATH: MISSING } });
    kit = new RtcKit(t.baseUrl);
    units = await demoUnits(t.ds);
  });

  afterAll(async () => {
    await kit?.close();
    await t?.close();
  });

  it('checkMediaTools names the missing binary and finds the installed ffprobe', async () => {
    const s = await checkMediaTools(MISSING, 'ffprobe');
    expect(s.available).toBe(false);
    expect(s.reason).toBe(`${MISSING} not found`);
    expect(await checkMediaTools('ffmpeg', 'ffprobe')).toEqual({ available: true, reason: null });
  });

  it('health reports recording unavailable with the reason', async () => {
    const res = await t.http().get('/api/health').expect(200);
    const body = res.body as Health;
    expect(body.db).toBe('up');
    expect(body.status).toBe('degraded');
    expect(body.recording).toEqual({ available: false, reason: `${MISSING} not found` });
  });

  it('the room shows recording unavailable, and starting it is a 503 domain error naming ffmpeg', async () => {
    const { auth, session } = await t.login('secretary1');
    const created = await t
      .http()
      .post(`/api/org-units/${units.branchA}/meetings`)
      .set(auth)
      .send({
        type: 'lecture',
        start: new Date(Date.now() + 60_000).toISOString(),
        settings: { recordingAllowed: true },
      })
      .expect(201);
    const meetingId = (created.body as { id: string }).id;
    const host = await kit.client(session.accessToken);
    const joined = await host.join(meetingId);
    expect(joined.recording).toEqual({
      meetingId,
      recording: false,
      startedAt: null,
      available: false,
      unavailableReason: `${MISSING} not found`,
    });

    const res = await t
      .http()
      .post(`/api/meetings/${meetingId}/recording`)
      .set(auth)
      .set('Accept-Language', 'zh-CN')
      .send({ action: 'start' })
      .expect(503);
    expect(res.body).toMatchObject({ code: 'unavailable' });
    expect((res.body as { message: string }).message).toBe(
      `本服务器不能录像（未找到 ffmpeg/ffprobe）：${MISSING} not found`,
    );
    const list = await t.http().get(`/api/meetings/${meetingId}/recordings`).set(auth).expect(200);
    expect((list.body as { state: { recording: boolean } }).state.recording).toBe(false);
  });
});
