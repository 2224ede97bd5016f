import type { ConsumerStats } from './room-diagnostics';

/** Over the window, more of the played audio than this concealed (or no packet at all): the audio is broken. */
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

interface Step {
  /** The interval the counters cover. */
  from: number;
  at: number;
  concealed: number;
  total: number;
  packets: number;
}

/**
 * The person's own view of their downlink, from the remote audio that should be arriving (`expected`: producers
 * not paused): when most of it is concealed, or none arrives, the link collapsed — what the server learns from its
 * estimate comes seconds later, behind the queue the video builds, so the person tells it. `update` answers what
 * to report now (true: broken, false: clean again after being broken), or null.
 */
export class DownlinkWatch {
  private readonly last = new Map<string, { concealed: number; total: number; packets: number }>();
  private steps: Step[] = [];
  private broken = false;
  private reportedAt = 0;
  private lastAt: number | null = null;

  update(now: number, consumers: ConsumerStats[], expected: ReadonlySet<string>): boolean | null {
    const step: Step = { from: this.lastAt ?? now, at: now, concealed: 0, total: 0, packets: 0 };
    this.lastAt = now;
    let audio = 0;
    for (const c of consumers) {
      if (c.kind !== 'audio') continue;
      const cur = {
        concealed: c.concealedSamples ?? 0,
        total: c.totalSamplesReceived ?? 0,
        packets: c.packetsReceived ?? 0,
      };
      const prev = this.last.get(c.consumerId);
      this.last.set(c.consumerId, cur);
      if (!prev || !expected.has(c.consumerId)) continue;
      audio += 1;
      step.concealed += Math.max(0, cur.concealed - prev.concealed);
      step.total += Math.max(0, cur.total - prev.total);
      step.packets += Math.max(0, cur.packets - prev.packets);
    }
    const live = new Set(consumers.map((c) => c.consumerId));
    for (const id of [...this.last.keys()]) if (!live.has(id)) this.last.delete(id);
    if (audio === 0) {
      // Nothing to judge by (nobody's microphone on): the window starts again.
      this.steps = [];
      return null;
    }
    this.steps.push(step);
    while (this.steps.length > 1 && now - this.steps[1].from >= WINDOW_MS) this.steps.shift();
    // Every second the video keeps flowing into a collapsed link is seconds of queue ahead of the audio.
    const collapsed =
      step.at - step.from >= MIN_STEP_MS &&
      (step.total > 0 ? step.concealed / step.total : 1) > COLLAPSED_CONCEALED;
    if (!collapsed && now - this.steps[0].from < MIN_SPAN_MS) return null;
    const sum = this.steps.reduce(
      (a, s) => ({
        concealed: a.concealed + s.concealed,
        total: a.total + s.total,
        packets: a.packets + s.packets,
      }),
      { concealed: 0, total: 0, packets: 0 },
    );
    const share = sum.total > 0 ? sum.concealed / sum.total : 1;
    if (!this.broken && (collapsed || share > BROKEN_CONCEALED || sum.packets === 0)) {
      this.broken = true;
      this.reportedAt = now;
      return true;
    }
    if (this.broken && sum.packets > 0 && share < CLEAN_CONCEALED) {
      this.broken = false;
      return false;
    }
    if (this.broken && now - this.reportedAt >= REPEAT_MS) {
      this.reportedAt = now;
      return true;
    }
    return null;
  }
}
