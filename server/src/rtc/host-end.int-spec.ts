/**
 * Ending a meeting for all: the browser drops its connection as soon as `room.ended` arrives, so the
 * host's `host.end` must be acknowledged before the room closes — else the host sees "no answer from the
 * server" although the meeting ended. Real sockets, real SFU, real PostgreSQL.
 */
import { demoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit } from '../test-support/rtc-client';

let t: TestApp;
let kit: RtcKit;

beforeAll(async () => {
  t = await startTestApp({ listen: true });
  kit = new RtcKit(t.baseUrl);
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

it('the host’s end-for-all is answered before the room ends, for a client that leaves on room.ended', async () => {
  const sec = await t.login('secretary1');
  const mem = await t.login('member1');
  const res = await t
    .http()
    .post(`/api/org-units/${(await demoUnits(t.ds)).branchA}/meetings/live`)
    .set(sec.auth)
    .send({});
  expect(res.status).toBe(201);
  const meetingId = res.body.id as string;
  const host = await kit.client(sec.session.accessToken);
  const member = await kit.client(mem.session.accessToken);
  await host.join(meetingId);
  await member.join(meetingId);
  // As the browser does: on room.ended the connection is closed at once.
  host.socket.on('room.ended', () => host.socket.disconnect());
  const memberEnded = member.next('room.ended');
  expect(await host.raw('host.end', {})).toEqual({ ok: true, data: null });
  expect(await memberEnded).toBeTruthy();
  const meeting = await t.http().get(`/api/meetings/${meetingId}`).set(sec.auth).expect(200);
  expect(meeting.body).toMatchObject({ status: 'ended' });
});
