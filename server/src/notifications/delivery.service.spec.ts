/**
 * DeliveryService against a faked DeliveryRepository (in memory) and a real robot (a local HTTP server): a taken
 * message is marked sent; a refused one, one to a host not allowed, or an e-mail without SMTP is retried after
 * the base wait doubled per attempt, and given up at the last attempt; a full batch is followed by another claim.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../config/config';
import { DELIVERY_BATCH, type ClaimedDelivery, type DeliveryRepository } from './delivery.repository';
import { DeliveryService } from './delivery.service';

let robot: Server;
let robotUrl: string;
/** What the robot answers next (both robots answer 200 with errcode 0 when they take the message). */
let answer = { errcode: 0, errmsg: 'ok' };
const received: unknown[] = [];

beforeAll(async () => {
  robot = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => robot.listen(0, '127.0.0.1', resolve));
  robotUrl = `http://127.0.0.1:${(robot.address() as AddressInfo).port}/robot/send`;
});

afterAll(async () => {
  await new Promise((resolve) => robot.close(resolve));
});

const config = {
  PUBLIC_URL: 'http://localhost:3000',
  MAIL_FROM: 'no-reply@branchmeet.local',
  SMTP_URL: undefined,
  // The retry waits are longer than the tick: no retry timer of its own is started.
  NOTIFY_TICK_SECONDS: 30,
  NOTIFY_RETRY_BASE_SECONDS: 60,
  NOTIFY_MAX_ATTEMPTS: 3,
  NOTIFY_SEND_TIMEOUT_SECONDS: 5,
  NOTIFY_WEBHOOK_HOSTS: ['127.0.0.1'],
} as unknown as AppConfig;

function delivery(over: Partial<ClaimedDelivery> = {}): ClaimedDelivery {
  return {
    id: 'd1',
    channel: 'webhook',
    target: robotUrl,
    webhook_kind: 'dingtalk',
    attempts: 1,
    kind: 'meeting.started',
    meeting_id: 'm1',
    params: { title: '支部党员大会', unitName: '第一支部' },
    ...over,
  };
}

/** The service over an in-memory queue: each claim takes up to a batch of what is left. */
function setup(queue: ClaimedDelivery[]) {
  const leases: number[] = [];
  const sent: string[] = [];
  const failed: { id: string; status: string; error: string; wait: number }[] = [];
  const repo: Partial<DeliveryRepository> = {
    claimDue: async (lease) => {
      leases.push(lease);
      return queue.splice(0, DELIVERY_BATCH);
    },
    markSent: async (id) => {
      sent.push(id);
    },
    markFailed: async (id, status, error, wait) => {
      failed.push({ id, status, error, wait });
    },
  };
  const service = new DeliveryService(repo as DeliveryRepository, config);
  const run = async () => {
    service.kick();
    await service.settled();
  };
  return { run, leases, sent, failed };
}

describe('DeliveryService (repository faked)', () => {
  beforeEach(() => {
    answer = { errcode: 0, errmsg: 'ok' };
    received.length = 0;
  });

  it('sends a robot message and marks it sent; claims with a lease of twice the send timeout', async () => {
    const { run, leases, sent, failed } = setup([delivery()]);
    await run();
    expect(sent).toEqual(['d1']);
    expect(failed).toEqual([]);
    expect(leases).toEqual([10]);
    expect(received).toHaveLength(1);
    expect(JSON.stringify(received[0])).toContain('支部党员大会');
  });

  it('retries a refused message after the base wait doubled per attempt, and gives up at the last', async () => {
    answer = { errcode: 310000, errmsg: 'sign not match' };
    const { run, sent, failed } = setup([
      delivery({ id: 'first', attempts: 1 }),
      delivery({ id: 'second', attempts: 2 }),
      delivery({ id: 'last', attempts: 3 }),
    ]);
    await run();
    expect(sent).toEqual([]);
    expect(failed).toEqual([
      { id: 'first', status: 'pending', error: 'HTTP 200 sign not match', wait: 60 },
      { id: 'second', status: 'pending', error: 'HTTP 200 sign not match', wait: 120 },
      { id: 'last', status: 'failed', error: 'HTTP 200 sign not match', wait: 240 },
    ]);
  });

  it('refuses a robot on a host no longer allowed, and an e-mail without SMTP, without sending', async () => {
    const { run, failed } = setup([
      delivery({ id: 'robot', target: 'https://oapi.dingtalk.com/robot/send?access_token=x' }),
      delivery({ id: 'mail', channel: 'email', target: 'ann@example.org', webhook_kind: null }),
    ]);
    await run();
    expect(received).toEqual([]);
    expect(failed.map((f) => [f.id, f.status, f.error])).toEqual([
      ['robot', 'pending', 'robot host not allowed (NOTIFY_WEBHOOK_HOSTS): oapi.dingtalk.com'],
      ['mail', 'pending', 'SMTP_URL is not set'],
    ]);
  });

  it('claims again after a full batch, and stops after a short one', async () => {
    const queue = Array.from({ length: DELIVERY_BATCH + 1 }, (_, i) => delivery({ id: `d${i}` }));
    const { run, leases, sent } = setup(queue);
    await run();
    expect(leases).toHaveLength(2);
    expect(sent).toHaveLength(DELIVERY_BATCH + 1);
  });
});
