/**
 * Live writing and votes over `/rtc` on the whole app (real PostgreSQL, a real mediasoup worker; werift peers
 * whose receive transports connect so they are really in the room). Yjs documents on the clients sync with the
 * server's: two writers typing at the same place at the same time both keep their text, on every client and in
 * the database; a reader's update is refused by the server; votes count only members with voting rights who
 * are in the room, and the result lands in the resolutions.
 */
import type { AuditEvent, Minutes, MinutesVote } from '@branchmeet/shared';
import { demoUnits, userIdByPhone } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { MinutesTestClient } from '../test-support/minutes-client';
import { RtcKit, type RtcTestClient } from '../test-support/rtc-client';
import { waitFor } from '../test-support/werift';
import { contentText } from './minutes-doc.service';
import { docFromState, readSections, resolutionsOf } from './minutes-doc';

let t: TestApp;
let kit: RtcKit;
let branchA: string;
let groupA: string;
const logins = {
  host: 'secretary1', // 李红梅, the branch secretary, hosts
  recorder: 'member1', // 刘洋, a member of 第一党小组, records
  reader: '13800000015', // 杨帆, a member of the group
  probationary: '13800000017', // 黄丽, 预备党员 of the group
  observer: '13800000016', // 赵磊, of the branch, not of the group: 列席
  committee: 'committee',
} as const;
type Who = keyof typeof logins;
const tokens = {} as Record<Who, string>;
const auth = (who: Who) => ({ Authorization: `Bearer ${tokens[who]}` });
let meetingId = '';

beforeAll(async () => {
  t = await startTestApp({ listen: true });
  kit = new RtcKit(t.baseUrl);
  ({ branchA, groupA } = await demoUnits(t.ds));
  for (const [who, login] of Object.entries(logins) as [Who, string][])
    tokens[who] = (await t.login(login)).session.accessToken;
  const res = await t
    .http()
    .post(`/api/org-units/${branchA}/meetings`)
    .set(auth('host'))
    .send({
      type: 'group_meeting',
      groupId: groupA,
      start: new Date(Date.now() + 60_000).toISOString(),
      recorderId: await userIdByPhone(t.ds, '13800000013'),
      agenda: ['学习党章', '讨论发展对象'],
      observerIds: [await userIdByPhone(t.ds, '13800000016')],
    });
  expect(res.status).toBe(201);
  meetingId = (res.body as { id: string }).id;
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

/** Seated in the room with a connected receive transport, and the minutes open. */
async function enter(who: Who): Promise<{ c: RtcTestClient; m: MinutesTestClient }> {
  const c = await kit.client(tokens[who]);
  const joined = await c.join(meetingId);
  await kit.connectRecv(c, joined);
  const m = new MinutesTestClient(c, meetingId);
  await m.open();
  return { c, m };
}

let host: { c: RtcTestClient; m: MinutesTestClient };
let recorder: { c: RtcTestClient; m: MinutesTestClient };
let reader: { c: RtcTestClient; m: MinutesTestClient };

it('opens with one section per agenda item; the recorder and the host write, a member reads', async () => {
  host = await enter('host');
  recorder = await enter('recorder');
  reader = await enter('reader');
  expect(readSections(host.m.doc).map((s) => s.title)).toEqual(['学习党章', '讨论发展对象']);
  expect(host.m.opened).toMatchObject({ writer: true, host: true, status: 'draft' });
  expect(recorder.m.opened).toMatchObject({ writer: true, host: false, voter: true });
  expect(reader.m.opened).toMatchObject({ writer: false, host: false, voter: true });

  recorder.m.insert(0, 0, '会议开始，');
  await recorder.m.settled();
  await reader.m.waitText(0, (s) => s === '会议开始，', 'the reader sees the recorder type');
  await host.m.waitText(0, (s) => s === '会议开始，', 'the host sees the recorder type');
});

it('keeps both texts when two writers insert at the same place at the same time', async () => {
  // Both hold their edits and send them at once, each made without having seen the other's.
  const at = recorder.m.sectionText(0).length;
  expect(host.m.sectionText(0).length).toBe(at);
  recorder.m.hold();
  host.m.hold();
  recorder.m.insert(0, at, '刘洋记录：同志们逐条学习了党章。');
  host.m.insert(0, at, '李红梅补充：要结合实际。');
  recorder.m.release();
  host.m.release();
  await Promise.all([recorder.m.settled(), host.m.settled()]);
  expect([...recorder.m.sent, ...host.m.sent].every((r) => r === 'ok')).toBe(true);

  const both = (s: string) =>
    s.includes('刘洋记录：同志们逐条学习了党章。') && s.includes('李红梅补充：要结合实际。');
  for (const [name, client] of [
    ['recorder', recorder],
    ['host', host],
    ['reader', reader],
  ] as const)
    await client.m.waitText(0, both, `both texts on the ${name}'s client`);
  // Every client converged on the same text, neither insertion split the other.
  const text = recorder.m.sectionText(0);
  expect(host.m.sectionText(0)).toBe(text);
  expect(reader.m.sectionText(0)).toBe(text);
  expect(text.startsWith('会议开始，')).toBe(true);

  // In the database: the stored state plus the stored updates hold both texts (before any flush)...
  const [row] = await t.ds.query(`SELECT ydoc FROM minutes WHERE meeting_id = $1`, [meetingId]);
  const updates: { update: Buffer }[] = await t.ds.query(
    `SELECT "update" FROM minutes_update WHERE meeting_id = $1 ORDER BY id`,
    [meetingId],
  );
  const stored = docFromState(
    row.ydoc,
    updates.map((u) => u.update),
  );
  expect(readSections(stored)[0].text).toBe(text);
  // ...and the derived plain text follows once flushed (within about a second of the last edit).
  let content = '';
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !both(content)) {
    [{ content_text: content }] = await t.ds.query(`SELECT content_text FROM minutes WHERE meeting_id = $1`, [
      meetingId,
    ]);
    if (!both(content)) await new Promise((r) => setTimeout(r, 100));
  }
  expect(content).toContain(text);
  expect(content).toBe(contentText(stored));
});

it('refuses the updates of a reader: the server keeps its text', async () => {
  const before = host.m.sectionText(1);
  reader.m.insert(1, 0, '未经授权的修改');
  await reader.m.settled();
  expect(reader.m.sent.at(-1)).toBe('forbidden');
  // Nobody else got it, and the server's document does not have it.
  recorder.m.insert(1, 0, '讨论了发展对象的培养情况。');
  await recorder.m.settled();
  await host.m.waitText(1, (s) => s.includes('讨论了发展对象的培养情况。'), 'the recorder’s later edit');
  expect(host.m.sectionText(1)).not.toContain('未经授权的修改');
  const fresh = new MinutesTestClient(await kit.client(tokens.committee), meetingId);
  await fresh.open();
  expect(fresh.sectionText(1)).toBe(`讨论了发展对象的培养情况。${before}`);
  expect(fresh.opened?.writer).toBe(false);

  // A malformed update is refused too (the schema: base64; the server: a Yjs update it can apply).
  const bad = await recorder.c.raw('minutes.update', { meetingId, update: '@@not-base64@@' });
  expect(bad.ok).toBe(false);
  const garbage = await recorder.c.raw('minutes.update', {
    meetingId,
    update: Buffer.from('garbage!').toString('base64'),
  });
  expect(garbage).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
});

it('counts the votes of voting members in the room, once each, and writes the result into the resolutions', async () => {
  const probationary = await enter('probationary');
  const observer = await enter('observer');
  // Only the host opens a vote.
  const notHost = await recorder.c.raw('vote.open', {
    meetingId,
    agendaIndex: 1,
    subject: '同意列为发展对象',
  });
  expect(notHost).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  const vote = (await host.c.call('vote.open', {
    meetingId,
    agendaIndex: 1,
    subject: '同意王某某列为发展对象',
  })) as MinutesVote;
  // 应到 voting members: the group's full members (刘洋, 陈静, 杨帆), not 黄丽 (预备党员) nor 赵磊 (列席).
  expect(vote).toMatchObject({ status: 'open', expectedVoters: 3, cast: 0, yes: null });
  await waitFor('the vote reaches the readers', () =>
    reader.c.seen('vote.updated').some((v) => v.id === vote.id && v.status === 'open'),
  );
  const second = await host.c.raw('vote.open', { meetingId, agendaIndex: 0, subject: '另一项' });
  expect(second).toMatchObject({ ok: false, error: { code: 'conflict' } });

  const cast = (c: RtcTestClient, choice: 'yes' | 'no' | 'abstain') =>
    c.raw('vote.cast', { meetingId, voteId: vote.id, choice });
  expect(await cast(recorder.c, 'yes')).toMatchObject({ ok: true, data: { cast: 1, yes: null } });
  expect(await cast(reader.c, 'no')).toMatchObject({ ok: true, data: { cast: 2 } });
  expect(await cast(reader.c, 'yes')).toMatchObject({ ok: false, error: { code: 'conflict' } });
  expect(await cast(probationary.c, 'yes')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  expect(await cast(observer.c, 'yes')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  // The host (not of the group) has no vote in a group meeting either.
  expect(await cast(host.c, 'yes')).toMatchObject({ ok: false, error: { code: 'forbidden' } });

  const closed = (await host.c.call('vote.close', { meetingId, voteId: vote.id })) as MinutesVote;
  // 实到 voting members: 刘洋 and 杨帆 are in the room (陈静 is not).
  expect(closed).toMatchObject({
    status: 'closed',
    expectedVoters: 3,
    presentVoters: 2,
    yes: 1,
    no: 1,
    abstain: 0,
    passed: false,
  });
  expect(await cast(recorder.c, 'no')).toMatchObject({ ok: false, error: { code: 'conflict' } });
  const line =
    '表决：同意王某某列为发展对象（议题2：讨论发展对象）。应到有表决权党员 3 人，实到 2 人；同意 1 票，不同意 1 票，弃权 0 票；未通过。';
  await waitFor('the result in every reader’s resolutions', () =>
    [host, recorder, reader].every((x) => x.m.resolutions().includes(line)),
  );

  const minutes = (await t.http().get(`/api/meetings/${meetingId}/minutes`).set(auth('reader')))
    .body as Minutes;
  expect(minutes.votes).toEqual([closed]);
  expect(minutes.resolutions).toContain(line);
  const events = (
    await t
      .http()
      .get('/api/audit/events')
      .set((await t.login('admin')).auth)
      .query({ unitId: branchA })
  ).body as AuditEvent[];
  const actions = events.filter((e) => e.entityId === vote.id).map((e) => e.action);
  expect(actions.sort()).toEqual(
    ['minutes.vote_cast', 'minutes.vote_cast', 'minutes.vote_close', 'minutes.vote_open'].sort(),
  );
  const stored = docFromState(
    (await t.ds.query(`SELECT ydoc FROM minutes WHERE meeting_id = $1`, [meetingId]))[0].ydoc,
    (
      await t.ds.query(`SELECT "update" FROM minutes_update WHERE meeting_id = $1 ORDER BY id`, [meetingId])
    ).map((u: { update: Buffer }) => u.update),
  );
  expect(resolutionsOf(stored).toString()).toContain(line);
});

it('a secret vote (无记名) keeps that each member voted, never what: not in the ballots, not in the audit', async () => {
  const vote = (await host.c.call('vote.open', {
    meetingId,
    agendaIndex: null,
    subject: '无记名表决',
    secret: true,
  })) as MinutesVote;
  expect(vote).toMatchObject({ status: 'open', secret: true, cast: 0 });
  expect(await recorder.c.raw('vote.cast', { meetingId, voteId: vote.id, choice: 'no' })).toMatchObject({
    ok: true,
    data: { cast: 1, yes: null },
  });
  expect(await reader.c.raw('vote.cast', { meetingId, voteId: vote.id, choice: 'yes' })).toMatchObject({
    ok: true,
    data: { cast: 2 },
  });
  expect(await reader.c.raw('vote.cast', { meetingId, voteId: vote.id, choice: 'no' })).toMatchObject({
    ok: false,
    error: { code: 'conflict' },
  });
  const closed = (await host.c.call('vote.close', { meetingId, voteId: vote.id })) as MinutesVote;
  expect(closed).toMatchObject({ status: 'closed', secret: true, yes: 1, no: 1, abstain: 0, passed: false });

  // The database knows who voted, not what.
  const ballots: { user_id: string; choice: string | null }[] = await t.ds.query(
    'SELECT user_id, choice FROM minutes_ballot WHERE vote_id = $1',
    [vote.id],
  );
  expect(ballots).toHaveLength(2);
  expect(ballots.map((b) => b.choice)).toEqual([null, null]);
  const audit: { action: string; after: string }[] = await t.ds.query(
    `SELECT action, after::text AS after FROM audit_event WHERE entity_id = $1 ORDER BY id`,
    [vote.id],
  );
  const casts = audit.filter((a) => a.action === 'minutes.vote_cast');
  expect(casts).toHaveLength(2);
  for (const c of casts) expect(c.after).not.toMatch(/choice|"yes"|"no"|"abstain"/);
  // Reopening the minutes, a voter sees that they voted, not a choice the server cannot know.
  const reopened = await recorder.c.call('minutes.open', { meetingId });
  expect(reopened.myVotes[vote.id]).toBe('cast');
});

it('refuses a vote from a voting member who is not in the room', async () => {
  const outside = await kit.client(tokens.recorder); // a second socket of 刘洋: same user is in the room...
  const m = new MinutesTestClient(outside, meetingId);
  await m.open();
  await recorder.c.call('room.leave', {}); // ...until the seated socket leaves.
  const vote = (await host.c.call('vote.open', {
    meetingId,
    agendaIndex: 0,
    subject: '通过学习计划',
  })) as MinutesVote;
  const res = await outside.raw('vote.cast', { meetingId, voteId: vote.id, choice: 'yes' });
  expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  await host.c.call('vote.close', { meetingId, voteId: vote.id });
});

it('keeps the minutes from being submitted while a vote is open; the host closes it after the meeting', async () => {
  const vote = (await host.c.call('vote.open', {
    meetingId,
    agendaIndex: 0,
    subject: '会后才结束的表决',
  })) as MinutesVote;
  expect(await reader.c.raw('vote.cast', { meetingId, voteId: vote.id, choice: 'abstain' })).toMatchObject({
    ok: true,
  });
  await host.c.call('host.end', {});
  const early = await t.http().post(`/api/meetings/${meetingId}/minutes/submit`).set(auth('host'));
  expect(early.status).toBe(409);
  expect(await reader.c.raw('vote.close', { meetingId, voteId: vote.id })).toMatchObject({
    ok: false,
    error: { code: 'forbidden' },
  });
  const closed = (await host.c.call('vote.close', { meetingId, voteId: vote.id })) as MinutesVote;
  // After the meeting nobody is in the room: 实到 is who voted.
  expect(closed).toMatchObject({ status: 'closed', presentVoters: 1, abstain: 1 });
  const submitted = await t.http().post(`/api/meetings/${meetingId}/minutes/submit`).set(auth('host'));
  expect(submitted.status).toBe(200);
  expect((submitted.body as Minutes).resolutions).toContain('表决：会后才结束的表决');
});
