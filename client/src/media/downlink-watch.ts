import type { ConsumerStats } from './room-diagnostics';

/** Over the window, more of a peer's played audio than this concealed: its audio is broken. */
export const BROKEN_CONCEALED = 0.3;
/** In the last poll alone (of at least MIN_STEP_MS), more than this concealed: broken at once, not a poll later. */
export const COLLAPSED_CONCEALED = 0.6;
const MIN_STEP_MS = 800;
/** Over the window, less than this concealed (and packets arriving): the audio is clean again. */
export const CLEAN_CONCEALED = 0.05;
/** How far back the audio is judged; at least MIN_SPAN_MS of it before a verdict. */
const WINDOW_MS = 2000;
const MIN_SPAN_MS = 1500;
/** While broken, the report is repeated this often (a try of video the server began meanwhile must end). */
export const REPEAT_MS = 3000;

interface Counts {
  concealed: number;
  total: number;
  packets: number;
}

interface Step {
  /** The interval the counters cover. */
  from: number;
  at: number;
  /** Per remote peer: its expected audio's counts over the interval. */
  audio: Map<string, Counts>;
  /** Video packets received (from anyone) over the interval. */
  videoPackets: number;
}

const share = (c: Counts) => (c.total > 0 ? c.concealed / c.total : 1);
const add = (a: Counts, b: Counts): Counts => ({
  concealed: a.concealed + b.concealed,
  total: a.total + b.total,
  packets: a.packets + b.packets,
});

/**
 * The person's own view of their downlink, from the remote audio that should be arriving (`expected`: producers
 * not paused): when most of it is concealed, the link collapsed — what the server learns from its estimate comes
 * seconds later, behind the queue the video builds, so the person tells it. It is the link, not a sender, only
 * when every peer's audio is broken and video still trickles in (a sender whose network died sends nothing at
 * all; another peer's audio still arriving clean says the link carries it). `update` answers what to report now
 * (true: broken, false: clean again after being broken), or null.
 */
export class DownlinkWatch {
  private readonly last = new Map<string, Counts>();
  private steps: Step[] = [];
  private broken = false;
  private reportedAt = 0;
  private lastAt: number | null = null;

  update(now: number, consumers: ConsumerStats[], expected: ReadonlySet<string>): boolean | null {
    const step: Step = { from: this.lastAt ?? now, at: now, audio: new Map(), videoPackets: 0 };
    this.lastAt = now;
    for (const c of consumers) {
      const cur = {
        concealed: c.concealedSamples ?? 0,
        total: c.totalSamplesReceived ?? 0,
        packets: c.packetsReceived ?? 0,
      };
      const prev = this.last.get(c.consumerId);
      this.last.set(c.consumerId, cur);
      if (!prev) continue;
      const d = {
        concealed: Math.max(0, cur.concealed - prev.concealed),
        total: Math.max(0, cur.total - prev.total),
        packets: Math.max(0, cur.packets - prev.packets),
      };
      if (c.kind === 'video') step.videoPackets += d.packets;
      else if (expected.has(c.consumerId))
        step.audio.set(c.peerId, add(step.audio.get(c.peerId) ?? { concealed: 0, total: 0, packets: 0 }, d));
    }
    const live = new Set(consumers.map((c) => c.consumerId));
    for (const id of [...this.last.keys()]) if (!live.has(id)) this.last.delete(id);
    if (step.audio.size === 0) {
      // Nothing to judge by (nobody's microphone on): the window starts again.
      this.steps = [];
      return null;
    }
    this.steps.push(step);
    while (this.steps.length > 1 && now - this.steps[1].from >= WINDOW_MS) this.steps.shift();
    const peers = [...step.audio.keys()];
    const window = (peer: string) =>
      this.steps.reduce((a, s) => add(a, s.audio.get(peer) ?? { concealed: 0, total: 0, packets: 0 }), {
        concealed: 0,
        total: 0,
        packets: 0,
      });
    const spanned = now - this.steps[0].from >= MIN_SPAN_MS;
    // Every second the video keeps flowing into a collapsed link is seconds of queue ahead of the audio.
    const long = step.at - step.from >= MIN_STEP_MS;
    const peerBroken = (peer: string) =>
      (long && share(step.audio.get(peer)!) > COLLAPSED_CONCEALED) ||
      (spanned && share(window(peer)) > BROKEN_CONCEALED);
    const videoArrives = step.videoPackets > 0;
    if (!this.broken && videoArrives && peers.every(peerBroken)) {
      this.broken = true;
      this.reportedAt = now;
      return true;
    }
    if (!this.broken || !spanned) return null;
    const all = peers.map(window).reduce(add);
    if (all.packets > 0 && share(all) < CLEAN_CONCEALED) {
      this.broken = false;
      return false;
    }
    if (now - this.reportedAt >= REPEAT_MS) {
      this.reportedAt = now;
      return true;
    }
    return null;
  }
}
