/**
 * Server-side credit of replay progress reports (补学). A client reports `{ position, playing }` every few
 * seconds and on pause, end and page close; after a report that was playing, the span the position moved over
 * up to the next report (playing or not: the final span before a pause or the end counts) is credited — but
 * only as far as the wall clock moved (play speed at most 1x, plus a little tolerance for timer jitter), never
 * more than `maxCreditSeconds` per report, and nothing at all when the position jumped (a skip ahead or back).
 * Credited spans of the timeline are merged, so watching the same minute twice counts once.
 */

export type Span = [number, number];

export interface LastReport {
  position: number;
  playing: boolean;
  at: Date;
}

export interface CreditOptions {
  /** Recording length (seconds): spans are clipped to it. */
  durationSeconds: number;
  maxCreditSeconds: number;
  /** Seconds a position may run ahead of the wall clock and still count (timer jitter, buffering). */
  toleranceSeconds?: number;
}

/** The span (if any) that `report` at `now` credits after `last`. */
export function creditedSpan(
  last: LastReport | null,
  report: { position: number; playing: boolean },
  now: Date,
  opts: CreditOptions,
): Span | null {
  // The span since a playing report is credited whatever this report says: a pause, the end of the recording
  // or the page closing (`playing: false`) ends a span that was played, and the last seconds count too.
  if (!last || !last.playing) return null;
  const elapsed = (now.getTime() - last.at.getTime()) / 1000;
  const advance = report.position - last.position;
  const tolerance = opts.toleranceSeconds ?? 1.5;
  if (elapsed <= 0 || advance <= 0 || advance > elapsed + tolerance) return null;
  const credit = Math.min(advance, elapsed, opts.maxCreditSeconds);
  const start = Math.max(0, Math.min(last.position, opts.durationSeconds));
  const end = Math.min(start + credit, opts.durationSeconds);
  return end > start ? [start, end] : null;
}

/** `spans` with `add` merged in, sorted and non-overlapping. */
export function mergeSpans(spans: Span[], add: Span | null): Span[] {
  const all = add ? [...spans, add] : [...spans];
  all.sort((a, b) => a[0] - b[0]);
  const out: Span[] = [];
  for (const [s, e] of all) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1e-6) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

export const spansLength = (spans: Span[]) => spans.reduce((sum, [s, e]) => sum + (e - s), 0);
