/**
 * The minutes end to end on the whole app (real PostgreSQL, a real mediasoup worker, werift peers really in the
 * room): the auto-filled fields against the meeting and attendance records; the review workflow with its
 * permissions, locking, corrections as revisions with a diff and audit events; DOCX and PDF exports parsed
 * back; the archive search by a Chinese substring.
 */
import type {
  AuditEvent,
  AuditVerifyResult,
  Meeting,
  MeetingAttendance,
  Minutes,
  MinutesListItem,
  MinutesRevisionDetail,
  MinutesRevisionSummary,
  MinutesSearchResult,
} from '@branchmeet/shared';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { PresenceService } from '../attendance/presence.service';
import { MinutesDocService } from './minutes-doc.service';
import { demoUnits, userIdByPhone } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { MinutesTestClient } from '../test-support/minutes-client';
import { pdfContent } from '../test-support/pdf-text';
import { RtcKit, type RtcTestClient } from '../test-support/rtc-client';
import { waitFor } from '../test-support/werift';

let t: TestApp;
let kit: RtcKit;
let units: Awaited<ReturnType<typeof demoUnits>>;
const logins = {
  secretary: 'secretary1', // 李红梅: hosts (the default host is the secretary)
  recorder: 'member1', // 刘洋: records, a plain member of the group
  member: '13800000015', // 杨帆: a member of the group
  excused: '13800000014', // 陈静: asks for leave
  committee: 'committee', // 王建国: secretary of the committee above the branch
  secretary2: 'secretary2',
  admin: 'admin',
} as const;
type Who = keyof typeof logins;
const tokens = {} as Record<Who, string>;
const auth = (who: Who) => ({ Authorization: `Bearer ${tokens[who]}` });
const ids = {} as Record<Who, string>;
let meetingId = '';
const http = () => t.http();

const CONTENT = '大家认真学习了《中国共产党章程》第一章，结合岗位谈体会。';
const RESOLUTION = '会议决定：每月开展一次专题学习。';

beforeAll(async () => {
  t = await startTestApp({ listen: true });
  kit = new RtcKit(t.baseUrl);
  units = await demoUnits(t.ds);
  for (const [who, login] of Object.entries(logins) as [Who, string][]) {
    const { session } = await t.login(login);
    tokens[who] = session.accessToken;
    ids[who] = session.me.user.id;
  }
}, 60_000);

afterAll(async () => {
  await kit?.close();
  await t?.close();
});

async function enter(who: Who): Promise<RtcTestClient> {
  const c = await kit.client(tokens[who]);
  const joined = await c.join(meetingId);
  await kit.connectRecv(c, joined);
  return c;
}

describe('auto-filled fields', () => {
  let host: RtcTestClient;
  let writer: MinutesTestClient;

  it('are filled from the meeting and its attendance, without anyone typing them', async () => {
    const scheduled = await http()
      .post(`/api/org-units/${units.branchA}/meetings`)
      .set(auth('secretary'))
      .send({
        type: 'group_meeting',
        groupId: units.groupA,
        start: new Date(Date.now() + 30 * 60_000).toISOString(),
        recorderId: ids.recorder,
        agenda: ['学习党章', '谈心得体会'],
        observerIds: [await userIdByPhone(t.ds, '13800000016')], // 赵磊 sits in (列席)
      });
    expect(scheduled.status).toBe(201);
    meetingId = (scheduled.body as Meeting).id;
    const leave = await http()
      .post(`/api/meetings/${meetingId}/leave-requests`)
      .set(auth('excused'))
      .send({ reason: '外出培训' });
    expect(leave.status).toBe(201);
    await http()
      .post(`/api/leave-requests/${(leave.body as { id: string }).id}/decision`)
      .set(auth('secretary'))
      .send({ approve: true })
      .expect(200);

    // Before the meeting: planned times, no actual ones yet.
    const before = (await http().get(`/api/meetings/${meetingId}/minutes`).set(auth('member')).expect(200))
      .body as Minutes;
    expect(before.status).toBe('draft');
    expect(before.fields.actualStart).toBeNull();
    expect(before.sections.map((s) => s.title)).toEqual(['学习党章', '谈心得体会']);

    host = await enter('secretary');
    await enter('recorder');
    const w = await kit.client(tokens.recorder);
    writer = new MinutesTestClient(w, meetingId);
    await writer.open();
    writer.insert(0, 0, CONTENT);
    await writer.settled();

    // Submitting while live is refused (after the meeting).
    const early = await http().post(`/api/meetings/${meetingId}/minutes/submit`).set(auth('secretary'));
    expect(early.status).toBe(409);

    await host.call('host.end', {});
    await t.app.get(PresenceService).settled();

    const m = (await http().get(`/api/meetings/${meetingId}/minutes`).set(auth('member')).expect(200))
      .body as Minutes;
    const meeting = (await http().get(`/api/meetings/${meetingId}`).set(auth('member')).expect(200))
      .body as Meeting;
    const att = (await http().get(`/api/meetings/${meetingId}/attendance`).set(auth('member')).expect(200))
      .body as MeetingAttendance;
    const [group] = await t.ds.query(`SELECT name FROM org_unit WHERE id = $1`, [units.branchA]);
    const f = m.fields;
    expect(f.meetingType).toBe('group_meeting');
    expect(f.title).toBe(meeting.title);
    expect(f.unitName).toBe(group.name);
    expect(f.scheduledStart).toBe(meeting.scheduledStart);
    expect(f.scheduledEnd).toBe(meeting.scheduledEnd);
    expect(f.actualStart).toBe(att.startedAt);
    expect(f.actualStart).toBe(meeting.startedAt);
    expect(f.actualEnd).toBe(att.endedAt);
    expect(f.actualEnd).toBe(meeting.endedAt);
    expect(f.durationMinutes).toBe(Math.floor(att.durationSeconds / 60));
    expect(f.place).toContain('线上');
    expect(f.host).toEqual({ userId: ids.secretary, name: '李红梅' });
    expect(f.host?.userId).toBe(meeting.hostUserId);
    expect(f.recorder).toEqual({ userId: ids.recorder, name: '刘洋' });
    expect(f.recorder?.userId).toBe(meeting.recorderId);
    expect(f.agenda).toEqual(meeting.agenda);
    // 应到 / 实到 / 请假 / 缺席 as the attendance records say, with names (and the reason of the leave).
    const of = (...statuses: string[]) =>
      att.records.filter((r) => statuses.includes(r.status)).map((r) => ({ userId: r.userId, name: r.name }));
    expect(f.expected).toBe(att.records.length);
    expect(f.presentNames).toEqual(of('present', 'late', 'left_early'));
    expect(f.presentNames.map((p) => p.name)).toEqual(['刘洋']);
    expect(f.excusedNames).toEqual(of('excused').map((p) => ({ ...p, reason: '外出培训' })));
    expect(f.excusedNames.map((p) => p.name)).toEqual(['陈静']);
    expect(f.absentNames).toEqual(of('absent').map((p) => ({ ...p, reason: '' })));
    expect(f.absentNames.map((p) => p.name).sort()).toEqual(['杨帆', '黄丽'].sort());
    expect([f.present, f.excused, f.absent]).toEqual([1, 1, 2]);
    expect(f.observers).toEqual(
      meeting.attendees.filter((a) => a.kind === 'observer').map((a) => ({ userId: a.userId, name: a.name })),
    );
    expect(f.observers.map((o) => o.name)).toEqual(['赵磊']);
    // The period of a monthly meeting, in China time, and the first group meeting of that month.
    const local = new Date(Date.parse(meeting.startedAt) + 8 * 3600_000);
    expect(f.period).toMatchObject({
      kind: 'month',
      label: `${local.getUTCFullYear()}年${local.getUTCMonth() + 1}月`,
    });
    expect(f.ordinal).toBe(1);
    expect(m.sections[0].text).toBe(CONTENT);
  });

  it('takes the reasons of the absent from the recorder or a manager, and no one else', async () => {
    const yangFan = await userIdByPhone(t.ds, '13800000015');
    const denied = await http()
      .patch(`/api/meetings/${meetingId}/minutes`)
      .set(auth('member'))
      .send({ absenceReasons: { [yangFan]: '生病' } });
    expect(denied.status).toBe(403);
    const notAbsent = await http()
      .patch(`/api/meetings/${meetingId}/minutes`)
      .set(auth('recorder'))
      .send({ absenceReasons: { [ids.recorder]: '？' } });
    expect(notAbsent.status).toBe(400);
    const ok = await http()
      .patch(`/api/meetings/${meetingId}/minutes`)
      .set(auth('recorder'))
      .send({ absenceReasons: { [yangFan]: '生病住院' } })
      .expect(200);
    expect((ok.body as Minutes).fields.absentNames.find((p) => p.userId === yangFan)?.reason).toBe(
      '生病住院',
    );
  });

  it('are read again on every GET of editable minutes, but a GET that changes nothing writes nothing', async () => {
    // PostgreSQL gives jsonb keys back in its own order: the refreshed fields must be compared whatever the
    // order, or every read would rewrite the row and its search text. Any UPDATE gives the row a new xmin.
    const version = async () =>
      (
        (await t.ds.query(`SELECT xmin::text AS v FROM minutes WHERE meeting_id = $1`, [meetingId])) as {
          v: string;
        }[]
      )[0].v;
    // The live document's own debounced flush (the writer's edits above) also writes the row: let it land first.
    await t.app.get(MinutesDocService).flush(meetingId);
    const before = await version();
    for (let i = 0; i < 3; i++)
      await http().get(`/api/meetings/${meetingId}/minutes`).set(auth('member')).expect(200);
    expect(await version()).toBe(before);
    // A real change still reaches the stored fields on the next read.
    await t.ds.query(
      `UPDATE minutes SET fields = jsonb_set(fields, '{title}', '"旧标题"') WHERE meeting_id = $1`,
      [meetingId],
    );
    const changed = await version();
    const m = (await http().get(`/api/meetings/${meetingId}/minutes`).set(auth('member')).expect(200))
      .body as Minutes;
    expect(m.fields.title).not.toBe('旧标题');
    expect(await version()).not.toBe(changed);
  });

  afterAll(() => writer?.c.socket.disconnect());
});

describe('review', () => {
  const submit = (who: Who) => http().post(`/api/meetings/${meetingId}/minutes/submit`).set(auth(who));
  const approve = (who: Who) =>
    http().post(`/api/meetings/${meetingId}/minutes/approve`).set(auth(who)).send({});
  const ret = (who: Who, reason = '请补充讨论内容') =>
    http().post(`/api/meetings/${meetingId}/minutes/return`).set(auth(who)).send({ reason });
  const get = async (who: Who = 'secretary') =>
    (await http().get(`/api/meetings/${meetingId}/minutes`).set(auth(who)).expect(200)).body as Minutes;
  let writer: MinutesTestClient;
  /** A refused edit stays in the writer's own document only: like the browser, it starts again from the server's. */
  const reopen = async () => {
    writer?.c.socket.disconnect();
    writer = new MinutesTestClient(await kit.client(tokens.recorder), meetingId);
    await writer.open();
  };

  beforeAll(reopen);
  afterAll(() => writer?.c.socket.disconnect());

  it('is signed by the host and the recorder, each for their part', async () => {
    expect((await http().post(`/api/meetings/${meetingId}/minutes/sign`).set(auth('member'))).status).toBe(
      403,
    );
    await http().post(`/api/meetings/${meetingId}/minutes/sign`).set(auth('recorder')).expect(200);
    const m = (
      await http().post(`/api/meetings/${meetingId}/minutes/sign`).set(auth('secretary')).expect(200)
    ).body as Minutes;
    expect(m.signatures.host?.name).toBe('李红梅');
    expect(m.signatures.recorder?.name).toBe('刘洋');
  });

  it('goes draft → submitted (recorder or secretary) → returned → submitted → approved (the unit above only)', async () => {
    // Nobody reviews a draft; a plain member cannot submit; the other branch does not see it.
    expect((await approve('committee')).status).toBe(409);
    expect((await submit('member')).status).toBe(403);
    expect((await submit('secretary2')).status).toBe(404);
    writer.insert(1, 0, '刘洋谈了学习体会。');
    await writer.settled();
    const first = (await submit('secretary').expect(200)).body as Minutes;
    expect(first).toMatchObject({ status: 'submitted', revision: 1, frozen: true });
    expect(first.review.submittedBy).toBe('李红梅');

    // Submitted: the content is frozen; the writer's update is refused by the server.
    writer.insert(1, 0, '提交后的修改');
    await writer.settled();
    expect(writer.sent.at(-1)).toBe('conflict');
    expect((await get()).sections[1].text).toBe('刘洋谈了学习体会。');
    expect((await submit('secretary')).status).toBe(409);
    await reopen();
    expect(writer.sectionText(1)).toBe('刘洋谈了学习体会。');

    // The branch's own secretary does not approve its minutes; the other branch cannot see them.
    expect((await approve('secretary')).status).toBe(403);
    expect((await approve('secretary2')).status).toBe(404);
    expect((await approve('admin')).status).toBe(403);
    const inbox = (await http().get('/api/minutes/inbox').set(auth('committee')).expect(200))
      .body as MinutesListItem[];
    expect(inbox.map((i) => i.meetingId)).toContain(meetingId);
    expect(
      ((await http().get('/api/minutes/inbox').set(auth('secretary')).expect(200)).body as unknown[]).length,
    ).toBe(0);

    expect(
      (await http().post(`/api/meetings/${meetingId}/minutes/return`).set(auth('committee')).send({})).status,
    ).toBe(400);
    const returned = (await ret('committee').expect(200)).body as Minutes;
    expect(returned).toMatchObject({
      status: 'returned',
      frozen: false,
      review: { reason: '请补充讨论内容' },
    });
    await waitFor('the writer hears it was returned', () =>
      writer.c.seen('minutes.changed').some((e) => e.status === 'returned'),
    );
    // Returned: writing goes on, then it is submitted again as revision 2.
    writer.insert(1, writer.sectionText(1).length, '大家表示要学以致用。');
    await writer.settled();
    expect(writer.sent.at(-1)).toBe('ok');
    const second = (await submit('recorder').expect(200)).body as Minutes;
    expect(second).toMatchObject({ status: 'submitted', revision: 2 });
    const approved = (await approve('committee').expect(200)).body as Minutes;
    expect(approved).toMatchObject({ status: 'approved', frozen: true, review: { reviewedBy: '王建国' } });
    expect(approved.sections[1].text).toBe('刘洋谈了学习体会。大家表示要学以致用。');
    const after = (await http().get('/api/minutes/inbox').set(auth('committee')).expect(200))
      .body as MinutesListItem[];
    expect(after.map((i) => i.meetingId)).not.toContain(meetingId);
  });

  it('refuses every edit once approved', async () => {
    writer.insert(0, 0, '审核后的修改');
    await writer.settled();
    expect(writer.sent.at(-1)).toBe('conflict');
    const yangFan = await userIdByPhone(t.ds, '13800000015');
    const patch = await http()
      .patch(`/api/meetings/${meetingId}/minutes`)
      .set(auth('secretary'))
      .send({ absenceReasons: { [yangFan]: '改掉原因' } });
    expect(patch.status).toBe(409);
    expect((await submit('secretary')).status).toBe(409);
    expect((await http().post(`/api/meetings/${meetingId}/minutes/sign`).set(auth('secretary'))).status).toBe(
      409,
    );
    expect((await ret('committee')).status).toBe(409);
    const attach = await http()
      .post(`/api/meetings/${meetingId}/minutes/attachments`)
      .set(auth('secretary'))
      .attach('file', Buffer.from('x'), 'x.txt');
    expect(attach.status).toBe(409);
    const m = await get();
    expect(m.sections[0].text).toBe(CONTENT);
    expect(m.fields.absentNames.find((p) => p.userId === yangFan)?.reason).toBe('生病住院');
  });

  it('takes a correction as a new revision with its reason, a diff and an audit event, and reviews it again', async () => {
    const body = { reason: '补记会议决议', resolutions: RESOLUTION };
    expect(
      (await http().post(`/api/meetings/${meetingId}/minutes/corrections`).set(auth('recorder')).send(body))
        .status,
    ).toBe(403);
    expect(
      (await http().post(`/api/meetings/${meetingId}/minutes/corrections`).set(auth('committee')).send(body))
        .status,
    ).toBe(403);
    expect(
      (
        await http()
          .post(`/api/meetings/${meetingId}/minutes/corrections`)
          .set(auth('secretary'))
          .send({ resolutions: RESOLUTION })
      ).status,
    ).toBe(400);
    const corrected = (
      await http()
        .post(`/api/meetings/${meetingId}/minutes/corrections`)
        .set(auth('secretary'))
        .send(body)
        .expect(200)
    ).body as Minutes;
    expect(corrected).toMatchObject({ status: 'submitted', revision: 3, resolutions: RESOLUTION });
    expect(corrected.review.reason).toBe('补记会议决议');
    // The same correction again is refused while it waits for review (not approved).
    expect(
      (await http().post(`/api/meetings/${meetingId}/minutes/corrections`).set(auth('secretary')).send(body))
        .status,
    ).toBe(409);

    const revisions = (
      await http().get(`/api/meetings/${meetingId}/minutes/revisions`).set(auth('member')).expect(200)
    ).body as MinutesRevisionSummary[];
    expect(revisions.map((r) => [r.number, r.kind, r.reason])).toEqual([
      [1, 'submission', null],
      [2, 'submission', null],
      [3, 'correction', '补记会议决议'],
    ]);
    const third = (
      await http().get(`/api/meetings/${meetingId}/minutes/revisions/3`).set(auth('member')).expect(200)
    ).body as MinutesRevisionDetail;
    expect(third.document.resolutions).toBe(RESOLUTION);
    const added = third.diff
      .filter((p) => p.added)
      .map((p) => p.value)
      .join('');
    const removed = third.diff
      .filter((p) => p.removed)
      .map((p) => p.value)
      .join('');
    expect(added).toContain(RESOLUTION);
    expect(removed).toContain('（无）');
    expect(
      third.diff
        .filter((p) => !p.added && !p.removed)
        .map((p) => p.value)
        .join(''),
    ).toContain(CONTENT);
    const second = (
      await http().get(`/api/meetings/${meetingId}/minutes/revisions/2`).set(auth('member')).expect(200)
    ).body as MinutesRevisionDetail;
    expect(
      second.diff
        .filter((p) => p.added)
        .map((p) => p.value)
        .join(''),
    ).toContain('大家表示要学以致用。');
    expect(second.document.resolutions).toBe('');
    expect(
      (await http().get(`/api/meetings/${meetingId}/minutes/revisions/9`).set(auth('member'))).status,
    ).toBe(404);

    const events = (
      await http().get('/api/audit/events').set(auth('admin')).query({ unitId: units.branchA, limit: '200' })
    ).body as AuditEvent[];
    const mine = events.filter((e) => e.entityType === 'minutes' && e.entityId === meetingId);
    const correction = mine.find((e) => e.action === 'minutes.correct');
    expect(correction).toMatchObject({
      actorId: ids.secretary,
      before: { status: 'approved', revision: 2 },
      after: { status: 'submitted', revision: 3, reason: '补记会议决议', resolutions: true },
    });
    expect(mine.map((e) => e.action).sort()).toEqual(
      [
        'minutes.update',
        'minutes.sign',
        'minutes.sign',
        'minutes.submit',
        'minutes.return',
        'minutes.submit',
        'minutes.approve',
        'minutes.correct',
      ].sort(),
    );
    const verify = (await http().get('/api/audit/verify').set(auth('admin')).expect(200))
      .body as AuditVerifyResult;
    expect(verify.ok).toBe(true);

    await approve('committee').expect(200);
    expect((await get()).status).toBe('approved');
  });
});

describe('exports', () => {
  /** The files as a person would open them (test/e2e/artifacts, git-ignored). */
  const keep = (name: string, body: Buffer) => {
    const dir = join(__dirname, '../../../test/e2e/artifacts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), body);
  };
  const fetchFile = async (path: string, who: Who = 'secretary', query?: Record<string, string>) => {
    const res = await http()
      .get(path)
      .set(auth(who))
      .query(query ?? {})
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    return res as typeof res & { body: Buffer };
  };

  it('gives DOCX in the usual layout: header table, content, resolutions, signature lines, 散会', async () => {
    const res = await fetchFile(`/api/meetings/${meetingId}/minutes/export.docx`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('wordprocessingml');
    expect(decodeURIComponent(res.headers['content-disposition'])).toContain('会议记录.docx');
    keep('minutes-int.docx', res.body);
    const { value: text } = await mammoth.extractRawText({ buffer: res.body });
    for (const s of [
      '会议记录',
      '会议名称',
      '党小组会',
      '主持人',
      '李红梅',
      '记录人',
      '刘洋',
      '应到人数',
      '实到人数',
      '陈静（外出培训）',
      '杨帆（生病住院）',
      '列席人员',
      '赵磊',
      '一、学习党章',
      CONTENT,
      '二、谈心得体会',
      '刘洋谈了学习体会。大家表示要学以致用。',
      '决议',
      RESOLUTION,
      '主持人（签字）：李红梅',
      '记录人（签字）：刘洋',
      '散会',
      '已审核',
    ])
      expect(text).toContain(s);
    // The fields are a real table (w:tbl) whose first cell is the label.
    const xml = await (await JSZip.loadAsync(res.body)).file('word/document.xml')!.async('string');
    expect(xml).toContain('<w:tbl>');
    expect(xml.indexOf('会议名称')).toBeGreaterThan(xml.indexOf('<w:tbl>'));
  });

  it('gives PDF with a real CJK font', async () => {
    const res = await fetchFile(`/api/meetings/${meetingId}/minutes/export.pdf`, 'committee');
    expect(res.status).toBe(200);
    expect(res.body.subarray(0, 5).toString()).toBe('%PDF-');
    keep('minutes-int.pdf', res.body);
    const { text } = pdfContent(res.body);
    const flat = text.replace(/\s+/g, '');
    for (const s of [
      '会议记录',
      '会议名称',
      '李红梅',
      '刘洋',
      '陈静（外出培训）',
      CONTENT,
      RESOLUTION,
      '散会',
    ])
      expect(flat).toContain(s.replace(/\s+/g, ''));
    expect(res.body.toString('latin1')).toMatch(/\/FontFile2|\/FontFile3/);
  });

  it('prints a meeting without agenda under one 会议内容 heading, and each closed vote once', async () => {
    const live = await http()
      .post(`/api/org-units/${units.branchA}/meetings/live`)
      .set(auth('secretary'))
      .send({ title: '表决测试会' })
      .expect(201);
    const id = (live.body as { id: string }).id;
    await http().get(`/api/meetings/${id}/minutes`).set(auth('secretary')).expect(200);
    const c = await kit.client(tokens.secretary);
    await kit.connectRecv(c, await c.join(id));
    const subject = '同意接收发展对象';
    const vote = (await c.call('vote.open', { meetingId: id, agendaIndex: null, subject })) as { id: string };
    await c.call('vote.cast', { meetingId: id, voteId: vote.id, choice: 'yes' });
    await c.call('vote.close', { meetingId: id, voteId: vote.id });
    const res = await fetchFile(`/api/meetings/${id}/minutes/export.pdf`, 'committee');
    expect(res.status).toBe(200);
    keep('minutes-int-vote.pdf', res.body);
    const flat = pdfContent(res.body).text.replace(/\s+/g, '');
    expect(flat.match(/会议内容/g)).toHaveLength(1);
    expect(flat.match(new RegExp(subject, 'g'))).toHaveLength(1);
    expect(flat).toContain('同意1票');
    const docx = await fetchFile(`/api/meetings/${id}/minutes/export.docx`, 'committee');
    const { value: text } = await mammoth.extractRawText({ buffer: docx.body });
    expect(text.match(/会议内容/g)).toHaveLength(1);
    expect(text.match(new RegExp(subject, 'g'))).toHaveLength(1);
  });

  it("puts a period's minutes of the branch into one file", async () => {
    const other = await http()
      .post(`/api/org-units/${units.branchA}/meetings/live`)
      .set(auth('secretary'))
      .send({ title: '临时支委会' })
      .expect(201);
    await http()
      .get(`/api/meetings/${(other.body as { id: string }).id}/minutes`)
      .set(auth('secretary'))
      .expect(200);
    const query = {
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 86_400_000).toISOString(),
    };
    const docx = await fetchFile(`/api/org-units/${units.branchA}/minutes/export.docx`, 'committee', query);
    expect(docx.status).toBe(200);
    const { value: text } = await mammoth.extractRawText({ buffer: docx.body });
    expect(text.match(/会议记录/g)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toContain(CONTENT);
    expect(text).toContain('临时支委会');
    const pdf = await fetchFile(`/api/org-units/${units.branchA}/minutes/export.pdf`, 'committee', query);
    keep('minutes-int-period.pdf', pdf.body);
    const parsed = pdfContent(pdf.body);
    expect(parsed.pages).toBeGreaterThanOrEqual(2);
    expect(parsed.text.replace(/\s+/g, '')).toContain('临时支委会');
    // A plain member may read the minutes, not export them; the other branch cannot see them.
    expect((await fetchFile(`/api/meetings/${meetingId}/minutes/export.docx`, 'member')).status).toBe(403);
    expect((await fetchFile(`/api/meetings/${meetingId}/minutes/export.docx`, 'secretary2')).status).toBe(
      404,
    );
  });
});

describe('search', () => {
  const search = async (who: Who, unitId: string, q: Record<string, string>) =>
    http().get(`/api/org-units/${unitId}/minutes`).set(auth(who)).query(q);

  it('finds the minutes by a Chinese substring of their content, resolutions or agenda', async () => {
    for (const q of ['章程》第一章', '专题学习', '谈心得', '学以致用']) {
      const res = await search('member', units.branchA, { q });
      expect(res.status).toBe(200);
      const body = res.body as MinutesSearchResult;
      expect(body.items.map((i) => i.meetingId)).toEqual([meetingId]);
      expect(body.items[0].snippet).toContain(q);
    }
    const none = (await search('member', units.branchA, { q: '不存在的词语' })).body as MinutesSearchResult;
    expect(none).toEqual({ total: 0, items: [] });
    // LIKE wildcards are taken literally.
    expect(((await search('member', units.branchA, { q: '%' })).body as MinutesSearchResult).total).toBe(0);
    // The meeting of these tests, the vote meeting and 临时支委会 of the exports.
    const all = (await search('member', units.branchA, {})).body as MinutesSearchResult;
    expect(all.total).toBe(3);
    const approved = (await search('member', units.branchA, { status: 'approved' }))
      .body as MinutesSearchResult;
    expect(approved.items.map((i) => i.meetingId)).toEqual([meetingId]);
    // Another branch's members do not see branch A's archive, and branch B's archive does not have it.
    expect((await search('secretary2', units.branchA, { q: '专题学习' })).status).toBe(404);
    const b = (await search('secretary2', units.branchB, { q: '专题学习' })).body as MinutesSearchResult;
    expect(b.total).toBe(0);
  });

  it('uses the trigram index for the substring search', async () => {
    await t.ds.query('SET enable_seqscan = off');
    const plan: { 'QUERY PLAN': string }[] = await t.ds.query(
      `EXPLAIN SELECT meeting_id FROM minutes WHERE search_text ILIKE '%章程》第一章%'`,
    );
    await t.ds.query('SET enable_seqscan = on');
    expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toContain('ix_minutes_search_trgm');
  });
});
