/**
 * Host, recorder and lecturer: chosen from the branch's roster when scheduling and editing, and
 * changeable after the meeting until its minutes are submitted — an absent recorder can be replaced, so that
 * returned minutes can be fixed. Real sockets, real PostgreSQL.
 */
import type { Meeting } from '@branchmeet/shared';
import { demoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit } from '../test-support/rtc-client';

let t: TestApp;
let kit: RtcKit;

beforeAll(async () => {
  t = await startTestApp({ listen: true, env: { MEETING_REMINDER_TICK_SECONDS: '3600' } });
  kit = new RtcKit(t.baseUrl);
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

it('roles set when scheduling; after the meeting only they change, and only until the minutes are submitted', async () => {
  const sec = await t.login('secretary1');
  const m1 = await t.login('member1');
  const m2 = await t.login('13800000015'); // 杨帆, a member of the branch
  const committee = await t.login('committee');
  const branch = (await demoUnits(t.ds)).branchA;
  // The other branch's secretary: not on this branch's roster.
  const outsider = (await t.login('secretary2')).session.me.user.id;
  const scheduled = await t
    .http()
    .post(`/api/org-units/${branch}/meetings`)
    .set(sec.auth)
    .send({
      type: 'lecture',
      start: new Date(Date.now() + 5 * 60_000).toISOString(),
      recorderId: m1.session.me.user.id,
      lecturerId: m2.session.me.user.id,
    });
  expect(scheduled.status).toBe(201);
  const meeting = scheduled.body as Meeting;
  expect(meeting).toMatchObject({ recorderId: m1.session.me.user.id, lecturerId: m2.session.me.user.id });
  // Someone from outside the branch is refused.
  const bad = await t
    .http()
    .patch(`/api/meetings/${meeting.id}`)
    .set(sec.auth)
    .send({ recorderId: outsider });
  expect(bad.status).toBe(400);

  const host = await kit.client(sec.session.accessToken);
  await host.join(meeting.id);
  await host.call('host.end', {});
  const patch = (body: object) => t.http().patch(`/api/meetings/${meeting.id}`).set(sec.auth).send(body);

  // Ended: the recorder is replaced (member1 was absent); the title is no longer editable.
  const replaced = await patch({ recorderId: m2.session.me.user.id });
  expect(replaced.status).toBe(200);
  expect(replaced.body).toMatchObject({ recorderId: m2.session.me.user.id });
  expect((await patch({ title: '改个名字' })).status).toBe(409);
  // The new recorder writes and submits the minutes; then the roles are frozen.
  const minutes = await t.http().get(`/api/meetings/${meeting.id}/minutes`).set(m2.auth).expect(200);
  expect(minutes.body.can.submit).toBe(true);
  await t.http().post(`/api/meetings/${meeting.id}/minutes/submit`).set(m2.auth).expect(200);
  expect((await patch({ recorderId: m1.session.me.user.id })).status).toBe(409);
  // Returned: changeable again.
  await t
    .http()
    .post(`/api/meetings/${meeting.id}/minutes/return`)
    .set(committee.auth)
    .send({ reason: '记录人签名缺失' })
    .expect(200);
  expect((await patch({ recorderId: m1.session.me.user.id })).status).toBe(200);
}, 60_000);
