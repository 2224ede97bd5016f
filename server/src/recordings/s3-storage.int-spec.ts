import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { RecordingList } from '@branchmeet/shared';
import type { Response } from 'supertest';
import { publishAv } from '../test-support/av-bot';
import { demoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';
import { LiveRecordings } from './live-recordings';

// s3rver ships no types; what the test uses of it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (opts: object) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

/**
 * Recordings in an S3-compatible bucket (a real local S3 server, s3rver from npm): the finished file is
 * uploaded, replayed with Range requests passed through to GetObject, and deleted from the bucket.
 */
jest.setTimeout(120_000);

const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('recordings in an S3 bucket', () => {
  let t: TestApp;
  let kit: RtcKit;
  let dir: string;
  let s3server: InstanceType<typeof S3rver>;
  let s3: S3Client;
  const BUCKET = 'recordings';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bm-s3-'));
    s3server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: join(dir, 's3'),
      configureBuckets: [{ name: BUCKET, configs: [] }],
    });
    const { port } = await s3server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    t = await startTestApp({
      listen: true,
      env: {
        RECORDINGS_DIR: join(dir, 'local'),
        RECORDINGS_S3_BUCKET: BUCKET,
        RECORDINGS_S3_ENDPOINT: endpoint,
        RECORDINGS_S3_ACCESS_KEY_ID: 'S3RVER',
        RECORDINGS_S3_SECRET_ACCESS_KEY: 'S3RVER',
        MEETING_EMPTY_END_SECONDS: '0',
      },
    });
    kit = new RtcKit(t.baseUrl);
  });

  afterAll(async () => {
    await kit?.close();
    await t?.close();
    s3?.destroy();
    await s3server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads the recording, streams byte ranges from the bucket, deletes it there', async () => {
    const units = await demoUnits(t.ds);
    const sec = await t.login('secretary1');
    const res = await t
      .http()
      .post(`/api/org-units/${units.branchA}/meetings`)
      .set(sec.auth)
      .send({
        type: 'lecture',
        start: new Date(Date.now() + 60_000).toISOString(),
        settings: { recordingAllowed: true },
      })
      .expect(201);
    const meetingId = (res.body as { id: string }).id;
    const host = await kit.client(sec.session.accessToken);
    const bot = await publishAv(host, await host.join(meetingId));
    try {
      await t
        .http()
        .post(`/api/meetings/${meetingId}/recording`)
        .set(sec.auth)
        .send({ action: 'start' })
        .expect(200);
      await sleep(6000);
      await t
        .http()
        .post(`/api/meetings/${meetingId}/recording`)
        .set(sec.auth)
        .send({ action: 'stop' })
        .expect(200);
      await t.app.get(LiveRecordings).settled(meetingId);
    } finally {
      await bot.close();
    }
    const list = (await t.http().get(`/api/meetings/${meetingId}/recordings`).set(sec.auth).expect(200))
      .body as RecordingList;
    expect(list.items).toHaveLength(1);
    const rec = list.items[0];
    const [row]: { storage: string; storage_key: string }[] = await t.ds.query(
      `SELECT storage, storage_key FROM recording WHERE id = $1`,
      [rec.id],
    );
    expect(row.storage).toBe('s3');
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: row.storage_key }));
    expect(head.ContentLength).toBe(rec.sizeBytes);
    expect(head.ContentType).toBe('video/webm');

    const full = await t.http().get(rec.url).buffer(true).parse(binary).expect(200);
    expect((full.body as Buffer).length).toBe(rec.sizeBytes);
    expect((full.body as Buffer).subarray(0, 4).toString('hex')).toBe('1a45dfa3');
    const part = await t.http().get(rec.url).set('Range', 'bytes=1000-1999').buffer(true).parse(binary);
    expect(part.status).toBe(206);
    expect(part.body).toEqual((full.body as Buffer).subarray(1000, 2000));

    await t.http().delete(`/api/recordings/${rec.id}`).set(sec.auth).expect(204);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(left.KeyCount ?? 0).toBe(0);
  });
});
