/**
 * A meeting's minutes (Yjs) written through several nodes: three real server processes on one database and one
 * Redis (a key prefix of this file's own). The host writes through the node that owns the meeting (the host's
 * room is there), the recorder through another node, each edit made after seeing the other's (so it depends on
 * it): none is refused, both see one document, also after a node folded the rows into the stored document.
 * Then the owner is killed (SIGKILL): a node that never held the document rebuilds it from PostgreSQL, and every
 * update acknowledged before the kill is in it; the host comes back through that node, writing goes on through
 * both, and both writers and the stored document end the same.
 */
import type { RoomJoined } from '@branchmeet/shared';
import { docFromState, readSections } from '../minutes/minutes-doc';
import { demoUnits, userIdByPhone } from '../test-support/fixtures';
import { MinutesTestClient } from '../test-support/minutes-client';
import { RtcKit, type RtcTestClient } from '../test-support/rtc-client';
import { waitFor } from '../test-support/werift';
import { eventually } from './redis-test-support';
import { startCluster, type ClusterNode, type TestCluster } from './test-support/cluster-nodes';

let cluster: TestCluster;
const kits = new Map<string, RtcKit>();
const logins = { host: 'secretary1', recorder: 'member1', reader: '13800000015' } as const;
type Who = keyof typeof logins;
const tokens = {} as Record<Who, string>;
let meetingId = '';

beforeAll(async () => {
  cluster = await startCluster(3, {
    CLUSTER_NODE_TTL_SECONDS: '1',
    CLUSTER_LEASE_TTL_SECONDS: '2',
    MEETING_EMPTY_END_SECONDS: '600',
  });
  const { branchA, groupA } = await demoUnits(cluster.ds);
  const via = cluster.nodes[0].url;
  for (const [who, login] of Object.entries(logins) as [Who, string][]) {
    const res = await fetch(`${via}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password: 'Demo@2026' }),
    });
    tokens[who] = ((await res.json()) as { accessToken: string }).accessToken;
  }
  // 刘洋 (member1, 13800000013) records; the branch secretary hosts.
  const res = await fetch(`${via}/api/org-units/${branchA}/meetings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', Authorization: `Bearer ${tokens.host}` },
    body: JSON.stringify({
      type: 'group_meeting',
      groupId: groupA,
      start: new Date(Date.now() + 60_000).toISOString(),
      recorderId: await userIdByPhone(cluster.ds, '13800000013'),
      agenda: ['学习党章'],
    }),
  });
  expect(res.status).toBe(201);
  meetingId = ((await res.json()) as { id: string }).id;
}, 180_000);

afterAll(async () => {
  for (const k of kits.values()) await k.close();
  await cluster?.close();
});

function kit(node: ClusterNode): RtcKit {
  let k = kits.get(node.url);
  if (!k) kits.set(node.url, (k = new RtcKit(node.url)));
  return k;
}

/** The host joins the meeting's room through `via`, following a redirect to the owner: the owner's node. */
async function hostJoins(via: ClusterNode): Promise<{ client: RtcTestClient; owner: ClusterNode }> {
  let node = via;
  for (let hops = 0; hops < 3; hops++) {
    const client = await kit(node).client(tokens.host);
    const ack = await client.raw('room.join', { meetingId });
    if (!ack.ok) throw new Error(`room.join: ${ack.error.code} ${ack.error.message}`);
    const answer: RoomJoined = ack.data;
    if (answer.status === 'joined') return { client, owner: node };
    if (answer.status !== 'redirect') throw new Error(`expected a seat, got ${answer.status}`);
    client.socket.disconnect();
    node = cluster.nodes.find((n) => n.url === answer.url) ?? via;
  }
  throw new Error('the join kept being redirected');
}

async function editor(who: Who, node: ClusterNode, client?: RtcTestClient): Promise<MinutesTestClient> {
  const m = new MinutesTestClient(client ?? (await kit(node).client(tokens[who])), meetingId);
  await m.open();
  return m;
}

/** The document as stored now (one statement, so one snapshot: the folded state and the rows after it). */
async function storedText(): Promise<string> {
  const [row]: { ydoc: Buffer; updates: Buffer[] | null }[] = await cluster.ds.query(
    `SELECT m.ydoc, (SELECT array_agg(u.update ORDER BY u.id) FROM minutes_update u
       WHERE u.meeting_id = m.meeting_id AND u.id > m.folded_update_id) AS updates
     FROM minutes m WHERE m.meeting_id = $1`,
    [meetingId],
  );
  return readSections(docFromState(row.ydoc, row.updates ?? []))[0].text;
}

/** Every update acknowledged as stored, by the token it appended. */
const acked: string[] = [];

async function write(m: MinutesTestClient, token: string): Promise<void> {
  const result = await m.append(0, token);
  expect(`${token}: ${result}`).toBe(`${token}: ok`);
  acked.push(token);
}

/** Each writes after seeing the other's last token: every edit depends on one stored through the other node. */
async function turns(a: MinutesTestClient, b: MinutesTestClient, label: string, rounds: number) {
  for (let i = 0; i < rounds; i++) {
    const ta = `<${label}a${i}>`;
    await write(a, ta);
    await b.waitText(0, (s) => s.includes(ta), `${ta} at the other writer`);
    const tb = `<${label}b${i}>`;
    await write(b, tb);
    await a.waitText(0, (s) => s.includes(tb), `${tb} at the other writer`);
  }
}

const holdsAll = (text: string) => acked.every((token) => text.includes(token));

let host: MinutesTestClient;
let recorder: MinutesTestClient;
let owner: ClusterNode;
let other: ClusterNode;
let fresh: ClusterNode;

test('two writers through two nodes write one document: nothing refused, nothing lost, also across a fold', async () => {
  const joined = await hostJoins(cluster.nodes[0]);
  owner = joined.owner;
  [other, fresh] = cluster.nodes.filter((n) => n !== owner);
  host = await editor('host', owner, joined.client);
  recorder = await editor('recorder', other);
  expect(host.opened).toMatchObject({ writer: true, host: true });
  expect(recorder.opened).toMatchObject({ writer: true, host: false });

  await turns(host, recorder, 'x', 6);
  // Both at once, as fast as each is acknowledged.
  await Promise.all(
    (['host', 'recorder'] as const).map(async (who) => {
      for (let i = 0; i < 8; i++) await write(who === 'host' ? host : recorder, `<y${who[0]}${i}>`);
    }),
  );
  // A node folds the rows into the stored document about a second after its last change; the plain text shows it.
  await eventually(
    async () => {
      const [row]: { content_text: string; folded: string }[] = await cluster.ds.query(
        `SELECT content_text, folded_update_id::text AS folded FROM minutes WHERE meeting_id = $1`,
        [meetingId],
      );
      return holdsAll(row.content_text) && Number(row.folded) > 0;
    },
    20_000,
    'the rows folded into the stored document',
  );
  // After the fold, each node's copy must take it in before the next change.
  await turns(recorder, host, 'z', 4);
  await waitFor('both writers hold every update', () => holdsAll(host.sectionText(0)), 10_000);
  await waitFor('both writers hold every update', () => holdsAll(recorder.sectionText(0)), 10_000);
  expect(host.sectionText(0)).toBe(recorder.sectionText(0));
  expect(await storedText()).toBe(host.sectionText(0));
  expect([...host.sent, ...recorder.sent].filter((r) => r !== 'ok')).toEqual([]);
});

test('the owner killed: every acknowledged update is in the document another node rebuilds, and both converge', async () => {
  expect(owner).toBeDefined();
  await turns(host, recorder, 'k', 3);
  // One more from the host, in flight as its node dies: not acknowledged, maybe stored.
  const inFlight = '<in-flight>';
  void host.append(0, inFlight);
  await cluster.kill(owner);
  const beforeKill = [...acked];
  let at = Date.now();

  // A reader opening through a node that never held the document: it is rebuilt from what is stored.
  const reader = await editor('reader', fresh);
  const rebuildMs = Date.now() - at;
  expect(reader.opened).toMatchObject({ writer: false });
  const rebuilt = reader.sectionText(0);
  expect(beforeKill.filter((token) => !rebuilt.includes(token))).toEqual([]);
  expect(holdsAll(await storedText())).toBe(true);

  // Writing goes on through the node still up, with no wait for the dead owner.
  at = Date.now();
  await write(recorder, '<after-kill-recorder>');
  console.log(
    `after the kill: opened through a node that rebuilt the document in ${rebuildMs} ms; ` +
      `the recorder's next write acknowledged in ${Date.now() - at} ms`,
  );
  // The host comes back through the fresh node: its sync step sends what the server lacks (the edit in flight).
  await host.reconnect(await kit(fresh).client(tokens.host));
  await write(host, '<after-kill-host>');
  for (const [name, m] of [
    ['host', host],
    ['recorder', recorder],
    ['reader', reader],
  ] as const)
    await waitFor(
      `every update at the ${name}`,
      () => holdsAll(m.sectionText(0)) && m.sectionText(0).includes(inFlight),
      10_000,
    );
  const text = host.sectionText(0);
  expect(recorder.sectionText(0)).toBe(text);
  expect(reader.sectionText(0)).toBe(text);
  await eventually(
    async () => (await storedText()) === text,
    10_000,
    'the stored document as the writers see it',
  );
  // Each token once: nothing applied twice by the rebuild or the resend.
  for (const token of [...acked, inFlight]) expect(text.split(token).length - 1).toBe(1);
});
