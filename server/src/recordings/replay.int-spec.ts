import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MakeUpProgress, MeetingAttendance, RecordingList } from '@branchmeet/shared';
import type { Response } from 'supertest';
import { publishAv, type AvBot } from '../test-support/av-bot';
import { demoUnits, userIdByPhone, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';
import { LiveRecordings } from './live-recordings';

/**
 * Replay and make-up study (补学). A short lecture is recorded and ends; a member who was absent
 * watches the replay, reporting progress honestly at play speed in real time, and becomes make_up past 90%;
 * a member who skips to the end (or plays at 2x) does not. Authorisation, Range requests and audited deletion.
 */
jest.setTimeout(180_000);

const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('replay and make-up study', () => {
  let t: TestApp;
  let kit: RtcKit;
  let units: DemoUnits;
  let dir: string;
  let bot: AvBot | undefined;
  let meetingId: string;
  let list: RecordingList;
  const auth: Record<string, { Authorization: string }> = {};
  const SKIPPER = '13800000016'; // 赵磊, a member of branch 1 who also missed the lecture
  const FINISHER = '13800000014'; // another member of branch 1 who missed it

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bm-replay-'));
    t = await startTestApp({ listen: true, env: { RECORDINGS_DIR: dir, MEETING_EMPTY_END_SECONDS: '0' } });
    kit = new RtcKit(t.baseUrl);
    units = await demoUnits(t.ds);
    for (const who of ['secretary1', 'member1', 'member2', SKIPPER, FINISHER])
      auth[who] = (await t.login(who)).auth;

    // A lecture, recorded for about 12 seconds, ended by the host: the recording stops with the meeting.
    const res = await t
      .http()
      .post(`/api/org-units/${units.branchA}/meetings`)
      .set(auth.secretary1)
      .send({
        type: 'lecture',
        start: new Date(Date.now() + 60_000).toISOString(),
        settings: { recordingAllowed: true },
      })
      .expect(201);
    meetingId = (res.body as { id: string }).id;
    const host = await kit.client((await t.login('secretary1')).session.accessToken);
    const joined = await host.join(meetingId);
    bot = await publishAv(host, joined);
    await t
      .http()
      .post(`/api/meetings/${meetingId}/recording`)
      .set(auth.secretary1)
      .send({ action: 'start' })
      .expect(200);
    await sleep(12_000);
    await host.call('host.end', {});
    await t.app.get(LiveRecordings).settled(meetingId);
    await bot.close();
    bot = undefined;
    list = (await t.http().get(`/api/meetings/${meetingId}/recordings`).set(auth.member1).expect(200))
      .body as RecordingList;
  });

  afterAll(async () => {
    await bot?.close();
    await kit?.close();
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const report = async (who: string, recordingId: string, position: number, playing = true) =>
    (
      await t
        .http()
        .post(`/api/recordings/${recordingId}/progress`)
        .set(auth[who])
        .send({ position, playing })
        .expect(200)
    ).body as MakeUpProgress;

  const attendance = async () =>
    (await t.http().get(`/api/meetings/${meetingId}/attendance`).set(auth.secretary1).expect(200))
      .body as MeetingAttendance;

  it('stored the recording when the meeting ended; the absent member may make it up', () => {
    expect(list.state.recording).toBe(false);
    expect(list.items).toHaveLength(1);
    expect(list.items[0].durationSeconds).toBeGreaterThan(8);
    expect(list.progress).toMatchObject({
      eligible: true,
      percent: 0,
      completedAt: null,
      thresholdPercent: 90,
    });
  });

  it('an absent member who watches past 90% at play speed becomes make_up, with the time', async () => {
    const rec = list.items[0];
    const before = await attendance();
    const member1Id = (await t.login('member1')).session.me.user.id;
    expect(before.records.find((r) => r.userId === member1Id)?.status).toBe('absent');

    // A player reporting every second where it really is (real time, play speed).
    const began = Date.now();
    let progress = await report('member1', rec.id, 0);
    let halfway: MakeUpProgress | undefined;
    while (!progress.completedAt) {
      await sleep(1000);
      const position = Math.min(rec.durationSeconds, (Date.now() - began) / 1000);
      progress = await report('member1', rec.id, position);
      if (!halfway && progress.percent >= 45) halfway = progress;
      if (position >= rec.durationSeconds && !progress.completedAt) break;
    }
    expect(halfway?.completedAt).toBeNull();
    expect(progress.completedAt).not.toBeNull();
    expect(progress.percent).toBeGreaterThanOrEqual(90);
    // It took (about) 90% of the recording's length of real time.
    expect((Date.now() - began) / 1000).toBeGreaterThan(rec.durationSeconds * 0.85);

    const after = await attendance();
    const mine = after.records.find((r) => r.userId === member1Id);
    expect(mine?.status).toBe('make_up');
    expect(mine?.makeUpAt).toBe(progress.completedAt);
    // The change went through the one recompute mechanism, audited with the make_up cause.
    const [event]: { after: { cause: string; userId: string } }[] = await t.ds.query(
      `SELECT after FROM audit_event WHERE action = 'attendance.recompute' AND entity_id = $1`,
      [meetingId],
    );
    expect(event.after).toMatchObject({ cause: 'make_up', userId: member1Id });
  });

  it('skipping to the end, or playing at double speed, does not make it up', async () => {
    const rec = list.items[0];
    const d = rec.durationSeconds;
    await report(SKIPPER, rec.id, 0);
    await sleep(1000);
    await report(SKIPPER, rec.id, d * 0.95); // a jump: nothing credited
    await sleep(1000);
    let progress = await report(SKIPPER, rec.id, d);
    expect(progress.percent).toBeLessThan(15);
    // Back to the start at 2x: every report advances two seconds per second; the wall clock caps the credit.
    await report(SKIPPER, rec.id, 0);
    const began = Date.now();
    for (let position = 0; position < d;) {
      await sleep(1000);
      position = Math.min(d, ((Date.now() - began) / 1000) * 2);
      progress = await report(SKIPPER, rec.id, position);
    }
    expect(progress.completedAt).toBeNull();
    expect(progress.percent).toBeLessThan(70);
    const skipperId = await userIdByPhone(t.ds, SKIPPER);
    expect((await attendance()).records.find((r) => r.userId === skipperId)).toMatchObject({
      status: 'absent',
      makeUpAt: null,
    });
  });

  it('the final span counts: a player reporting every 5 s, then `ended` (not playing), is credited to the end', async () => {
    const rec = list.items[0];
    const d = rec.durationSeconds;
    const began = Date.now();
    let progress = await report(FINISHER, rec.id, 0);
    // Playing reports every 5 s of real time, the last one well before the end (below 90%)...
    for (let k = 1; k * 5 < d * 0.85; k++) {
      await sleep(Math.max(0, began + k * 5000 - Date.now()));
      progress = await report(FINISHER, rec.id, k * 5);
    }
    expect(progress.completedAt).toBeNull();
    expect(progress.percent).toBeLessThan(90);
    // ...then the video ends at its real length: the `ended` report says playing: false.
    await sleep(Math.max(0, began + d * 1000 - Date.now()));
    progress = await report(FINISHER, rec.id, d, false);
    expect(progress.percent).toBeGreaterThanOrEqual(99);
    expect(progress.completedAt).not.toBeNull();
    const finisherId = await userIdByPhone(t.ds, FINISHER);
    expect((await attendance()).records.find((r) => r.userId === finisherId)?.status).toBe('make_up');
  }, 60_000);

  it('streams the file with HTTP Range support, by the reader’s link only', async () => {
    const rec = list.items[0];
    const full = await t.http().get(rec.url).buffer(true).parse(binary).expect(200);
    expect(full.headers['accept-ranges']).toBe('bytes');
    expect(full.headers['content-type']).toBe('video/webm');
    expect((full.body as Buffer).length).toBe(rec.sizeBytes);
    expect((full.body as Buffer).subarray(0, 4).toString('hex')).toBe('1a45dfa3'); // EBML

    const part = await t.http().get(rec.url).set('Range', 'bytes=100-199').buffer(true).parse(binary);
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${rec.sizeBytes}`);
    expect(part.body).toEqual((full.body as Buffer).subarray(100, 200));
    const tail = await t.http().get(rec.url).set('Range', 'bytes=-50').buffer(true).parse(binary);
    expect(tail.status).toBe(206);
    expect(tail.body).toEqual((full.body as Buffer).subarray(rec.sizeBytes - 50));
    await t.http().get(rec.url).set('Range', `bytes=${rec.sizeBytes}-`).expect(416);

    // No link, a forged one, an access token instead of a link: refused. A link is not an access token.
    const token = new URL(rec.url, 'http://x').searchParams.get('t') ?? '';
    await t.http().get(`/api/recordings/${rec.id}/file`).expect(401);
    // An API client may use its bearer token instead of a link; another branch's may not.
    await t
      .http()
      .get(`/api/recordings/${rec.id}/file`)
      .set(auth.member1)
      .set('Range', 'bytes=0-3')
      .expect(206);
    await t.http().get(`/api/recordings/${rec.id}/file`).set(auth.member2).expect(404);
    await t.http().get(`/api/recordings/${rec.id}/file?t=${token}x`).expect(401);
    const bearer = auth.member1.Authorization.slice(7);
    await t.http().get(`/api/recordings/${rec.id}/file?t=${bearer}`).expect(401);
    await t.http().get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('another branch sees nothing: list, progress and deletion answer 404', async () => {
    const rec = list.items[0];
    await t.http().get(`/api/meetings/${meetingId}/recordings`).set(auth.member2).expect(404);
    await t
      .http()
      .post(`/api/recordings/${rec.id}/progress`)
      .set(auth.member2)
      .send({ position: 0, playing: true })
      .expect(404);
    await t.http().delete(`/api/recordings/${rec.id}`).set(auth.member2).expect(404);
    // A link stops working when its reader loses access: access is checked on each use.
    const theirs = (
      (await t.http().get(`/api/meetings/${meetingId}/recordings`).set(auth[SKIPPER]).expect(200))
        .body as RecordingList
    ).items[0].url;
    await t.http().get(theirs).set('Range', 'bytes=0-0').expect(206);
    await t.ds.query(`DELETE FROM membership WHERE user_id = $1`, [await userIdByPhone(t.ds, SKIPPER)]);
    await t.http().get(theirs).set('Range', 'bytes=0-0').expect(404);
    await t.http().get(`/api/meetings/${meetingId}/recordings`).set(auth[SKIPPER]).expect(404);
  });

  it('a meeting that does not allow recording cannot be recorded', async () => {
    const res = await t
      .http()
      .post(`/api/org-units/${units.branchA}/meetings`)
      .set(auth.secretary1)
      .send({ type: 'lecture', start: new Date(Date.now() + 60_000).toISOString() })
      .expect(201);
    const id = (res.body as { id: string }).id;
    const r = await t
      .http()
      .post(`/api/meetings/${id}/recording`)
      .set(auth.secretary1)
      .send({ action: 'start' })
      .expect(403);
    expect((r.body as { message: string }).message).toBe('本次会议不允许录像');
    await t
      .http()
      .post(`/api/meetings/${id}/recording`)
      .set(auth.secretary1)
      .send({ action: 'x' })
      .expect(400);
  });

  it('deletion: refused to a member, done by the secretary, audited, the file gone', async () => {
    const rec = list.items[0];
    await t.http().delete(`/api/recordings/${rec.id}`).set(auth.member1).expect(403);
    await t.http().delete(`/api/recordings/${rec.id}`).set(auth.secretary1).expect(204);
    const events: { actor_id: string; before: { meetingId: string; storageKey: string } }[] =
      await t.ds.query(
        `SELECT actor_id, before FROM audit_event WHERE action = 'recording.delete' AND entity_id = $1`,
        [rec.id],
      );
    expect(events).toHaveLength(1);
    expect(events[0].before.meetingId).toBe(meetingId);
    await expect(access(join(dir, events[0].before.storageKey))).rejects.toThrow();
    const after = (await t.http().get(`/api/meetings/${meetingId}/recordings`).set(auth.member1).expect(200))
      .body as RecordingList;
    expect(after.items).toHaveLength(0);
    await t.http().get(rec.url).expect(404);
    // The make-up study stays in the attendance.
    const member1Id = (await t.login('member1')).session.me.user.id;
    expect((await attendance()).records.find((r) => r.userId === member1Id)?.status).toBe('make_up');
  });
});
