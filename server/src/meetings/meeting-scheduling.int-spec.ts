/**
 * Scheduling of 三会一课 and leave requests (请假), on the whole app and a real PostgreSQL: a secretary schedules
 * with only a type and a time and the system fills in the rest from the roster; edits and cancellations are
 * audited; a scheduled meeting goes live when its host opens the room; an approved leave turns absent into
 * excused in the attendance.
 */
import type { AuditEvent, LeaveRequest, Meeting, MeetingAttendance } from '@branchmeet/shared';
import { demoUnits, userIdByPhone, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { RtcKit } from '../test-support/rtc-client';

let t: TestApp;
let u: DemoUnits;
let kit: RtcKit;
const auth: Record<string, { Authorization: string }> = {};
const tokens: Record<string, string> = {};
const id: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({ listen: true });
  u = await demoUnits(t.ds);
  kit = new RtcKit(t.baseUrl);
  for (const login of ['secretary1', 'secretary2', 'member1', 'member2', 'admin']) {
    const { auth: a, session } = await t.login(login);
    auth[login] = a;
    tokens[login] = session.accessToken;
    id[login] = session.me.user.id;
  }
  id.organizer = await userIdByPhone(t.ds, '13800000012'); // 张伟, 组织委员 of branch A
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

/** User ids of a unit's members, optionally only some posts. */
async function membersOf(unitId: string, roles?: string[]): Promise<string[]> {
  const rows: { user_id: string }[] = await t.ds.query(
    `SELECT user_id FROM membership WHERE unit_id = $1 AND ($2::text[] IS NULL OR role = ANY($2))`,
    [unitId, roles ?? null],
  );
  return rows.map((r) => r.user_id).sort();
}

const expectedOf = (m: Meeting) =>
  m.attendees
    .filter((a) => a.kind === 'expected')
    .map((a) => a.userId)
    .sort();

function schedule(body: object, who = 'secretary1', unitId = u.branchA) {
  return t.http().post(`/api/org-units/${unitId}/meetings`).set(auth[who]).send(body);
}

async function auditOf(entityId: string): Promise<AuditEvent[]> {
  const res = await t
    .http()
    .get('/api/audit/events')
    .set(auth.admin)
    .query({ unitId: u.branchA })
    .expect(200);
  return (res.body as AuditEvent[]).filter((e) => e.entityId === entityId);
}

describe('scheduling', () => {
  it('fills in everything from a type and a start time alone', async () => {
    const res = await schedule({ type: 'branch_assembly', start: '2026-12-10T06:00:00Z' }).expect(201);
    const m = res.body as Meeting;
    expect(m).toMatchObject({
      unitId: u.branchA,
      type: 'branch_assembly',
      status: 'scheduled',
      title: '2026年12月 支部党员大会',
      hostUserId: id.secretary1,
      recorderId: id.organizer,
      lecturerId: null,
      groupId: null,
      scheduledStart: '2026-12-10T06:00:00.000Z',
      scheduledEnd: '2026-12-10T07:00:00.000Z',
      agenda: [],
      settings: { waitingRoom: false, muteOnEntry: false, recordingAllowed: false },
      endedAt: null,
    });
    expect(expectedOf(m)).toEqual(await membersOf(u.branchA));
    expect(expectedOf(m)).toHaveLength(9);
    // The same meeting comes back from GET, and in the calendar of its month (not in the next one).
    const got = await t.http().get(`/api/meetings/${m.id}`).set(auth.member1).expect(200);
    expect(got.body).toEqual(m);
    const dec = await t
      .http()
      .get(`/api/org-units/${u.branchA}/meetings`)
      .set(auth.member1)
      .query({ from: '2026-12-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00' })
      .expect(200);
    expect((dec.body as Meeting[]).map((x) => x.id)).toContain(m.id);
    const jan = await t
      .http()
      .get(`/api/org-units/${u.branchA}/meetings`)
      .set(auth.member1)
      .query({ from: '2027-01-01T00:00:00+08:00', to: '2027-02-01T00:00:00+08:00' })
      .expect(200);
    expect((jan.body as Meeting[]).map((x) => x.id)).not.toContain(m.id);
    const [event] = await auditOf(m.id);
    expect(event).toMatchObject({ action: 'meeting.schedule', actorId: id.secretary1 });
  });

  it('expects the party group at a group meeting and the committee at a committee meeting', async () => {
    const group = (
      await schedule({ type: 'group_meeting', start: '2026-12-15T02:00:00Z', groupId: u.groupA }).expect(201)
    ).body as Meeting;
    expect(group.title).toBe('2026年12月 第一党小组党小组会');
    expect(group.groupId).toBe(u.groupA);
    expect(expectedOf(group)).toEqual(await membersOf(u.groupA));
    expect(expectedOf(group)).toHaveLength(4);

    const committee = (
      await schedule({ type: 'committee_meeting', start: '2026-12-16T02:00:00Z' }).expect(201)
    ).body as Meeting;
    expect(committee.title).toBe('2026年12月 支委会');
    const committeeIds = await membersOf(u.branchA, [
      'secretary',
      'deputy_secretary',
      'organizer',
      'committee_member',
    ]);
    expect(expectedOf(committee)).toEqual(committeeIds);
    expect(committeeIds).toEqual(
      [id.secretary1, id.organizer, await userIdByPhone(t.ds, '13800000014')].sort(),
    );
  });

  it('refuses a group meeting without its group, and a group of another branch', async () => {
    const res = await schedule({ type: 'group_meeting', start: '2026-12-15T02:00:00Z' }).expect(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: 'groupId' })]);
    await schedule(
      { type: 'group_meeting', start: '2026-12-15T02:00:00Z', groupId: u.groupA },
      'secretary2',
      u.branchB,
    ).expect(400);
  });

  it('lets only managers schedule: a member gets 403, another branch 404', async () => {
    const res = await schedule({ type: 'lecture', start: '2026-12-20T02:00:00Z' }, 'member1').expect(403);
    expect(res.body.code).toBe('forbidden');
    await schedule({ type: 'lecture', start: '2026-12-20T02:00:00Z' }, 'member2').expect(404);
    const [row]: { n: string }[] = await t.ds.query(
      `SELECT count(*) AS n FROM meeting WHERE unit_id = $1 AND type = 'lecture'`,
      [u.branchA],
    );
    expect(Number(row.n)).toBe(0);
  });

  it('edits and cancels with both changes in the audit log; a cancelled meeting cannot be joined', async () => {
    const m = (await schedule({ type: 'theme_day', start: '2026-12-20T01:00:00Z' }).expect(201))
      .body as Meeting;
    await t.http().patch(`/api/meetings/${m.id}`).set(auth.member1).send({ title: '越权' }).expect(403);
    const edited = await t
      .http()
      .patch(`/api/meetings/${m.id}`)
      .set(auth.secretary1)
      .send({ start: '2026-12-21T01:00:00Z', agenda: ['学习党章', '讨论发展对象'] })
      .expect(200);
    expect(edited.body).toMatchObject({
      scheduledStart: '2026-12-21T01:00:00.000Z',
      scheduledEnd: '2026-12-21T02:00:00.000Z', // moved, same length
      agenda: ['学习党章', '讨论发展对象'],
      title: m.title,
    });
    const cancelled = await t
      .http()
      .post(`/api/meetings/${m.id}/cancel`)
      .set(auth.secretary1)
      .send({ reason: '改期' })
      .expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    await t.http().patch(`/api/meetings/${m.id}`).set(auth.secretary1).send({ title: 'x' }).expect(409);
    await t.http().post(`/api/meetings/${m.id}/cancel`).set(auth.secretary1).send({}).expect(409);

    const events = await auditOf(m.id);
    expect(events.map((e) => e.action).sort()).toEqual([
      'meeting.cancel',
      'meeting.schedule',
      'meeting.update',
    ]);
    const update = events.find((e) => e.action === 'meeting.update')!;
    expect(update.before).toEqual({
      start: '2026-12-20T01:00:00.000Z',
      end: '2026-12-20T02:00:00.000Z',
      agenda: [],
    });
    expect(update.after).toEqual({
      start: '2026-12-21T01:00:00.000Z',
      end: '2026-12-21T02:00:00.000Z',
      agenda: ['学习党章', '讨论发展对象'],
    });
    expect(events.find((e) => e.action === 'meeting.cancel')).toMatchObject({
      actorId: id.secretary1,
      before: { status: 'scheduled' },
      after: { status: 'cancelled', reason: '改期' },
    });

    const c = await kit.client(tokens.secretary1);
    const ack = await c.raw('room.join', { meetingId: m.id });
    expect(ack).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('goes live when the host opens the room; a member before that waits for it', async () => {
    const m = (await schedule({ type: 'lecture', start: new Date().toISOString() }).expect(201))
      .body as Meeting;
    const member = await kit.client(tokens.member1);
    const early = await member.raw('room.join', { meetingId: m.id });
    expect(early).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringContaining('尚未开始') },
    });

    const host = await kit.client(tokens.secretary1);
    const before = Date.now();
    await host.join(m.id);
    const live = (await t.http().get(`/api/meetings/${m.id}`).set(auth.member1).expect(200)).body as Meeting;
    expect(live.status).toBe('live');
    expect(Date.parse(live.startedAt)).toBeGreaterThanOrEqual(before - 1000);
    await member.join(m.id);
    expect((await auditOf(m.id)).map((e) => e.action)).toContain('meeting.start');
  });
});

describe('leave requests', () => {
  it('an approved leave turns absent into excused, and both changes are in the audit log', async () => {
    // An ad hoc meeting expects the roster at opening; member1 never joins.
    const opened = await t
      .http()
      .post(`/api/org-units/${u.branchA}/meetings/live`)
      .set(auth.secretary1)
      .send({})
      .expect(201);
    const meetingId: string = opened.body.id;
    const full = (await t.http().get(`/api/meetings/${meetingId}`).set(auth.member1).expect(200))
      .body as Meeting;
    expect(expectedOf(full)).toEqual(await membersOf(u.branchA));

    const statusOf = async (userId: string) => {
      const res = await t
        .http()
        .get(`/api/meetings/${meetingId}/attendance`)
        .set(auth.secretary1)
        .expect(200);
      return (res.body as MeetingAttendance).records.find((r) => r.userId === userId)?.status;
    };
    expect(await statusOf(id.member1)).toBe('absent');

    const asked = await t
      .http()
      .post(`/api/meetings/${meetingId}/leave-requests`)
      .set(auth.member1)
      .send({ reason: '外出培训' })
      .expect(201);
    const request = asked.body as LeaveRequest;
    expect(request).toMatchObject({
      userId: id.member1,
      reason: '外出培训',
      status: 'pending',
      decidedBy: null,
    });
    // Pending is not yet leave; a second request while one is open is refused.
    expect(await statusOf(id.member1)).toBe('absent');
    await t
      .http()
      .post(`/api/meetings/${meetingId}/leave-requests`)
      .set(auth.member1)
      .send({ reason: '再次' })
      .expect(409);

    // The member sees their own; a member may not decide.
    const own = await t.http().get(`/api/meetings/${meetingId}/leave-requests`).set(auth.member1).expect(200);
    expect((own.body as LeaveRequest[]).map((r) => r.id)).toEqual([request.id]);
    await t
      .http()
      .post(`/api/leave-requests/${request.id}/decision`)
      .set(auth.member1)
      .send({ approve: true })
      .expect(403);

    const decided = await t
      .http()
      .post(`/api/leave-requests/${request.id}/decision`)
      .set(auth.secretary1)
      .send({ approve: true, note: '同意' })
      .expect(200);
    expect(decided.body).toMatchObject({
      status: 'approved',
      decidedBy: id.secretary1,
      decisionNote: '同意',
    });
    expect(await statusOf(id.member1)).toBe('excused');
    await t
      .http()
      .post(`/api/leave-requests/${request.id}/decision`)
      .set(auth.secretary1)
      .send({ approve: false })
      .expect(409);

    const events = await auditOf(request.id);
    expect(events.map((e) => e.action).sort()).toEqual(['leave.decide', 'leave.request']);
    expect(events.find((e) => e.action === 'leave.request')).toMatchObject({
      actorId: id.member1,
      after: { meetingId, userId: id.member1, reason: '外出培训', status: 'pending' },
    });
    expect(events.find((e) => e.action === 'leave.decide')).toMatchObject({
      actorId: id.secretary1,
      before: { status: 'pending' },
      after: { meetingId, userId: id.member1, status: 'approved', note: '同意' },
    });
  });

  it('a rejected leave leaves the member absent; managers see every request', async () => {
    const m = (await schedule({ type: 'branch_assembly', start: '2027-02-01T06:00:00Z' }).expect(201))
      .body as Meeting;
    const asked = await t
      .http()
      .post(`/api/meetings/${m.id}/leave-requests`)
      .set(auth.member1)
      .send({ reason: '家中有事' })
      .expect(201);
    await t
      .http()
      .post(`/api/leave-requests/${asked.body.id}/decision`)
      .set(auth.secretary1)
      .send({ approve: false, note: '请按时参会' })
      .expect(200);
    const att = await t.http().get(`/api/meetings/${m.id}/attendance`).set(auth.secretary1).expect(200);
    const record = (att.body as MeetingAttendance).records.find((r) => r.userId === id.member1);
    expect(record?.status).toBe('absent');
    const all = await t.http().get(`/api/meetings/${m.id}/leave-requests`).set(auth.secretary1).expect(200);
    expect(all.body).toEqual([
      expect.objectContaining({ userId: id.member1, status: 'rejected', decisionNote: '请按时参会' }),
    ]);
  });

  it('a member of another branch cannot ask for leave (404), nor someone not expected (403)', async () => {
    const m = (await schedule({ type: 'committee_meeting', start: '2027-02-02T06:00:00Z' }).expect(201))
      .body as Meeting;
    await t
      .http()
      .post(`/api/meetings/${m.id}/leave-requests`)
      .set(auth.member2)
      .send({ reason: '出差' })
      .expect(404);
    // member1 belongs to the branch but not to its committee.
    await t
      .http()
      .post(`/api/meetings/${m.id}/leave-requests`)
      .set(auth.member1)
      .send({ reason: '出差' })
      .expect(403);
    const [row]: { n: string }[] = await t.ds.query(
      `SELECT count(*) AS n FROM leave_request WHERE meeting_id = $1`,
      [m.id],
    );
    expect(Number(row.n)).toBe(0);
  });
});

describe('a monthly theme day (主题党日) series', () => {
  it('one request creates one meeting per month, each its own, with a series id in common', async () => {
    // The 31st at 14:30 in Beijing: shorter months fall on their last day.
    const res = await t
      .http()
      .post(`/api/org-units/${u.branchA}/meeting-series`)
      .set(auth.secretary1)
      .send({ type: 'theme_day', start: '2027-01-31T06:30:00Z', months: 4, agenda: ['学习'] });
    expect(res.status).toBe(201);
    const series = res.body as Meeting[];
    expect(series.map((m) => [m.scheduledStart, m.scheduledEnd, m.title])).toEqual([
      ['2027-01-31T06:30:00.000Z', '2027-01-31T07:30:00.000Z', '2027年1月 主题党日'],
      ['2027-02-28T06:30:00.000Z', '2027-02-28T07:30:00.000Z', '2027年2月 主题党日'],
      ['2027-03-31T06:30:00.000Z', '2027-03-31T07:30:00.000Z', '2027年3月 主题党日'],
      ['2027-04-30T06:30:00.000Z', '2027-04-30T07:30:00.000Z', '2027年4月 主题党日'],
    ]);
    const seriesId = series[0].seriesId;
    expect(seriesId).toEqual(expect.any(String));
    expect(new Set(series.map((m) => m.id)).size).toBe(4);
    const roster = await membersOf(u.branchA);
    for (const m of series) {
      expect(m).toMatchObject({ type: 'theme_day', status: 'scheduled', seriesId, agenda: ['学习'] });
      expect(expectedOf(m)).toEqual(roster);
      // Each occurrence is audited as a scheduled meeting of its own.
      expect((await auditOf(m.id)).map((e) => e.action)).toEqual(['meeting.schedule']);
    }
    // Each is a meeting of its own: cancelling one leaves the others.
    await t.http().post(`/api/meetings/${series[1].id}/cancel`).set(auth.secretary1).send({}).expect(200);
    const cal = await t
      .http()
      .get(`/api/org-units/${u.branchA}/meetings`)
      .query({ from: '2027-01-01T00:00:00+08:00', to: '2027-06-01T00:00:00+08:00' })
      .set(auth.member1)
      .expect(200);
    const inSeries = (cal.body as Meeting[]).filter((m) => m.seriesId === seriesId);
    expect(inSeries.map((m) => m.status)).toEqual(['scheduled', 'cancelled', 'scheduled', 'scheduled']);
    // Each attendee heard of the series once.
    const [{ n }] = await t.ds.query(
      `SELECT count(*)::int AS n FROM notification WHERE kind = 'meeting.series_scheduled' AND user_id = $1`,
      [id.member1],
    );
    expect(n).toBe(1);
  });

  it('only a theme day repeats, 2 to 12 months; only managers', async () => {
    const post = (body: object, who = 'secretary1') =>
      t.http().post(`/api/org-units/${u.branchA}/meeting-series`).set(auth[who]).send(body);
    await post({ type: 'lecture', start: '2027-01-05T06:00:00Z', months: 3 }).expect(400);
    await post({ type: 'theme_day', start: '2027-01-05T06:00:00Z', months: 13 }).expect(400);
    await post({ type: 'theme_day', start: '2027-01-05T06:00:00Z', months: 1 }).expect(400);
    await post({ type: 'theme_day', start: '2027-01-05T06:00:00Z', months: 3 }, 'member1').expect(403);
    await post({ type: 'theme_day', start: '2027-01-05T06:00:00Z', months: 3 }, 'secretary2').expect(404);
  });
});
