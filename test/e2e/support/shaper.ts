/**
 * A user-space link emulator (this machine's kernel has no sch_netem): IP packets arrive as UDP datagrams from
 * two `socat TUN <-> UDP` adaptors (one tun device per side of the link) and are passed between them, each
 * direction with random loss, a rate-limited FIFO of at most `queuePackets` packets (a token bucket drains it at
 * `rateBps`), and a fixed delay. The profile can change while packets are queued: the queue then drains at the
 * new rate, as a real bottleneck does.
 *
 * Run as a child process (`fork`): argv = the two adaptors' UDP ports, messages `{ profile }` change the link,
 * `{ stats: true }` answers with counters. Timing lives in its own process so the test's own work does not delay
 * packets.
 */
import { createSocket, type Socket } from 'node:dgram';

export interface LinkProfile {
  /** Bits per second each way; 0 or absent: unlimited. */
  rateBps?: number;
  /** Fixed one-way delay (ms) each way. */
  delayMs?: number;
  /** Random loss each way, 0..1. */
  loss?: number;
  /** The bottleneck queue's length in packets (default 1000). */
  queuePackets?: number;
}

interface Packet {
  data: Buffer;
  at: number;
}

/** One direction of the link. */
export class LinkDirection {
  private readonly queue: Packet[] = [];
  private readonly delayLine: Packet[] = [];
  private tokens = 0; // bytes
  private last = performance.now();
  readonly counters = { in: 0, out: 0, lost: 0, overflow: 0, maxQueue: 0 };

  constructor(
    private profile: LinkProfile,
    private readonly deliver: (data: Buffer) => void,
    private readonly random: () => number = Math.random,
  ) {}

  setProfile(profile: LinkProfile): void {
    this.profile = profile;
  }

  get queued(): number {
    return this.queue.length;
  }

  push(data: Buffer, now = performance.now()): void {
    this.counters.in += 1;
    if ((this.profile.loss ?? 0) > 0 && this.random() < (this.profile.loss ?? 0)) {
      this.counters.lost += 1;
      return;
    }
    if (this.queue.length >= (this.profile.queuePackets ?? 1000)) {
      this.counters.overflow += 1;
      return;
    }
    this.queue.push({ data, at: now });
    this.counters.maxQueue = Math.max(this.counters.maxQueue, this.queue.length);
    this.tick(now);
  }

  /** Moves what the rate allows from the queue into the delay line, and delivers what has waited its delay. */
  tick(now = performance.now()): void {
    const rate = this.profile.rateBps ?? 0;
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    if (rate > 0) {
      // A bucket of 20 ms worth (at least one full packet) so late timers do not cost throughput.
      const burst = Math.max(1600, (rate / 8) * 0.02);
      this.tokens = Math.min(burst, this.tokens + (rate / 8) * (elapsed / 1000));
    }
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (rate > 0) {
        if (this.tokens < head.data.length) break;
        this.tokens -= head.data.length;
      }
      this.queue.shift();
      this.delayLine.push({ data: head.data, at: now + (this.profile.delayMs ?? 0) });
    }
    while (this.delayLine.length > 0 && this.delayLine[0].at <= now) {
      this.counters.out += 1;
      this.deliver(this.delayLine.shift()!.data);
    }
  }
}

/** Both directions between two adaptors' UDP ports: `a` is the server's side, `b` the member's. */
export class Shaper {
  private readonly sock: Socket;
  readonly down: LinkDirection; // a → b (towards the member)
  readonly up: LinkDirection; // b → a
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly ports: { listenA: number; sendA: number; listenB: number; sendB: number },
    profile: LinkProfile = {},
  ) {
    this.sock = createSocket('udp4');
    const b = createSocket('udp4');
    this.down = new LinkDirection(profile, (d) => b.send(d, ports.sendB, '127.0.0.1'));
    this.up = new LinkDirection(profile, (d) => this.sock.send(d, ports.sendA, '127.0.0.1'));
    this.sock.on('message', (d) => this.down.push(d));
    b.on('message', (d) => this.up.push(d));
    this.sock.bind(ports.listenA, '127.0.0.1');
    b.bind(ports.listenB, '127.0.0.1');
    this.timer = setInterval(() => {
      const now = performance.now();
      this.down.tick(now);
      this.up.tick(now);
    }, 1);
    this.closeB = () => b.close();
  }

  private readonly closeB: () => void;

  setProfile(profile: LinkProfile): void {
    this.down.setProfile(profile);
    this.up.setProfile(profile);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.sock.close();
    this.closeB();
  }
}

if (require.main === module) {
  const [listenA, sendA, listenB, sendB] = process.argv.slice(2).map(Number);
  const shaper = new Shaper({ listenA, sendA, listenB, sendB });
  process.on('message', (m: { profile?: LinkProfile; stats?: boolean }) => {
    if (m.profile) shaper.setProfile(m.profile);
    if (m.stats) process.send?.({ down: shaper.down.counters, up: shaper.up.counters });
  });
  process.on('disconnect', () => {
    shaper.close();
    process.exit(0);
  });
  process.send?.({ ready: true });
}
