import { describe, expect, it } from 'vitest';
import { DownlinkWatch, REPEAT_MS } from './downlink-watch';
import type { ConsumerStats } from './room-connection';

/** A remote mic's counters after `t` seconds: 48,000 samples played a second, `concealed` of them per second. */
function mic(t: number, concealedPerSecond: number, packetsPerSecond = 50): ConsumerStats {
  return {
    consumerId: 'mic-a',
    peerId: 'a',
    kind: 'audio',
    source: 'mic',
    totalSamplesReceived: t * 48_000,
    concealedSamples: t * concealedPerSecond,
    packetsReceived: t * packetsPerSecond,
  };
}
const expected = new Set(['mic-a']);

/** Feeds one poll a second from `from` to `to`; the counters grow by `perSecond(t)` in the second before t. */
function feed(
  watch: DownlinkWatch,
  from: number,
  to: number,
  perSecond: (t: number) => { concealed: number; packets: number },
  start = { concealed: 0, packets: 0 },
) {
  const out: { t: number; report: boolean }[] = [];
  const acc = { ...start };
  for (let t = from; t <= to; t += 1) {
    if (t > 0) {
      const p = perSecond(t);
      acc.concealed += p.concealed;
      acc.packets += p.packets;
    }
    const c: ConsumerStats = { ...mic(t, 0), concealedSamples: acc.concealed, packetsReceived: acc.packets };
    const r = watch.update(t * 1000, [c], expected);
    if (r !== null) out.push({ t, report: r });
  }
  return { out, acc };
}

describe('the receiver’s own view of its downlink', () => {
  it('says nothing while the audio arrives clean, or with a little loss concealed', () => {
    const watch = new DownlinkWatch();
    const { out } = feed(watch, 0, 30, (t) => ({ concealed: t % 5 === 0 ? 3000 : 200, packets: 50 }));
    expect(out).toEqual([]);
  });

  it('reports broken audio within two polls of a collapse, repeats it while broken, and the recovery', () => {
    const watch = new DownlinkWatch();
    const a = feed(watch, 0, 10, () => ({ concealed: 0, packets: 50 }));
    expect(a.out).toEqual([]);
    // The link collapses at 10 s: nothing arrives, everything played is concealed.
    const b = feed(watch, 11, 20, () => ({ concealed: 48_000, packets: 0 }), a.acc);
    expect(b.out[0]).toEqual({ t: 11, report: true }); // the first poll after the collapse
    expect(b.out.filter((x) => x.report).length).toBeGreaterThanOrEqual(1 + Math.floor(8000 / REPEAT_MS));
    // Back: clean again once the window has no broken second left.
    const c = feed(watch, 21, 26, () => ({ concealed: 0, packets: 50 }), b.acc);
    expect(c.out).toEqual([{ t: 22, report: false }]);
  });

  it('judges only audio that should arrive: a muted microphone is not a broken link', () => {
    const watch = new DownlinkWatch();
    for (let t = 0; t <= 10; t += 1)
      expect(watch.update(t * 1000, [mic(t, 48_000, 0)], new Set())).toBeNull();
  });
});
