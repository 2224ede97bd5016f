/**
 * A node killed while it records a lecture: two real server processes share one recordings directory (as
 * docker-compose's nodes share their volume). The lecture's owner records for a few seconds and is killed with
 * SIGKILL, its ffmpeg with it (as a container takes its children along); the other node's reaper closes the run as
 * `crash` and recovers the part from the file ffmpeg left — the seconds recorded are a stored, playable recording
 * of the meeting, not lost.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordingList, RoomJoined } from '@branchmeet/shared';
import { run } from '../recordings/recorder';
import { publishAv, type AvBot } from '../test-support/av-bot';
import { demoUnits } from '../test-support/fixtures';
import { RtcKit, RtcTestClient, type Joined } from '../test-support/rtc-client';
import { sleep } from '../test-support/werift';
import { eventually } from './redis-test-support';
import { startCluster, type TestCluster } from './test-support/cluster-nodes';

jest.setTimeout(240_000);

let cluster: TestCluster;
let dir: string;
let token = '';
const kits: RtcKit[] = [];
let bot: AvBot | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bm-rec-crash-'));
  cluster = await startCluster(2, {
    RECORDINGS_DIR: dir,
    CLUSTER_NODE_TTL_SECONDS: '3',
    PRESENCE_HEARTBEAT_SECONDS: '1',
  });
  const res = await fetch(`${cluster.nodes[0].url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'secretary1', password: 'Demo@2026' }),
  });
  token = ((await res.json()) as { accessToken: string }).accessToken;
}, 200_000);

afterAll(async () => {
  await bot?.close().catch(() => undefined);
  for (const k of kits) await k.close();
  await cluster?.close();
  await rm(dir, { recursive: true, force: true });
});

const api = (url: string, path: string, init: RequestInit = {}) =>
  fetch(`${url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', Authorization: `Bearer ${token}`, ...init.headers },
  });

it('the part recorded before the node died is recovered from its file by the other node', async () => {
  const { branchA } = await demoUnits(cluster.ds);
  const created = await api(cluster.nodes[0].url, `/api/org-units/${branchA}/meetings`, {
    method: 'POST',
    body: JSON.stringify({
      type: 'lecture',
      start: new Date(Date.now() + 60_000).toISOString(),
      title: '党课：录制中节点故障',
      settings: { recordingAllowed: true },
    }),
  });
  expect(created.status).toBe(201);
  const meetingId = ((await created.json()) as { id: string }).id;

  // The host joins (following the redirect to the owner) and lectures with camera and microphone.
  let url = cluster.nodes[0].url;
  let host: RtcTestClient | undefined;
  let joined: Joined | undefined;
  for (let hops = 0; hops < 3 && !joined; hops++) {
    const kit = new RtcKit(url);
    kits.push(kit);
    host = await kit.client(token);
    const ack = await host.call('room.join', { meetingId });
    if (ack.status === 'joined') joined = ack as Joined;
    else url = (ack as Extract<RoomJoined, { status: 'redirect' }>).url;
  }
  if (!host || !joined) throw new Error('the host found no seat');
  const owner = cluster.nodes.find((n) => n.url === url);
  const other = cluster.nodes.find((n) => n !== owner);
  if (!owner || !other) throw new Error('no owner');
  bot = await publishAv(host, joined);

  const started = await api(owner.url, `/api/meetings/${meetingId}/recording`, {
    method: 'POST',
    body: JSON.stringify({ action: 'start' }),
  });
  expect(started.status).toBe(200);
  await sleep(8000);

  await cluster.kill(owner);
  // Its ffmpeg goes with it, as in a container (a bare process's child would outlive a kill -9).
  try {
    execFileSync('pkill', ['-KILL', '-f', dir]);
  } catch {
    // none left
  }
  const killedAt = Date.now();

  const runs = () =>
    cluster.ds.query(`SELECT node_id, end_reason, recording_id FROM recording_run WHERE meeting_id = $1`, [
      meetingId,
    ]) as Promise<{ node_id: string; end_reason: string | null; recording_id: string | null }[]>;
  await eventually(async () => (await runs())[0]?.recording_id != null, 60_000, 'the part recovered');
  const recoveredMs = Date.now() - killedAt;
  const [r] = await runs();
  expect(r).toMatchObject({ node_id: owner.id, end_reason: 'crash' });

  const list = (await (
    await api(other.url, `/api/meetings/${meetingId}/recordings`)
  ).json()) as RecordingList;
  expect(list.items).toHaveLength(1);
  const item = list.items[0];
  // About 8 s recorded; the last ~2 s (the cluster being written) may be lost, and the first frame takes a moment.
  expect(item.durationSeconds).toBeGreaterThan(3);
  expect(item.durationSeconds).toBeLessThan(12);
  const stored = (await cluster.ds.query(`SELECT storage_key FROM recording WHERE id = $1`, [item.id])) as {
    storage_key: string;
  }[];
  const probe = JSON.parse(
    await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', join(dir, stored[0].storage_key)]),
  ) as { streams: { codec_type: string }[] };
  expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
  const audit = (await cluster.ds.query(
    `SELECT after FROM audit_event WHERE action = 'recording.stop' AND entity_id = $1`,
    [item.id],
  )) as { after: { recovered?: boolean; reason: string } }[];
  expect(audit).toEqual([{ after: expect.objectContaining({ recovered: true, reason: 'crash' }) }]);
  console.log(
    `recording crash: ${item.durationSeconds} s of ~8 s recovered by ${other.id}, ${recoveredMs} ms after the kill`,
  );
});
