/**
 * Every viewing or download of a recording is one audit line — who, which recording, under the meeting's branch —
 * whether opened by the list's link or with a bearer token; a seek of the player (a Range from the middle) and a
 * HEAD are not new lines, and a refused request leaves none. The recording is a file put in the recordings
 * directory with its row (no ffmpeg needed to test the download path). Real PostgreSQL.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordingList } from '@branchmeet/shared';
import { demoUnits, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';

let t: TestApp;
let u: DemoUnits;
let dir: string;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};
let meetingId: string;
let recordingId: string;
const SIZE = 4096;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bm-rec-audit-'));
  t = await startTestApp({ env: { RECORDINGS_DIR: dir, AUDIT_CHECKPOINT_SECONDS: '0' } });
  u = await demoUnits(t.ds);
  await t.signIn(['secretary1', 'member1', 'secretary2'], tokens, ids);
  const res = await t
    .http()
    .post(`/api/org-units/${u.branchA}/meetings`)
    .set({ Authorization: `Bearer ${tokens.secretary1}` })
    .send({ type: 'branch_assembly', start: new Date(Date.now() + 60_000).toISOString() })
    .expect(201);
  meetingId = (res.body as { id: string }).id;
  await mkdir(join(dir, 'audit-test'), { recursive: true });
  await writeFile(join(dir, 'audit-test', 'rec.webm'), Buffer.alloc(SIZE, 7));
  const [row] = await t.ds.query<{ id: string }[]>(
    `INSERT INTO recording (meeting_id, unit_id, started_at, ended_at, duration_ms, size_bytes, mime_type,
       storage, storage_key, created_by)
     VALUES ($1, $2, now() - interval '1 minute', now(), 60000, $3, 'video/webm', 'local', 'audit-test/rec.webm', $4)
     RETURNING id`,
    [meetingId, u.branchA, SIZE, ids.secretary1],
  );
  recordingId = row.id;
}, 60_000);

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Line {
  actor_id: string | null;
  entity_type: string;
  entity_id: string;
  unit_id: string | null;
}
const lines = (): Promise<Line[]> =>
  t.ds.query(
    `SELECT actor_id, entity_type, entity_id, unit_id FROM audit_event
     WHERE action = 'recording.download' AND entity_id = $1 ORDER BY id`,
    [recordingId],
  );

describe('recording downloads are audited', () => {
  it('a download with a bearer token is one line naming the reader, the recording and the branch', async () => {
    const before = (await lines()).length;
    const res = await t
      .http()
      .get(`/api/recordings/${recordingId}/file`)
      .set({ Authorization: `Bearer ${tokens.member1}` })
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect((res.body as Buffer).length).toBe(SIZE);
    const after = await lines();
    expect(after).toHaveLength(before + 1);
    expect(after[after.length - 1]).toEqual({
      actor_id: ids.member1,
      entity_type: 'recording',
      entity_id: recordingId,
      unit_id: u.branchA,
    });
  });

  it("the list's link is audited too; a seek (Range from the middle) and a HEAD are not new lines", async () => {
    const list = await t
      .http()
      .get(`/api/meetings/${meetingId}/recordings`)
      .set({ Authorization: `Bearer ${tokens.member1}` })
      .expect(200);
    const url = (list.body as RecordingList).items.find((r) => r.id === recordingId)!.url;
    expect(url).toMatch(/\?t=/);
    const before = (await lines()).length;
    // The player's first request: a Range from byte 0 (a viewing starts).
    await t.http().get(url).set({ Range: 'bytes=0-1023' }).expect(206);
    expect(await lines()).toHaveLength(before + 1);
    expect((await lines()).at(-1)!.actor_id).toBe(ids.member1);
    // Seeking in the same viewing.
    await t.http().get(url).set({ Range: 'bytes=2048-4095' }).expect(206);
    await t.http().head(url).expect(200);
    expect(await lines()).toHaveLength(before + 1);
  });

  it('a refused download leaves no line: another branch, no token, a forged link', async () => {
    const before = (await lines()).length;
    const other = await t
      .http()
      .get(`/api/recordings/${recordingId}/file`)
      .set({ Authorization: `Bearer ${tokens.secretary2}` });
    expect(other.status).toBe(404);
    await t.http().get(`/api/recordings/${recordingId}/file`).expect(401);
    await t.http().get(`/api/recordings/${recordingId}/file?t=forged.token.value`).expect(401);
    expect(await lines()).toHaveLength(before);
  });
});
