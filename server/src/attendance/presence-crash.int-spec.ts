/**
 * Crash recovery of presence: the server runs as a process of its own (from the sources, transpile-only), two
 * members are in a meeting with connected receive transports, and the process is SIGKILLed. Their segments are
 * left open in the database with a recent heartbeat; the server restarted with the same NODE_ID closes every one
 * of them at start-up, at its last heartbeat ('crash'): nobody lost, nobody present forever, nothing duplicated.
 * The meeting itself, left live with no room and nobody back within MEETING_EMPTY_END_SECONDS, is ended by the
 * reaper at its last heartbeat and its attendance computed and stored. (Another node's reaper closing a dead
 * node's segments, and a member back in time keeping the meeting, are in cluster/several-nodes.int-spec.ts.)
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LoginResponse, MeetingAttendance } from '@branchmeet/shared';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../test-support/test-database';
import { RtcKit } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';

const HEARTBEAT_S = 0.5;
const EMPTY_END_S = 2;
const serverDir = join(__dirname, '../..');
let db: TestDatabase;
const children: ChildProcess[] = [];
let pg: Client;
let kit: RtcKit | undefined;

/** Starts the server on the test database; resolves with its base URL once /api/health answers. */
async function startServer(
  seed: boolean,
): Promise<{ child: ChildProcess; baseUrl: string; log: () => string }> {
  const port = 20000 + Math.floor(Math.random() * 10000);
  let output = '';
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: serverDir,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: seed ? 'true' : 'false',
      JWT_SECRET: 'crash-test-secret-0123456789-0123456789',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      CLIENT_DIST: '/nonexistent',
      MEDIA_WORKERS: '1',
      MEDIA_RTC_PORT_BASE: String(61000 + Math.floor(Math.random() * 450) * 10),
      MEDIA_LISTEN_IP: '127.0.0.1',
      MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
      TURN_URLS: '',
      PRESENCE_HEARTBEAT_SECONDS: String(HEARTBEAT_S),
      MEETING_EMPTY_END_SECONDS: String(EMPTY_END_S),
      NODE_ID: 'crash-test-node',
      RTC_RECONNECT_GRACE_SECONDS: '60',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the server did not come up:\n${output}`);
    const ok = await fetch(`${baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, baseUrl, log: () => output };
    await sleep(200);
  }
}

async function login(baseUrl: string, name: string): Promise<LoginResponse> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: name, password: 'Demo@2026' }),
  });
  if (!res.ok) throw new Error(`login ${name}: ${res.status}`);
  return (await res.json()) as LoginResponse;
}

interface SegmentRow {
  id: string;
  user_id: string;
  opened_at: Date;
  closed_at: Date | null;
  last_heartbeat_at: Date;
  close_reason: string | null;
}
const segments = async (meetingId: string) =>
  (
    await pg.query<SegmentRow>('SELECT * FROM presence_segment WHERE meeting_id = $1 ORDER BY id', [
      meetingId,
    ])
  ).rows;

beforeAll(async () => {
  db = await createTestDatabase();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
});

afterAll(async () => {
  await kit?.close();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await pg?.end();
  await db?.drop();
});

it('after a SIGKILL and a restart, every open segment is closed at its last heartbeat', async () => {
  const first = await startServer(true);
  const host = await login(first.baseUrl, 'secretary1');
  const member = await login(first.baseUrl, 'member1');
  const branch = host.me.memberships.find((m) => m.unitType === 'branch' && m.role === 'secretary');
  const opened = await fetch(`${first.baseUrl}/api/org-units/${branch?.unitId}/meetings/live`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', Authorization: `Bearer ${host.accessToken}` },
    body: JSON.stringify({ title: '断电演练' }),
  });
  expect(opened.status).toBe(201);
  const meetingId = ((await opened.json()) as { id: string }).id;

  kit = new RtcKit(first.baseUrl);
  for (const session of [host, member]) {
    const c = await kit.client(session.accessToken);
    await kit.connectRecv(c, await c.join(meetingId));
  }
  let open: SegmentRow[] = [];
  const until = Date.now() + 8000;
  while ((open = await segments(meetingId)).length < 2 && Date.now() < until) await sleep(100);
  expect(open).toHaveLength(2);
  // Heartbeats run: after a few intervals each open segment's last heartbeat has moved on from its opening.
  await sleep(2000);
  const beforeKill = await segments(meetingId);
  for (const s of beforeKill) {
    expect(s.closed_at).toBeNull();
    expect(s.last_heartbeat_at.getTime() - s.opened_at.getTime()).toBeGreaterThan(1000);
  }

  const killedAt = Date.now();
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  await kit.close();
  kit = undefined;
  const dead = await segments(meetingId);
  for (const s of dead) {
    expect(s.closed_at).toBeNull(); // the killed process closed nothing
    expect(killedAt - s.last_heartbeat_at.getTime()).toBeLessThan(HEARTBEAT_S * 1000 + 500);
  }

  await sleep(1500); // the restart is clearly later than the last heartbeat
  const second = await startServer(false);
  const after = await segments(meetingId);
  expect(after.map((s) => s.id)).toEqual(dead.map((s) => s.id)); // nothing lost, nothing duplicated
  for (const s of after) {
    const was = dead.find((d) => d.id === s.id);
    expect(s.close_reason).toBe('crash');
    expect(s.closed_at?.getTime()).toBe(was?.last_heartbeat_at.getTime());
  }

  // Nobody came back: the reaper ends the meeting once it has had nobody for MEETING_EMPTY_END_SECONDS.
  const auth = { Authorization: `Bearer ${(await login(second.baseUrl, 'secretary1')).accessToken}` };
  let body: MeetingAttendance;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${second.baseUrl}/api/meetings/${meetingId}/attendance`, { headers: auth });
    expect(res.status).toBe(200);
    body = (await res.json()) as MeetingAttendance;
    if (body.status === 'ended' || Date.now() > deadline) break;
    await sleep(200);
  }
  for (const s of after) {
    const r = body.records.find((x) => x.userId === s.user_id);
    expect(r).toMatchObject({
      joinCount: 1,
      firstJoin: s.opened_at.toISOString(),
      lastLeave: s.closed_at?.toISOString(),
      totalSeconds: Math.round(((s.closed_at?.getTime() ?? 0) - s.opened_at.getTime()) / 1000),
    });
  }
  // The meeting the crash left live has no room now: it was ended at its last heartbeat, its records final.
  expect(body).toMatchObject({ status: 'ended', final: true });
  const lastHeartbeat = Math.max(...dead.map((s) => s.last_heartbeat_at.getTime()));
  expect(Date.parse(body.endedAt ?? '')).toBe(lastHeartbeat);
  const ends = (
    await pg.query<{ actor_id: string | null; after: { reason: string } }>(
      `SELECT actor_id, after FROM audit_event WHERE action = 'meeting.end' AND entity_id = $1`,
      [meetingId],
    )
  ).rows;
  expect(ends).toEqual([{ actor_id: null, after: expect.objectContaining({ reason: 'crash' }) }]);
  for (const s of after) {
    const r = body.records.find((x) => x.userId === s.user_id);
    expect(r?.status).toBe('present');
  }
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
}, 120_000);
