/**
 * Child process of `rtc-flood.int-spec.ts`: the flooder, in a process of its own (an attacker's CPU is not the
 * server's; in the test's process its socket.io encoding would slow the measured requests as much as the server's
 * work). Reads its orders from FLOOD (JSON): `sockets` sockets of one person each send `perSocket` requests of
 * `event` in batches of `batch` every `everyMs` ms, reconnecting when cut off (and knocking every `knockMs` while the
 * server refuses the handshake), until stdin closes (the parent's measurement is done) and their share is sent —
 * or, shut out at that moment, at once; while shut out, what a socket meant to send is counted as not sent.
 * Socket 0 first joins `meetingId` when `join`. Prints `started`, then one JSON line at the end:
 * { sent, codes: { ok | error code | 'not sent (shut out)' | 'handshake refused': count }, cutOff, seconds }.
 */
import { io, type Socket } from 'socket.io-client';

interface Orders {
  baseUrl: string;
  token: string;
  protocol: number;
  event: 'minutes.open' | 'chat.send';
  meetingId: string;
  sockets: number;
  perSocket: number;
  batch: number;
  everyMs: number;
  /** How often a shut-out socket tries to connect again. */
  knockMs: number;
  join: boolean;
}
type Ack = { ok: true; data: unknown } | { ok: false; error: { code: string } };

const o = JSON.parse(process.env.FLOOD ?? '{}') as Orders;
let stop = false;
process.stdin.on('end', () => (stop = true));
process.stdin.on('close', () => (stop = true));
process.stdin.resume();

const codes: Record<string, number> = {};
const count = (code: string) => (codes[code] = (codes[code] ?? 0) + 1);
let sent = 0;
let cutOff = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function connect(): Promise<Socket> {
  const socket = io(`${o.baseUrl}/rtc`, {
    auth: { token: o.token, protocol: o.protocol, lang: 'en' },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const request = (socket: Socket, event: string, payload: unknown): Promise<Ack> =>
  (socket.timeout(5000).emitWithAck(event, payload) as Promise<Ack>).catch(() => ({
    ok: false,
    error: { code: 'no answer' },
  }));

const payload = (i: number) => (o.event === 'chat.send' ? { text: `刷屏 ${i}` } : { meetingId: o.meetingId });

async function flooder(index: number): Promise<void> {
  const pending: Promise<void>[] = [];
  let socket: Socket | null = null;
  let mine = 0;
  while (!stop || mine < o.perSocket) {
    if (!socket?.connected) {
      if (socket) cutOff++;
      socket?.close();
      socket = await connect().catch(() => (count('handshake refused'), null));
      if (!socket) {
        // Shut out for a while: an attacker keeps knocking (a handshake flood); what it meant to send is lost.
        if (mine < o.perSocket) {
          const lost = Math.min(o.batch, o.perSocket - mine);
          codes['not sent (shut out)'] = (codes['not sent (shut out)'] ?? 0) + lost;
          mine += lost;
        }
        if (stop && mine >= o.perSocket) break;
        await sleep(o.knockMs);
        continue;
      }
      if (o.join && index === 0)
        await request(socket, 'room.join', { meetingId: o.meetingId }).then((a) =>
          count(`join ${a.ok ? 'ok' : a.error.code}`),
        );
    }
    for (let k = 0; k < o.batch; k++, mine++, sent++)
      pending.push(
        request(socket, o.event, payload(mine)).then((a) => void count(a.ok ? 'ok' : a.error.code)),
      );
    await sleep(o.everyMs);
  }
  await Promise.all(pending);
  socket?.close();
}

const started = Date.now();
process.stdout.write('started\n');
void Promise.all(Array.from({ length: o.sockets }, (_, i) => flooder(i))).then(() => {
  process.stdout.write(
    `${JSON.stringify({ sent, codes, cutOff, seconds: (Date.now() - started) / 1000 })}\n`,
  );
  process.exit(0);
});
