/**
 * Notifications beyond the tab: e-mail through a real SMTP server started here (smtp-server), and
 * WeCom / DingTalk group-robot webhooks against a local HTTP server that answers as those APIs do. The branch
 * switches channels on (managers only), each person chooses events and channels; sending is queued after the
 * commit (the request that caused it never waits for it) and a failure is retried with backoff.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { demoUnits, type DemoUnits } from '../test-support/fixtures';
import { startTestApp, type TestApp } from '../test-support/int-app';
import { waitFor } from '../test-support/werift';
import { DeliveryService } from './delivery.service';

interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** RFC 2047 encoded words (what nodemailer writes for a Chinese subject) back to text. */
function decodeWords(value: string): string {
  const parts: Buffer[] = [];
  const rest = value
    .replace(/\r?\n[ \t]/g, ' ')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_, enc, data) => {
      parts.push(
        enc.toLowerCase() === 'b'
          ? Buffer.from(data, 'base64')
          : Buffer.from(
              data
                .replace(/_/g, ' ')
                .replace(/=([0-9a-f]{2})/gi, (_m: string, h: string) => String.fromCharCode(parseInt(h, 16))),
              'latin1',
            ),
      );
      return '';
    });
  return Buffer.concat(parts).toString('utf8') + rest.trim();
}

function parseMail(raw: string, to: string): Mail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split);
  const body = raw.slice(split + 4);
  const header = (name: string) =>
    new RegExp(`^${name}:\\s*((?:.*)(?:\\r\\n[ \\t].*)*)`, 'im').exec(head)?.[1] ?? '';
  const text = /base64/i.test(header('Content-Transfer-Encoding'))
    ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
    : body;
  return { to, subject: decodeWords(header('Subject')), text };
}

let t: TestApp;
let u: DemoUnits;
let smtp: SMTPServer;
let hooks: Server;
let hookBase = '';
const mails: Mail[] = [];
const posts: { path: string; body: unknown }[] = [];
/** The WeCom stand-in fails the first call (500), then takes each message as the API does. */
let wecomFailures = 1;
/** The DingTalk stand-in holds its answer until released. */
let releaseDingtalk: (() => void) | null = null;
const auth = {} as Record<'secretary1' | 'member1', { Authorization: string }>;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo[0].address));
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  hooks = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = () => {
        if (res.headersSent) return;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
      };
      posts.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      if (req.url === '/wecom' && wecomFailures > 0) {
        wecomFailures--;
        res.writeHead(500).end();
      } else if (req.url === '/dingtalk') releaseDingtalk = answer;
      else answer();
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  hookBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;

  t = await startTestApp({
    listen: true,
    env: {
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      MAIL_FROM: '支部云会 <notify@branchmeet.test>',
      PUBLIC_URL: 'https://meet.example.org/',
      NOTIFY_TICK_SECONDS: '3600',
      NOTIFY_RETRY_BASE_SECONDS: '0.2',
      MEETING_REMINDER_TICK_SECONDS: '3600',
      NOTIFY_WEBHOOK_HOSTS: '127.0.0.1',
    },
  });
  u = await demoUnits(t.ds);
  for (const who of ['secretary1', 'member1'] as const) auth[who] = (await t.login(who)).auth;
  await t
    .http()
    .put('/api/notification-prefs')
    .set(auth.member1)
    .send({
      email: 'liuyang@example.org',
      webhook: { kind: 'wecom', url: `${hookBase}/wecom` },
      // Scheduling by e-mail only; every other event to both.
      events: { 'meeting.scheduled': ['email'] },
    })
    .expect(200);
  await t
    .http()
    .put('/api/notification-prefs')
    .set(auth.secretary1)
    .send({ email: null, webhook: { kind: 'dingtalk', url: `${hookBase}/dingtalk` }, events: {} })
    .expect(200);
}, 60_000);

afterAll(async () => {
  releaseDingtalk?.();
  await t?.close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await new Promise<void>((resolve) => hooks?.close(() => resolve()));
});

const deliveries = async () =>
  (await t.ds.query(
    `SELECT d.channel, d.status, d.attempts, n.kind FROM notification_delivery d
     JOIN notification n ON n.id = d.notification_id ORDER BY d.created_at`,
  )) as { channel: string; status: string; attempts: number; kind: string }[];

describe('robot URLs', () => {
  it('point only at an allowed robot host: an internal address is refused with a clear 400, and nothing is saved', async () => {
    for (const url of [
      'http://10.0.0.5/hook',
      'http://localhost:5432/',
      'https://evil.example.org/robot/send',
    ]) {
      const res = await t
        .http()
        .put('/api/notification-prefs')
        .set(auth.member1)
        .send({ email: null, webhook: { kind: 'wecom', url }, events: {} });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_failed' });
      expect(JSON.stringify(res.body)).toContain('127.0.0.1');
    }
    const kept = await t.http().get('/api/notification-prefs').set(auth.member1).expect(200);
    expect(kept.body.webhook.url).toBe(`${hookBase}/wecom`);
  });
});

describe('e-mail and group robots', () => {
  let meetingId = '';

  it('only a manager switches the branch’s channels on; off, nothing is sent', async () => {
    const url = `/api/org-units/${u.branchA}/notification-channels`;
    expect((await t.http().get(url).set(auth.member1).expect(200)).body).toEqual({
      email: false,
      webhook: false,
    });
    expect((await t.http().put(url).set(auth.member1).send({ email: true, webhook: true })).status).toBe(403);
    // Still off: scheduling queues nothing.
    await t
      .http()
      .post(`/api/org-units/${u.branchA}/meetings`)
      .set(auth.secretary1)
      .send({ type: 'committee_meeting', start: '2027-03-02T06:00:00Z' })
      .expect(201);
    expect(await deliveries()).toEqual([]);
    const on = await t.http().put(url).set(auth.secretary1).send({ email: true, webhook: true });
    expect(on.body).toEqual({ email: true, webhook: true });
  });

  it('an e-mail arrives through SMTP with the right subject and link; the robot only for chosen events', async () => {
    const res = await t
      .http()
      .post(`/api/org-units/${u.branchA}/meetings`)
      .set(auth.secretary1)
      .send({ type: 'branch_assembly', title: '学习二十大精神', start: '2027-03-01T06:00:00Z' });
    expect(res.status).toBe(201);
    meetingId = res.body.id as string;
    await waitFor('the e-mail', () => mails.length > 0, 15_000);
    expect(mails[0]).toMatchObject({
      to: 'liuyang@example.org',
      subject: '第一党支部安排了“学习二十大精神”，2027-03-01 14:00 开始',
    });
    expect(mails[0].text).toContain(`https://meet.example.org/meetings/${meetingId}/info`);
    // member1 chose e-mail only for scheduling: nothing to the WeCom robot.
    await t.app.get(DeliveryService).settled();
    expect(posts.filter((p) => p.path === '/wecom')).toEqual([]);
  });

  it('DingTalk: the exact markdown JSON; the request that caused it does not wait for the robot', async () => {
    const asked = await t
      .http()
      .post(`/api/meetings/${meetingId}/leave-requests`)
      .set(auth.member1)
      .send({ reason: '出差', type: 'business' });
    expect(asked.status).toBe(201);
    // The robot has the message and has not answered yet: the request had already been answered.
    await waitFor('the DingTalk post', () => releaseDingtalk !== null, 15_000);
    expect(posts.find((p) => p.path === '/dingtalk')?.body).toEqual({
      msgtype: 'markdown',
      markdown: {
        title: '刘洋申请“学习二十大精神”（2027-03-01 14:00）请假，请审批',
        text: `#### 刘洋申请“学习二十大精神”（2027-03-01 14:00）请假，请审批\n\n[查看](https://meet.example.org/meetings/${meetingId}/info)`,
      },
    });
    releaseDingtalk?.();
  });

  it('WeCom: the exact markdown JSON, retried with backoff after a failure; e-mail too', async () => {
    const before = mails.length;
    await t
      .http()
      .post(`/api/leave-requests/${await leaveId()}/decision`)
      .set(auth.secretary1)
      .send({ approve: true })
      .expect(200);
    await waitFor('the WeCom retry', () => posts.filter((p) => p.path === '/wecom').length >= 2, 15_000);
    const [failed, retried] = posts.filter((p) => p.path === '/wecom');
    const expected = {
      msgtype: 'markdown',
      markdown: {
        content: `**您对“学习二十大精神”（2027-03-01 14:00）的请假申请已处理**\n[查看](https://meet.example.org/meetings/${meetingId}/info)`,
      },
    };
    expect(failed.body).toEqual(expected);
    expect(retried.body).toEqual(expected);
    await waitFor('the e-mail', () => mails.length > before, 15_000);
    expect(mails[before].subject).toBe('您对“学习二十大精神”（2027-03-01 14:00）的请假申请已处理');
    await t.app.get(DeliveryService).settled();
    const wecom = (await deliveries()).find((d) => d.channel === 'webhook' && d.kind === 'leave.decided');
    expect(wecom).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

async function leaveId(): Promise<string> {
  const [row]: { id: string }[] = await t.ds.query(
    `SELECT id FROM leave_request WHERE status = 'pending' ORDER BY created_at DESC LIMIT 1`,
  );
  return row.id;
}
