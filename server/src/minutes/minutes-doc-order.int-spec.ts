/**
 * One order of a meeting's minutes across nodes, on the document service itself: two or three copies of
 * MinutesDocService on one database, as separate nodes hold them (REDIS_URL set; none of this touches Redis:
 * PostgreSQL orders the changes). A change through one node is checked against what another stored, also after
 * that other node folded the rows away; a server-side edit through one is read by the others; a node that never
 * held the document rebuilds it from what is stored.
 */
import type { EntityManager } from 'typeorm';
import { SocketHub } from '../common/socket-hub';
import { demoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { appendParagraph, fromBase64, readSections, resolutionsOf, sectionsOf, textOf } from './minutes-doc';
import { MinutesDocService } from './minutes-doc.service';
import { MinutesRepository } from './minutes.repository';
import * as Y from './yjs';

let t: TestApp;
let meetingId = '';
/** The writer (an update row names its user). */
let user = '';

beforeAll(async () => {
  t = await startTestApp();
  const { branchA } = await demoUnits(t.ds);
  const { auth, session } = await t.login('secretary1');
  user = session.me.user.id;
  const res = await t
    .http()
    .post(`/api/org-units/${branchA}/meetings`)
    .set(auth)
    .send({
      type: 'branch_assembly',
      start: new Date(Date.now() + 3_600_000).toISOString(),
      agenda: ['议程'],
    });
  expect(res.status).toBe(201);
  meetingId = (res.body as { id: string }).id;
  // The first read makes the minutes and their sections.
  expect((await t.http().get(`/api/meetings/${meetingId}/minutes`).set(auth)).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

/** A node's copy of the document service (its own memory, the shared database). */
const node = () =>
  new MinutesDocService(t.ds, new MinutesRepository(t.ds), new SocketHub(), {
    REDIS_URL: 'redis://127.0.0.1:6379',
  });
const nobodyRefuses = async (_em: EntityManager) => undefined;

/** A writer's document: each edit appends to the first section and returns its update. */
function writer(state: string) {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, fromBase64(state));
  return {
    doc,
    append(text: string): Uint8Array {
      const updates: Uint8Array[] = [];
      const capture = (u: Uint8Array) => updates.push(u);
      doc.on('update', capture);
      const section = textOf(sectionsOf(doc).get(0));
      section.insert(section.length, text);
      doc.off('update', capture);
      return Y.mergeUpdates(updates);
    },
    text: () => readSections(doc)[0].text,
  };
}

const foldedUpTo = async () =>
  Number(
    (
      await t.ds.query(`SELECT folded_update_id::text AS f FROM minutes WHERE meeting_id = $1`, [meetingId])
    )[0].f,
  );

test('each node checks and applies a change against the whole stored document, also after another folded it', async () => {
  const [a, b] = [node(), node()];
  // Both hold a copy (a reader each) before anything is written.
  const w = writer((await a.sync(meetingId, 'reader-a')).update);
  await b.sync(meetingId, 'reader-b');

  await a.applyClientUpdate(meetingId, user, 'reader-a', w.append('一'), nobodyRefuses);
  // Built on what a stored: b's copy takes it in first, or the update would look incomplete and be refused.
  await b.applyClientUpdate(meetingId, user, 'reader-b', w.append('二'), nobodyRefuses);
  // b folds the rows (both of them) into the stored document: a's copy lacks one of them, now gone from the rows.
  await b.flush(meetingId);
  expect(await foldedUpTo()).toBeGreaterThan(0);
  await a.applyClientUpdate(meetingId, user, 'reader-a', w.append('三'), nobodyRefuses);
  // A server-side edit through b (a vote's result) reaches a's copy too.
  await b.edit(meetingId, (doc) => appendParagraph(resolutionsOf(doc), '决议一'));

  expect(w.text()).toBe('一二三');
  const seen = (n: MinutesDocService) =>
    n.read(meetingId, (doc) => ({
      text: readSections(doc)[0].text,
      resolutions: resolutionsOf(doc).toString(),
    }));
  const expected = { text: '一二三', resolutions: '决议一\n' };
  expect(await seen(a)).toEqual(expected);
  expect(await seen(b)).toEqual(expected);
  // A node that never held it rebuilds it from the stored document and the rows after its fold.
  expect(await seen(node())).toEqual(expected);

  // The last one out on each node folds what it has; whichever goes last, the stored text is the whole.
  await a.release(meetingId, 'reader-a');
  await b.release(meetingId, 'reader-b');
  const [row]: { content_text: string; resolutions_text: string }[] = await t.ds.query(
    `SELECT content_text, resolutions_text FROM minutes WHERE meeting_id = $1`,
    [meetingId],
  );
  expect(row.content_text).toContain('一二三');
  expect(row.resolutions_text).toBe('决议一\n');
  const left: unknown[] = await t.ds.query(`SELECT id FROM minutes_update WHERE meeting_id = $1`, [
    meetingId,
  ]);
  expect(left).toEqual([]);
});

test('changes through two nodes at once are all stored and folded, none refused', async () => {
  const [a, b] = [node(), node()];
  const wa = writer((await a.sync(meetingId, 'writer-a')).update);
  const wb = writer((await b.sync(meetingId, 'writer-b')).update);
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) => {
      const [n, w, socket] = i % 2 ? [b, wb, 'writer-b'] : [a, wa, 'writer-a'];
      return n.applyClientUpdate(meetingId, user, socket, w.append(`[${i}]`), nobodyRefuses);
    }),
  );
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  // a folds: its copy takes in b's rows first, so the rows it drops are all in the stored document.
  await a.flush(meetingId);
  const text = await node().read(meetingId, (doc) => readSections(doc)[0].text);
  for (let i = 0; i < 20; i++) expect(text).toContain(`[${i}]`);
  await a.release(meetingId, 'writer-a');
  await b.release(meetingId, 'writer-b');
});

it('a node stalled holding the minutes lock holds nobody for long: the others are told to retry, and PostgreSQL cuts it off', async () => {
  // The stalled node: its step's transaction took the row lock (as lockDocument does) and then nothing happens.
  const stalled = t.ds.createQueryRunner();
  await stalled.connect();
  await stalled.startTransaction();
  await new MinutesRepository(t.ds).lockDocument(stalled.manager, meetingId, 'write');

  const other = node();
  const asked = Date.now();
  await expect(other.sync(meetingId, 'reader-1')).rejects.toMatchObject({
    code: 'unavailable',
    messageKey: 'minutes.busy',
  });
  const waited = Date.now() - asked;
  expect(waited).toBeGreaterThanOrEqual(4500); // it waited for the lock (5 s) before giving up
  // The holder sat idle in its transaction: PostgreSQL ends its session (15 s), the lock goes with it, and the
  // other node reads again.
  const synced = await (async () => {
    for (const until = Date.now() + 25_000; Date.now() < until;) {
      try {
        return await other.sync(meetingId, 'reader-1');
      } catch (e) {
        if ((e as { messageKey?: string }).messageKey !== 'minutes.busy') throw e;
      }
    }
    throw new Error('the stalled holder was never cut off');
  })();
  expect(synced.update.length).toBeGreaterThan(0);
  await expect(stalled.query('SELECT 1')).rejects.toThrow();
  await stalled.release().catch(() => undefined);
  console.log(
    `minutes lock: a reader gave up after ${waited} ms; the stalled holder was cut off by PostgreSQL`,
  );
}, 60_000);
