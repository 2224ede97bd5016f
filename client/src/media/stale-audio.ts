import type { ConsumerStats } from './room-diagnostics';

/** A jitter buffer holding more than this on average (s), while the audio arrives clean and even, is stale. */
export const STALE_DELAY_S = 0.4;
/**
 * Packets arriving this evenly (RFC 3550 interarrival jitter, s, at every poll of the window) need a buffer of a
 * small part of STALE_DELAY_S: what the buffer holds beyond that was grown by a spell that is over.
 */
export const EVEN_JITTER_S = 0.03;
/**
 * The link's round trip back to normal: the latest connectivity check, answered within RTT_FRESH_MS, measured a
 * round trip within RTT_MARGIN_MS of the lowest seen over the last RTT_MEMORY_MS. A queue that grows in the
 * network (the spell still on) delivers audio evenly too (each packet only a few ms later than the one before),
 * seconds late; renewing then would spend the hold before the spell is over. The browser checks a working pair
 * every ~2.5 s.
 */
export const RTT_MARGIN_MS = 150;
const RTT_FRESH_MS = 6000;
const RTT_MEMORY_MS = 120_000;
/** Less than this share concealed over the window: the audio arrives (not still lost or starved). */
const CLEAN_CONCEALED = 0.05;
/** How far back the audio is judged; at least MIN_SPAN_MS of it before a verdict. */
const WINDOW_MS = 2000;
const MIN_SPAN_MS = 1500;
/**
 * After a renewal the same sender's audio is left alone this long; a renewal needed again within RECENT_MS of
 * the last doubles it (up to MAX_HOLD_MS): on a link whose spells keep coming the buffer's size is earned.
 */
export const RENEW_HOLD_MS = 20_000;
const RECENT_MS = 120_000;
const MAX_HOLD_MS = 160_000;

/** The receive pair's connectivity checks (LinkStats). */
export interface LinkChecks {
  checkResponses?: number;
  checkRttTotalMs?: number;
}

/** What each poll adds to a sender's receive counters (jitterBufferDelay, …EmittedCount, concealed, total, packets). */
export interface Counters {
  delay: number;
  emitted: number;
  concealed: number;
  total: number;
  packets: number;
}

interface Step extends Counters {
  from: number;
  at: number;
  /** The interarrival jitter at the step's end (s). */
  jitter: number;
}

interface Sender {
  consumerId: string;
  last: Counters | null;
  lastAt: number | null;
  steps: Step[];
  holdUntil: number;
  holdMs: number;
  renewedAt: number;
}

const countersOf = (c: ConsumerStats): Counters => ({
  delay: c.jitterBufferDelay ?? 0,
  emitted: c.jitterBufferEmittedCount ?? 0,
  concealed: c.concealedSamples ?? 0,
  total: c.totalSamplesReceived ?? 0,
  packets: c.packetsReceived ?? 0,
});

/**
 * Finds remote audio whose jitter buffer holds seconds of delay that the link no longer calls for. After a spell of
 * congestion (a drop, a handover, a tunnel) the audio queued in the network arrives late in a burst; the
 * browser's jitter buffer (NetEq) grows to hold it and then shrinks over tens of seconds, so the person hears
 * everyone a second or more late long after the link is clean again. When the audio arrives clean (little
 * concealed) and even (low interarrival jitter), the round trip is back to normal, but the buffer's mean delay
 * stays above STALE_DELAY_S, a fresh receiver — a new consumer, so a new, empty jitter buffer — puts the audio
 * back in time; what is skipped is audio that was late already. `update` takes the receive statistics polled once
 * a second and answers the audio consumers to renew now.
 */
export class StaleAudioWatch {
  /** Per sender's audio (peer and source): a renewed consumer's successor keeps its hold. */
  private readonly senders = new Map<string, Sender>();

  /** The lowest round trips measured (ms), a minimum per RTT_MEMORY_MS / 4 slot. */
  private readonly rtts: { at: number; ms: number }[] = [];
  /** The round trips measured by the checks answered lately (ms). */
  private fresh: { at: number; ms: number }[] = [];
  private checks?: { responses: number; totalMs: number };

  /**
   * `link`: the receive pair's connectivity checks (LinkStats); without them (a browser that does not report them)
   * the audio alone is judged.
   */
  update(now: number, consumers: ConsumerStats[], link: LinkChecks = {}): string[] {
    const out: string[] = [];
    const linkNormal = this.rttNormal(now, link);
    const seen = new Set<string>();
    for (const c of consumers) {
      if (c.kind !== 'audio') continue;
      const key = `${c.peerId}:${c.source}`;
      seen.add(key);
      let s = this.senders.get(key);
      if (!s) {
        s = {
          consumerId: c.consumerId,
          last: null,
          lastAt: null,
          steps: [],
          holdUntil: 0,
          holdMs: 0,
          renewedAt: -Infinity,
        };
        this.senders.set(key, s);
      }
      if (s.consumerId !== c.consumerId) {
        // A new consumer (renewed, or the session began again): its counters start from zero.
        s.consumerId = c.consumerId;
        s.last = null;
        s.steps = [];
      }
      const cur = countersOf(c);
      const prev = s.last;
      const from = s.lastAt;
      s.last = cur;
      s.lastAt = now;
      if (!prev || from === null) continue;
      s.steps.push({
        from,
        at: now,
        delay: Math.max(0, cur.delay - prev.delay),
        emitted: Math.max(0, cur.emitted - prev.emitted),
        concealed: Math.max(0, cur.concealed - prev.concealed),
        total: Math.max(0, cur.total - prev.total),
        packets: Math.max(0, cur.packets - prev.packets),
        jitter: c.jitter ?? Infinity,
      });
      while (s.steps.length > 1 && now - s.steps[1].from >= WINDOW_MS) s.steps.shift();
      if (!linkNormal || now < s.holdUntil || now - s.steps[0].from < MIN_SPAN_MS) continue;
      if (this.stale(s.steps)) {
        s.holdMs = now - s.renewedAt < RECENT_MS ? Math.min(MAX_HOLD_MS, s.holdMs * 2) : RENEW_HOLD_MS;
        s.holdUntil = now + s.holdMs;
        s.renewedAt = now;
        s.steps = [];
        out.push(c.consumerId);
      }
    }
    // A sender gone (left, or muted for good) is forgotten once its hold is over.
    for (const [key, s] of this.senders) if (!seen.has(key) && now >= s.holdUntil) this.senders.delete(key);
    return out;
  }

  /**
   * Whether the latest check answered within RTT_FRESH_MS measured a round trip near the lowest seen lately (none
   * answered: not normal; no checks reported at all: judged by the audio alone).
   */
  private rttNormal(now: number, link: LinkChecks): boolean {
    const { checkResponses: responses, checkRttTotalMs: totalMs } = link;
    if (responses === undefined || totalMs === undefined) return true;
    const prev = this.checks;
    this.checks = { responses, totalMs };
    if (prev && responses > prev.responses) {
      const ms = (totalMs - prev.totalMs) / (responses - prev.responses);
      this.fresh.push({ at: now, ms });
      const last = this.rtts.at(-1);
      if (last && now - last.at < RTT_MEMORY_MS / 4) last.ms = Math.min(last.ms, ms);
      else this.rtts.push({ at: now, ms });
    }
    this.fresh = this.fresh.filter((r) => now - r.at <= RTT_FRESH_MS);
    while (this.rtts.length > 0 && now - this.rtts[0].at > RTT_MEMORY_MS) this.rtts.shift();
    // The checks wait in the same queue as the media, in order: the latest answered tells the link's state now.
    const latest = this.fresh.at(-1);
    if (!latest) return false;
    return latest.ms <= Math.min(...this.rtts.map((r) => r.ms)) + RTT_MARGIN_MS;
  }

  private stale(steps: Step[]): boolean {
    const sum = (k: 'delay' | 'emitted' | 'concealed' | 'total') => steps.reduce((a, x) => a + x[k], 0);
    const emitted = sum('emitted');
    const total = sum('total');
    return (
      emitted > 0 &&
      total > 0 &&
      sum('delay') / emitted > STALE_DELAY_S &&
      sum('concealed') / total < CLEAN_CONCEALED &&
      steps.every((x) => x.packets > 0 && x.jitter <= EVEN_JITTER_S)
    );
  }
}
