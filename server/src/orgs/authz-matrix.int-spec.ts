import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeetingsService } from '../meetings/meetings.service';
import type { RecordingStorage } from '../recordings/recording-storage';
import { RECORDING_STORAGE } from '../recordings/recording-storage';
import { DemoUnits, demoUnits, phoneSequence, userIdByPhone } from '../test-support/fixtures';
import { startTestApp, TestApp } from '../test-support/int-app';

/**
 * The authorisation matrix: every endpoint, every kind of caller. One row per (method, path template, target);
 * the expected status per actor is written out in a fixed column order:
 *
 *   anonymous | member1 (member of A) | secretary1 (A) | member2 (member of B) | secretary2 (B) | committee | admin
 *
 * Bodies are valid (the admin column proves it where it succeeds), so a status reflects authorisation, not
 * validation. Requests that change something act on throwaway targets made for that actor, so rows do not
 * depend on each other. The route list itself comes from the OpenAPI document: an endpoint the table does not
 * cover fails the test.
 */
const actors = ['anonymous', 'member1', 'secretary1', 'member2', 'secretary2', 'committee', 'admin'] as const;
type Actor = (typeof actors)[number];
type Expect = Record<Actor, number>;
const e = (...s: [number, number, number, number, number, number, number]): Expect =>
  Object.fromEntries(actors.map((a, i) => [a, s[i]])) as Expect;

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Req {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: object;
  file?: { content: Buffer; name: string };
  /** Undoes what a successful request changed (run only after a 2xx). */
  undo?: () => Promise<void>;
}
interface Row {
  method: Method;
  path: string;
  what: string;
  expect: Expect;
  req?: (actor: Actor) => Promise<Req> | Req;
}

const DEMO = 'Demo@2026';
const loginOf: Record<Exclude<Actor, 'anonymous'>, string> = {
  member1: 'member1',
  secretary1: 'secretary1',
  member2: 'member2',
  secretary2: 'secretary2',
  committee: 'committee',
  admin: 'admin',
};

let t: TestApp;
let u: DemoUnits;
const auth = {} as Record<Exclude<Actor, 'anonymous'>, { Authorization: string }>;
const phone = phoneSequence('136');

/** Admin-made throwaway targets, one per request, so that a delete or edit by one actor cannot affect the next. */
async function throwawayUnit(type: 'group' | 'branch', parentId: string): Promise<string> {
  const res = await t
    .http()
    .post('/api/org-units')
    .set(auth.admin)
    .send({ name: `临时${type}${phone()}`, type, parentId });
  if (res.status !== 201) throw new Error(`setup: create unit ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}
async function throwawayMember(unitId: string): Promise<string> {
  const res = await t
    .http()
    .post(`/api/org-units/${unitId}/members`)
    .set(auth.admin)
    .send({ name: '临时党员', phone: phone() });
  if (res.status !== 201) throw new Error(`setup: add member ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.membershipId;
}
let endedWithMember: Promise<{ meetingId: string; userId: string }> | undefined;
/** One ended meeting of branch A expecting member1 (written straight into the database, once). */
function endedWithMemberOfA(): Promise<{ meetingId: string; userId: string }> {
  endedWithMember ??= (async () => {
    const sec = await userIdByPhone(t.ds, '13800000011');
    const userId = await userIdByPhone(t.ds, '13800000013');
    const [m]: { id: string }[] = await t.ds.query(
      `INSERT INTO meeting (unit_id, type, title, host_id, status, started_at, ended_at, created_by)
       VALUES ($1, 'committee_meeting', '已结束', $2, 'ended', now() - interval '1 hour', now(), $2) RETURNING id`,
      [u.branchA, sec],
    );
    await t.ds.query(`INSERT INTO meeting_attendee (meeting_id, user_id, kind) VALUES ($1, $2, 'expected')`, [
      m.id,
      userId,
    ]);
    return { meetingId: m.id, userId };
  })();
  return endedWithMember;
}
let meetingA: Promise<string> | undefined;
/** One live meeting of branch A, opened by its secretary (once). */
function meetingOfA(): Promise<string> {
  meetingA ??= t
    .http()
    .post(`/api/org-units/${u.branchA}/meetings/live`)
    .set(auth.secretary1)
    .send({})
    .then((res) => {
      if (res.status !== 201)
        throw new Error(`setup: open meeting ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { id: string }).id;
    });
  return meetingA;
}
/** A throwaway lecture of branch A scheduled by its secretary (expected: branch A's roster). */
async function scheduledOfA(): Promise<string> {
  const res = await t
    .http()
    .post(`/api/org-units/${u.branchA}/meetings`)
    .set(auth.secretary1)
    .send({ type: 'lecture', start: '2027-03-01T06:00:00Z' });
  if (res.status !== 201) throw new Error(`setup: schedule ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}
let inviteOfA: Promise<string> | undefined;
/** One invite link to a scheduled meeting of branch A (its token), made once by its secretary. */
function inviteTokenOfA(): Promise<string> {
  inviteOfA ??= scheduledOfA().then(async (meetingId) => {
    const res = await t.http().post(`/api/meetings/${meetingId}/invites`).set(auth.secretary1).send({});
    if (res.status !== 201) throw new Error(`setup: invite ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { token: string }).token;
  });
  return inviteOfA;
}
/** A throwaway invite link of a scheduled meeting of branch A (its id). */
async function throwawayInviteOfA(): Promise<string> {
  const meetingId = await scheduledOfA();
  const res = await t.http().post(`/api/meetings/${meetingId}/invites`).set(auth.secretary1).send({});
  if (res.status !== 201) throw new Error(`setup: invite ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}
/** A throwaway pending leave request of member1 for a throwaway meeting of branch A. */
async function leaveRequestOfA(): Promise<string> {
  const meetingId = await scheduledOfA();
  const res = await t
    .http()
    .post(`/api/meetings/${meetingId}/leave-requests`)
    .set(auth.member1)
    .send({ reason: '出差' });
  if (res.status !== 201) throw new Error(`setup: leave ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}
/** A throwaway meeting of branch A opened by its secretary and ended at once (its minutes can be submitted). */
async function endedOfA(): Promise<string> {
  const res = await t.http().post(`/api/org-units/${u.branchA}/meetings/live`).set(auth.secretary1).send({});
  if (res.status !== 201) throw new Error(`setup: open ${res.status} ${JSON.stringify(res.body)}`);
  const id = (res.body as { id: string }).id;
  await t.app.get(MeetingsService).end(id, null, 'empty');
  return id;
}
/** A throwaway recording of branch A's ended meeting: a row and a small file in the recordings storage. */
async function recordingOfA(): Promise<string> {
  const meetingId = await endedOfA();
  const [row]: { id: string }[] = await t.ds.query(
    `INSERT INTO recording (meeting_id, unit_id, started_at, ended_at, duration_ms, size_bytes, mime_type, storage,
       storage_key) VALUES ($1, $2, now(), now(), 60000, 16, 'video/webm', 'local', '') RETURNING id`,
    [meetingId, u.branchA],
  );
  const key = `${meetingId}/${row.id}.webm`;
  const file = join(await mkdtemp(join(tmpdir(), 'bm-matrix-')), 'r.webm');
  await writeFile(file, Buffer.alloc(16, 1));
  await t.app.get<RecordingStorage>(RECORDING_STORAGE).put(file, key, 'video/webm');
  await t.ds.query(`UPDATE recording SET storage_key = $2 WHERE id = $1`, [row.id, key]);
  return row.id;
}
/** Minutes of a throwaway ended meeting of branch A, submitted by its secretary; approved by the committee. */
async function minutesOfA(status: 'submitted' | 'approved'): Promise<string> {
  const id = await endedOfA();
  const sub = await t.http().post(`/api/meetings/${id}/minutes/submit`).set(auth.secretary1);
  if (sub.status !== 200) throw new Error(`setup: submit ${sub.status} ${JSON.stringify(sub.body)}`);
  if (status === 'approved') {
    const ok = await t.http().post(`/api/meetings/${id}/minutes/approve`).set(auth.committee).send({});
    if (ok.status !== 200) throw new Error(`setup: approve ${ok.status} ${JSON.stringify(ok.body)}`);
  }
  return id;
}
let submittedA: Promise<string> | undefined;
const submittedOnce = () => (submittedA ??= minutesOfA('submitted'));
/** A throwaway attachment on the minutes of branch A's live meeting. */
async function attachmentOfA(): Promise<{ meetingId: string; attachmentId: string }> {
  const meetingId = await meetingOfA();
  const res = await t
    .http()
    .post(`/api/meetings/${meetingId}/minutes/attachments`)
    .set(auth.secretary1)
    .attach('file', Buffer.from('材料'), '材料.txt');
  if (res.status !== 201) throw new Error(`setup: attach ${res.status} ${JSON.stringify(res.body)}`);
  return { meetingId, attachmentId: (res.body as { id: string }).id };
}
let attachmentA: Promise<{ meetingId: string; attachmentId: string }> | undefined;
const period = { from: '2026-01-01T00:00:00+08:00', to: '2030-01-01T00:00:00+08:00' };
const oneRowCsv = () => Buffer.from(`\uFEFF姓名,手机号,职务\r\n矩阵测试,${phone()},党员\r\n`, 'utf8');
const self = (a: Actor) => (a === 'anonymous' ? 'member1' : loginOf[a]);

// One row per line reads as a table:
// prettier-ignore
const rows: Row[] = [
  // ── public ─────────────────────────────────────────────────────────────────────────────────────────────
  { method: 'get', path: '/api/health', what: 'health', expect: e(200, 200, 200, 200, 200, 200, 200) },
  {
    method: 'post', path: '/api/auth/login', what: 'login with own credentials',
    expect: e(200, 200, 200, 200, 200, 200, 200),
    req: (a) => ({ body: { login: self(a), password: DEMO } }),
  },
  {
    method: 'post', path: '/api/auth/refresh', what: 'refresh with a fresh refresh token',
    expect: e(200, 200, 200, 200, 200, 200, 200),
    req: async (a) => ({ body: { refreshToken: (await t.login(self(a))).session.refreshToken } }),
  },
  {
    method: 'post', path: '/api/auth/logout', what: 'logout with a fresh refresh token',
    expect: e(204, 204, 204, 204, 204, 204, 204),
    req: async (a) => ({ body: { refreshToken: (await t.login(self(a))).session.refreshToken } }),
  },
  // ── own account ────────────────────────────────────────────────────────────────────────────────────────
  { method: 'get', path: '/api/auth/me', what: 'who am I', expect: e(401, 200, 200, 200, 200, 200, 200) },
  {
    method: 'post', path: '/api/auth/change-password', what: 'change own password',
    expect: e(401, 204, 204, 204, 204, 204, 204),
    req: (a) => ({
      body: { currentPassword: DEMO, newPassword: 'Matrix@2026!' },
      undo: async () => {
        await t.http().post('/api/auth/change-password').set(auth[a as Exclude<Actor, 'anonymous'>])
          .send({ currentPassword: 'Matrix@2026!', newPassword: DEMO }).expect(204);
      },
    }),
  },
  {
    method: 'post', path: '/api/users/{userId}/reset-password', what: "reset a member's password",
    expect: e(401, 403, 403, 403, 403, 403, 200),
    req: async () => ({ params: { userId: await userIdByPhone(t.ds, '13800000018') }, body: {} }),
  },
  // ── the org tree ───────────────────────────────────────────────────────────────────────────────────────
  { method: 'get', path: '/api/org-units', what: 'list visible units', expect: e(401, 200, 200, 200, 200, 200, 200) },
  {
    method: 'post', path: '/api/org-units', what: 'create a root committee',
    expect: e(401, 403, 403, 403, 403, 403, 201),
    req: () => ({ body: { name: `矩阵党委${phone()}`, type: 'committee', parentId: null } }),
  },
  {
    method: 'post', path: '/api/org-units', what: 'create a branch under the committee',
    expect: e(401, 404, 403, 404, 403, 403, 201),
    req: () => ({ body: { name: `矩阵支部${phone()}`, type: 'branch', parentId: u.committee } }),
  },
  {
    method: 'post', path: '/api/org-units', what: 'create a party group under branch A',
    expect: e(401, 403, 201, 404, 404, 403, 201),
    req: () => ({ body: { name: `矩阵小组${phone()}`, type: 'group', parentId: u.branchA } }),
  },
  {
    method: 'post', path: '/api/org-units', what: 'create a party group under branch B',
    expect: e(401, 404, 404, 403, 201, 403, 201),
    req: () => ({ body: { name: `矩阵小组${phone()}`, type: 'group', parentId: u.branchB } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}', what: 'read branch A',
    expect: e(401, 200, 200, 404, 404, 200, 200), req: () => ({ params: { unitId: u.branchA } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}', what: 'read branch B',
    expect: e(401, 404, 404, 200, 200, 200, 200), req: () => ({ params: { unitId: u.branchB } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}', what: 'read the committee (never upwards for branch members)',
    expect: e(401, 404, 200, 404, 200, 200, 200), req: () => ({ params: { unitId: u.committee } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}', what: 'read party group A',
    expect: e(401, 200, 200, 404, 404, 200, 200), req: () => ({ params: { unitId: u.groupA } }),
  },
  {
    method: 'patch', path: '/api/org-units/{unitId}', what: 'rename branch A (to the same name)',
    expect: e(401, 403, 200, 404, 404, 403, 200),
    req: () => ({ params: { unitId: u.branchA }, body: { name: '第一党支部' } }),
  },
  {
    method: 'patch', path: '/api/org-units/{unitId}', what: 'rename branch B (to the same name)',
    expect: e(401, 404, 404, 403, 200, 403, 200),
    req: () => ({ params: { unitId: u.branchB }, body: { name: '第二党支部' } }),
  },
  {
    method: 'delete', path: '/api/org-units/{unitId}', what: 'delete an empty party group of branch A',
    expect: e(401, 403, 204, 404, 404, 403, 204),
    req: async () => ({ params: { unitId: await throwawayUnit('group', u.branchA) } }),
  },
  {
    method: 'delete', path: '/api/org-units/{unitId}', what: 'delete an empty branch under the committee',
    expect: e(401, 404, 404, 404, 404, 403, 204),
    req: async () => ({ params: { unitId: await throwawayUnit('branch', u.committee) } }),
  },
  // ── rosters ────────────────────────────────────────────────────────────────────────────────────────────
  {
    method: 'get', path: '/api/org-units/{unitId}/members', what: "branch A's roster",
    expect: e(401, 200, 200, 404, 404, 200, 200), req: () => ({ params: { unitId: u.branchA } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/members', what: "branch B's roster",
    expect: e(401, 404, 404, 200, 200, 200, 200), req: () => ({ params: { unitId: u.branchB } }),
  },
  {
    method: 'post', path: '/api/org-units/{unitId}/members', what: 'add a member to branch A',
    expect: e(401, 403, 201, 404, 404, 403, 201),
    req: () => ({ params: { unitId: u.branchA }, body: { name: '新党员', phone: phone(), role: 'member' } }),
  },
  {
    method: 'post', path: '/api/org-units/{unitId}/members', what: 'add a member to branch B',
    expect: e(401, 404, 404, 403, 201, 403, 201),
    req: () => ({ params: { unitId: u.branchB }, body: { name: '新党员', phone: phone(), role: 'member' } }),
  },
  {
    method: 'patch', path: '/api/org-units/{unitId}/members/{membershipId}', what: 'edit a member of branch A',
    expect: e(401, 403, 200, 404, 404, 403, 200),
    req: async () => ({
      params: { unitId: u.branchA, membershipId: await throwawayMember(u.branchA) },
      body: { name: '改过的名字', role: 'committee_member' },
    }),
  },
  {
    method: 'patch', path: '/api/org-units/{unitId}/members/{membershipId}', what: 'edit a member of branch B',
    expect: e(401, 404, 404, 403, 200, 403, 200),
    req: async () => ({
      params: { unitId: u.branchB, membershipId: await throwawayMember(u.branchB) },
      body: { name: '改过的名字' },
    }),
  },
  {
    method: 'patch', path: '/api/org-units/{unitId}/members/{membershipId}',
    what: "a member of branch B addressed through branch A's path",
    expect: e(401, 403, 404, 404, 404, 403, 404),
    req: async () => ({
      params: { unitId: u.branchA, membershipId: await throwawayMember(u.branchB) },
      body: { name: '越权修改' },
    }),
  },
  {
    method: 'delete', path: '/api/org-units/{unitId}/members/{membershipId}', what: 'remove a member of branch A',
    expect: e(401, 403, 204, 404, 404, 403, 204),
    req: async () => ({ params: { unitId: u.branchA, membershipId: await throwawayMember(u.branchA) } }),
  },
  {
    method: 'delete', path: '/api/org-units/{unitId}/members/{membershipId}', what: 'remove a member of branch B',
    expect: e(401, 404, 404, 403, 204, 403, 204),
    req: async () => ({ params: { unitId: u.branchB, membershipId: await throwawayMember(u.branchB) } }),
  },
  {
    method: 'post', path: '/api/org-units/{unitId}/roster/import', what: 'import a roster into branch A',
    expect: e(401, 403, 200, 404, 404, 403, 200),
    req: () => ({ params: { unitId: u.branchA }, file: { content: oneRowCsv(), name: 'roster.csv' } }),
  },
  {
    method: 'post', path: '/api/org-units/{unitId}/roster/import', what: 'import a roster into branch B',
    expect: e(401, 404, 404, 403, 200, 403, 200),
    req: () => ({ params: { unitId: u.branchB }, file: { content: oneRowCsv(), name: 'roster.csv' } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/roster/export', what: "export branch A's roster",
    expect: e(401, 403, 200, 404, 404, 200, 200), req: () => ({ params: { unitId: u.branchA } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/roster/export', what: "export branch B's roster",
    expect: e(401, 404, 404, 403, 200, 200, 200), req: () => ({ params: { unitId: u.branchB } }),
  },
  { method: 'get', path: '/api/roster-template', what: 'roster file template', expect: e(401, 200, 200, 200, 200, 200, 200) },
  // ── live meetings ──────────────────────────────────────────────────────────────────────────────────────
  {
    method: 'get', path: '/api/org-units/{unitId}/meetings/live', what: "branch A's live rooms",
    expect: e(401, 200, 200, 404, 404, 200, 200), req: () => ({ params: { unitId: u.branchA } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/meetings/live', what: "branch B's live rooms",
    expect: e(401, 404, 404, 200, 200, 200, 200), req: () => ({ params: { unitId: u.branchB } }),
  },
  {
    method: 'post', path: '/api/org-units/{unitId}/meetings/live', what: 'open a live room in branch A',
    expect: e(401, 403, 201, 404, 404, 403, 201),
    req: () => ({ params: { unitId: u.branchA }, body: { title: '矩阵会议' } }),
  },
  {
    method: 'post', path: '/api/org-units/{unitId}/meetings/live', what: 'open a live room in branch B',
    expect: e(401, 404, 404, 403, 201, 403, 201),
    req: () => ({ params: { unitId: u.branchB }, body: { waitingRoom: true } }),
  },
  {
    method: 'get', path: '/api/meetings/{meetingId}', what: 'a live meeting of branch A',
    expect: e(401, 200, 200, 404, 404, 200, 200), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  {
    method: 'get', path: '/api/meetings/{meetingId}/chat', what: 'the chat of a meeting of branch A',
    expect: e(401, 200, 200, 404, 404, 200, 200), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  {
    method: 'get', path: '/api/meetings/{meetingId}/questions', what: 'the lecture Q&A of a meeting of branch A',
    expect: e(401, 200, 200, 404, 404, 200, 200), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  {
    method: 'get', path: '/api/meetings/{meetingId}/attendance', what: 'the attendance of a meeting of branch A',
    expect: e(401, 200, 200, 404, 404, 200, 200), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  {
    method: 'get', path: '/api/meetings/{meetingId}/attendance/export.xlsx', what: 'attendance of a meeting of branch A as XLSX',
    expect: e(401, 403, 200, 404, 404, 200, 200), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  {
    method: 'get', path: '/api/meetings/{meetingId}/attendance/export.csv', what: 'attendance of a meeting of branch A as CSV',
    expect: e(401, 403, 200, 404, 404, 200, 200), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  {
    method: 'get', path: '/api/meetings/{meetingId}/attendance/sign-in.pdf', what: 'the sign-in sheet of a meeting of branch A',
    expect: e(401, 403, 200, 404, 404, 200, 200), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  // ── statistics and the ledger ──────────────────────────────────────────────────────────────────────────
  {
    method: 'get', path: '/api/org-units/{unitId}/statistics', what: "branch A's attendance statistics",
    expect: e(401, 200, 200, 404, 404, 200, 200),
    req: () => ({ params: { unitId: u.branchA }, query: { from: '2026-01-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/statistics', what: "the committee's statistics (per branch; secretaries 1 and 2 are committee members)",
    expect: e(401, 404, 200, 404, 200, 200, 200),
    req: () => ({ params: { unitId: u.committee }, query: { from: '2026-01-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/ledger.xlsx', what: "branch A's ledger (台账)",
    expect: e(401, 403, 200, 404, 404, 200, 200),
    req: () => ({ params: { unitId: u.branchA }, query: { from: '2026-01-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/attendance-corrections', what: "branch A's attendance corrections",
    expect: e(401, 403, 200, 404, 404, 200, 200),
    req: () => ({ params: { unitId: u.branchA }, query: { from: '2026-01-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' } }),
  },
  {
    method: 'put', path: '/api/meetings/{meetingId}/attendance/{userId}/correction', what: 'correct a record of an ended meeting of branch A',
    expect: e(401, 403, 200, 404, 404, 403, 200),
    req: async () => ({ params: await endedWithMemberOfA(), body: { status: 'present', reason: '电话参会' } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/attendance-rules', what: "branch A's attendance rules",
    expect: e(401, 200, 200, 404, 404, 200, 200), req: () => ({ params: { unitId: u.branchA } }),
  },
  {
    method: 'put', path: '/api/org-units/{unitId}/attendance-rules', what: "set branch A's attendance rules (the defaults)",
    expect: e(401, 403, 200, 404, 404, 403, 200),
    req: () => ({ params: { unitId: u.branchA }, body: { lateAfterMinutes: 5, presentMinPercent: 50 } }),
  },
  {
    method: 'put', path: '/api/org-units/{unitId}/attendance-rules', what: "set branch B's attendance rules (the defaults)",
    expect: e(401, 404, 404, 403, 200, 403, 200),
    req: () => ({ params: { unitId: u.branchB }, body: { lateAfterMinutes: 5, presentMinPercent: 50 } }),
  },
  // ── scheduling and leave requests ──────────────────────────────────────────────────────────────────────
  {
    method: 'get', path: '/api/org-units/{unitId}/meetings', what: "branch A's calendar",
    expect: e(401, 200, 200, 404, 404, 200, 200),
    req: () => ({ params: { unitId: u.branchA }, query: { from: '2026-01-01T00:00:00Z', to: '2028-01-01T00:00:00Z' } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/meetings', what: "branch B's calendar",
    expect: e(401, 404, 404, 200, 200, 200, 200),
    req: () => ({ params: { unitId: u.branchB }, query: { from: '2026-01-01T00:00:00Z', to: '2028-01-01T00:00:00Z' } }),
  },
  {
    method: 'post', path: '/api/org-units/{unitId}/meetings', what: 'schedule a meeting of branch A',
    expect: e(401, 403, 201, 404, 404, 403, 201),
    req: () => ({ params: { unitId: u.branchA }, body: { type: 'branch_assembly', start: '2027-01-05T06:00:00Z' } }),
  },
  {
    method: 'post', path: '/api/org-units/{unitId}/meetings', what: 'schedule a meeting of branch B',
    expect: e(401, 404, 404, 403, 201, 403, 201),
    req: () => ({ params: { unitId: u.branchB }, body: { type: 'lecture', start: '2027-01-05T06:00:00Z' } }),
  },
  {
    method: 'post', path: '/api/org-units/{unitId}/meeting-series', what: 'schedule a monthly theme day series of branch A',
    expect: e(401, 403, 201, 404, 404, 403, 201),
    req: () => ({ params: { unitId: u.branchA }, body: { type: 'theme_day', start: '2028-01-05T06:00:00Z', months: 2 } }),
  },
  {
    method: 'patch', path: '/api/meetings/{meetingId}', what: 'edit a scheduled meeting of branch A',
    expect: e(401, 403, 200, 404, 404, 403, 200),
    req: async () => ({ params: { meetingId: await scheduledOfA() }, body: { title: '矩阵改期会议' } }),
  },
  {
    method: 'post', path: '/api/meetings/{meetingId}/cancel', what: 'cancel a scheduled meeting of branch A',
    expect: e(401, 403, 200, 404, 404, 403, 200),
    req: async () => ({ params: { meetingId: await scheduledOfA() }, body: {} }),
  },
  {
    method: 'post', path: '/api/meetings/{meetingId}/leave-requests', what: 'ask for leave from a meeting of branch A (expected: its roster)',
    expect: e(401, 201, 201, 404, 404, 403, 403),
    req: async () => ({ params: { meetingId: await scheduledOfA() }, body: { reason: '出差' } }),
  },
  {
    method: 'get', path: '/api/meetings/{meetingId}/leave-requests', what: 'the leave requests of a meeting of branch A',
    expect: e(401, 200, 200, 404, 404, 200, 200), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  {
    method: 'post', path: '/api/leave-requests/{leaveRequestId}/decision', what: 'decide a leave request of branch A',
    expect: e(401, 403, 200, 404, 404, 403, 200),
    req: async () => ({ params: { leaveRequestId: await leaveRequestOfA() }, body: { approve: true } }),
  },
  // ── minutes (会议记录) ─────────────────────────────────────────────────────────────────────────────────
  {
    method: 'get', path: '/api/meetings/{meetingId}/minutes', what: 'the minutes of a meeting of branch A',
    expect: e(401, 200, 200, 404, 404, 200, 200), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  {
    method: 'patch', path: '/api/meetings/{meetingId}/minutes', what: 'the typed fields of minutes of branch A (host, recorder, managers)',
    expect: e(401, 403, 200, 404, 404, 403, 403),
    req: async () => ({ params: { meetingId: await meetingOfA() }, body: { absenceReasons: {} } }),
  },
  {
    method: 'post', path: '/api/meetings/{meetingId}/minutes/sign', what: 'sign minutes of branch A (its host and recorder)',
    expect: e(401, 403, 200, 404, 404, 403, 403), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  {
    method: 'post', path: '/api/meetings/{meetingId}/minutes/submit', what: 'submit minutes of branch A (recorder, managers)',
    expect: e(401, 403, 200, 404, 404, 403, 403), req: async () => ({ params: { meetingId: await endedOfA() } }),
  },
  {
    method: 'post', path: '/api/meetings/{meetingId}/minutes/approve', what: 'approve minutes of branch A (the unit above)',
    expect: e(401, 403, 403, 404, 404, 200, 403),
    req: async () => ({ params: { meetingId: await minutesOfA('submitted') }, body: {} }),
  },
  {
    method: 'post', path: '/api/meetings/{meetingId}/minutes/return', what: 'return minutes of branch A (the unit above)',
    expect: e(401, 403, 403, 404, 404, 200, 403),
    req: async () => ({ params: { meetingId: await minutesOfA('submitted') }, body: { reason: '请补充讨论内容' } }),
  },
  {
    method: 'post', path: '/api/meetings/{meetingId}/minutes/corrections', what: 'correct approved minutes of branch A (managers)',
    expect: e(401, 403, 200, 404, 404, 403, 403),
    req: async () => ({
      params: { meetingId: await minutesOfA('approved') },
      body: { reason: '补记决议', resolutions: '会议决定按计划开展学习。' },
    }),
  },
  {
    method: 'get', path: '/api/meetings/{meetingId}/minutes/revisions', what: 'the revisions of minutes of branch A',
    expect: e(401, 200, 200, 404, 404, 200, 200), req: async () => ({ params: { meetingId: await submittedOnce() } }),
  },
  {
    method: 'get', path: '/api/meetings/{meetingId}/minutes/revisions/{number}', what: 'a revision of minutes of branch A, with its diff',
    expect: e(401, 200, 200, 404, 404, 200, 200),
    req: async () => ({ params: { meetingId: await submittedOnce(), number: '1' } }),
  },
  {
    method: 'get', path: '/api/meetings/{meetingId}/minutes/export.docx', what: 'minutes of branch A as DOCX',
    expect: e(401, 403, 200, 404, 404, 200, 200), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  {
    method: 'get', path: '/api/meetings/{meetingId}/minutes/export.pdf', what: 'minutes of branch A as PDF',
    expect: e(401, 403, 200, 404, 404, 200, 200), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  {
    method: 'post', path: '/api/meetings/{meetingId}/minutes/attachments', what: 'attach a file to minutes of branch A',
    expect: e(401, 403, 201, 404, 404, 403, 403),
    req: async () => ({ params: { meetingId: await meetingOfA() }, file: { content: Buffer.from('会议材料'), name: '材料.txt' } }),
  },
  {
    method: 'get', path: '/api/meetings/{meetingId}/minutes/attachments/{attachmentId}', what: 'an attachment of minutes of branch A',
    expect: e(401, 200, 200, 404, 404, 200, 200), req: async () => ({ params: await (attachmentA ??= attachmentOfA()) }),
  },
  {
    method: 'delete', path: '/api/meetings/{meetingId}/minutes/attachments/{attachmentId}', what: 'remove an attachment of minutes of branch A',
    expect: e(401, 403, 204, 404, 404, 403, 403), req: async () => ({ params: await attachmentOfA() }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/minutes', what: "branch A's minutes archive (search)",
    expect: e(401, 200, 200, 404, 404, 200, 200), req: () => ({ params: { unitId: u.branchA }, query: { q: '会议' } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/minutes', what: "branch B's minutes archive",
    expect: e(401, 404, 404, 200, 200, 200, 200), req: () => ({ params: { unitId: u.branchB } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/minutes/export.docx', what: "a period's minutes of branch A as DOCX",
    expect: e(401, 403, 200, 404, 404, 200, 200), req: () => ({ params: { unitId: u.branchA }, query: period }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/minutes/export.pdf', what: "a period's minutes of branch A as PDF",
    expect: e(401, 403, 200, 404, 404, 200, 200), req: () => ({ params: { unitId: u.branchA }, query: period }),
  },
  { method: 'get', path: '/api/minutes/inbox', what: 'minutes waiting for my review', expect: e(401, 200, 200, 200, 200, 200, 200) },
  // ── notifications (one's own) ──────────────────────────────────────────────────────────────────────────
  { method: 'get', path: '/api/notifications', what: 'own notifications', expect: e(401, 200, 200, 200, 200, 200, 200) },
  {
    method: 'post', path: '/api/notifications/read', what: 'mark own notifications read',
    expect: e(401, 200, 200, 200, 200, 200, 200), req: () => ({ body: { all: true } }),
  },
  // ── to-dos, channels beyond the tab, leave withdrawal ──
  { method: 'get', path: '/api/todos', what: 'own to-do list', expect: e(401, 200, 200, 200, 200, 200, 200) },
  { method: 'get', path: '/api/notification-prefs', what: 'own channel preferences', expect: e(401, 200, 200, 200, 200, 200, 200) },
  {
    method: 'put', path: '/api/notification-prefs', what: 'set own channel preferences',
    expect: e(401, 200, 200, 200, 200, 200, 200), req: () => ({ body: { email: null, webhook: null, events: {} } }),
  },
  {
    method: 'get', path: '/api/org-units/{unitId}/notification-channels', what: "branch A's channels",
    expect: e(401, 200, 200, 404, 404, 200, 200), req: () => ({ params: { unitId: u.branchA } }),
  },
  {
    method: 'put', path: '/api/org-units/{unitId}/notification-channels', what: "switch branch A's channels (off)",
    expect: e(401, 403, 200, 404, 404, 403, 200),
    req: () => ({ params: { unitId: u.branchA }, body: { email: false, webhook: false } }),
  },
  {
    method: 'post', path: '/api/leave-requests/{leaveRequestId}/withdraw', what: "withdraw member1's leave request",
    expect: e(401, 200, 404, 404, 404, 404, 404),
    req: async () => ({ params: { leaveRequestId: await leaveRequestOfA() } }),
  },
  // ── invite links and guests ────────────────────────────────────────────────────────────────────────────
  {
    method: 'get', path: '/api/meetings/{meetingId}/invites', what: 'the invite links of a meeting of branch A',
    expect: e(401, 403, 200, 404, 404, 403, 200), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  {
    method: 'post', path: '/api/meetings/{meetingId}/invites', what: 'create an invite link to a meeting of branch A',
    expect: e(401, 403, 201, 404, 404, 403, 201),
    req: async () => ({ params: { meetingId: await scheduledOfA() }, body: { validHours: 1 } }),
  },
  {
    method: 'post', path: '/api/meeting-invites/{inviteId}/revoke', what: 'revoke an invite link of branch A',
    expect: e(401, 403, 200, 404, 404, 403, 200),
    req: async () => ({ params: { inviteId: await throwawayInviteOfA() } }),
  },
  {
    method: 'post', path: '/api/guest/preview', what: 'what an invite link opens (public)',
    expect: e(200, 200, 200, 200, 200, 200, 200), req: async () => ({ body: { token: await inviteTokenOfA() } }),
  },
  {
    method: 'post', path: '/api/guest/join', what: 'a guest enters by an invite link (public)',
    expect: e(200, 200, 200, 200, 200, 200, 200),
    req: async () => ({ body: { token: await inviteTokenOfA(), name: '矩阵来宾' } }),
  },
  // ── recordings, replay, make-up study ───────────────────────────────────────────────────────
  {
    method: 'get', path: '/api/meetings/{meetingId}/recordings', what: "a meeting's recordings",
    expect: e(401, 200, 200, 404, 404, 200, 200), req: async () => ({ params: { meetingId: await meetingOfA() } }),
  },
  {
    method: 'post', path: '/api/meetings/{meetingId}/recording', what: 'stop the recording (host or lecturer; none runs)',
    expect: e(401, 403, 409, 404, 404, 403, 403),
    req: async () => ({ params: { meetingId: await meetingOfA() }, body: { action: 'stop' } }),
  },
  {
    method: 'get', path: '/api/recordings/{recordingId}/file', what: 'a recording file (bearer)',
    expect: e(401, 200, 200, 404, 404, 200, 200), req: async () => ({ params: { recordingId: await recordingOfA() } }),
  },
  {
    method: 'post', path: '/api/recordings/{recordingId}/progress', what: 'a replay progress report',
    expect: e(401, 200, 200, 404, 404, 200, 200),
    req: async () => ({ params: { recordingId: await recordingOfA() }, body: { position: 0, playing: true } }),
  },
  {
    method: 'delete', path: '/api/recordings/{recordingId}', what: 'delete a recording (host, managers)',
    expect: e(401, 403, 204, 404, 404, 403, 204), req: async () => ({ params: { recordingId: await recordingOfA() } }),
  },
  // ── audit ──────────────────────────────────────────────────────────────────────────────────────────────
  { method: 'get', path: '/api/audit/events', what: 'all audit events', expect: e(401, 403, 403, 403, 403, 403, 200) },
  {
    method: 'get', path: '/api/audit/events', what: "branch A's audit events",
    expect: e(401, 403, 403, 404, 404, 403, 200), req: () => ({ query: { unitId: u.branchA } }),
  },
  { method: 'get', path: '/api/audit/verify', what: 'verify the audit chain', expect: e(401, 403, 403, 403, 403, 403, 200) },
];

async function send(row: Row, actor: Actor) {
  const req = (await row.req?.(actor)) ?? {};
  const url = row.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = req.params?.[name];
    if (!value) throw new Error(`${row.what}: no value for {${name}}`);
    return value;
  });
  let r = t.http()[row.method](url);
  if (actor !== 'anonymous') r = r.set(auth[actor]);
  if (req.query) r = r.query(req.query);
  if (req.file) r = r.attach('file', req.file.content, req.file.name);
  else if (req.body) r = r.send(req.body);
  const res = await r;
  if (res.status >= 200 && res.status < 300) await req.undo?.();
  return res;
}

beforeAll(async () => {
  t = await startTestApp();
  u = await demoUnits(t.ds);
  for (const a of actors) if (a !== 'anonymous') auth[a] = (await t.login(loginOf[a])).auth;
});
afterAll(() => t?.close());

describe('authorisation matrix', () => {
  it('covers every endpoint the app serves, and only those', () => {
    const doc = SwaggerModule.createDocument(t.app, new DocumentBuilder().build());
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const inTable = [...new Set(rows.map((r) => `${r.method.toUpperCase()} ${r.path}`))];
    expect([...inTable].sort()).toEqual([...new Set(documented)].sort());

    // Also what Express really routes (catches an endpoint hidden from the OpenAPI document), docs UI aside.
    const express = t.app.getHttpAdapter().getInstance();
    const layers: { route?: { path: string; methods: Record<string, boolean> } }[] = (
      express.router ?? express._router
    ).stack;
    const routed = layers
      .filter((l) => l.route && l.route.path.startsWith('/api/') && !/^\/api\/docs/.test(l.route.path))
      .flatMap((l) =>
        Object.keys(l.route!.methods).map(
          (m) => `${m.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`,
        ),
      );
    expect([...new Set(routed)].sort()).toEqual([...inTable].sort());
  });

  it.each(rows.map((r) => [`${r.method.toUpperCase()} ${r.path} — ${r.what}`, r] as const))(
    '%s',
    async (_name, row) => {
      const actual = {} as Expect;
      for (const actor of actors) {
        const res = await send(row, actor);
        actual[actor] = res.status;
        if (res.status >= 400) {
          // A clear message, never a stack trace.
          expect(res.body).toEqual({ code: expect.any(String), message: expect.any(String) });
          expect(JSON.stringify(res.body)).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+/);
        }
      }
      expect(actual).toEqual(row.expect);
    },
  );

  it('answers 401 to anonymous callers on every endpoint except sign-in, health and the guest links', () => {
    const open = rows
      .filter((r) => r.expect.anonymous !== 401)
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect([...new Set(open)].sort()).toEqual(
      [
        'GET /api/health',
        'POST /api/auth/login',
        'POST /api/auth/logout',
        'POST /api/auth/refresh',
        'POST /api/guest/preview',
        'POST /api/guest/join',
      ].sort(),
    );
  });
});
