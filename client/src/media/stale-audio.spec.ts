import { describe, expect, it } from 'vitest';
import type { ConsumerStats } from './room-connection';
import { RENEW_HOLD_MS, StaleAudioWatch, type Counters } from './stale-audio';

/** One remote mic as the receiver's statistics show it; `second` says what each second adds. */
type Mic = Counters & { consumerId: string; peerId: string; jitter: number };
const mic = (peerId: string, consumerId = `mic-${peerId}`): Mic => ({
  consumerId,
  peerId,
  delay: 0,
  emitted: 0,
  concealed: 0,
  total: 0,
  packets: 0,
  jitter: 0.002,
});
const stats = (mics: Mic[]): ConsumerStats[] =>
  mics.map((m) => ({
    consumerId: m.consumerId,
    peerId: m.peerId,
    kind: 'audio' as const,
    source: 'mic' as const,
    jitterBufferDelay: m.delay,
    jitterBufferEmittedCount: m.emitted,
    concealedSamples: m.concealed,
    totalSamplesReceived: m.total,
    packetsReceived: m.packets,
    jitter: m.jitter,
  }));

interface Second {
  /** The buffer's mean delay over the second (s). */
  delayS: number;
  concealedShare?: number;
  packets?: number;
  jitterS?: number;
}

/** Polls once a second from `from` to `to`, each mic's counters growing by `second(mic, t)`; the renewals. */
function feed(
  watch: StaleAudioWatch,
  mics: Mic[],
  from: number,
  to: number,
  second: (m: Mic, t: number) => Second,
) {
  const out: { t: number; ids: string[] }[] = [];
  for (let t = from; t <= to; t += 1) {
    if (t > from)
      for (const m of mics) {
        const s = second(m, t);
        m.emitted += 48_000;
        m.delay += 48_000 * s.delayS;
        m.total += 48_000;
        m.concealed += 48_000 * (s.concealedShare ?? 0);
        m.packets += s.packets ?? 50;
        m.jitter = s.jitterS ?? 0.002;
      }
    const ids = watch.update(t * 1000, stats(mics));
    if (ids.length) out.push({ t, ids });
  }
  return out;
}

describe('StaleAudioWatch', () => {
  it('leaves audio played in time alone, however long', () => {
    const w = new StaleAudioWatch();
    expect(feed(w, [mic('a')], 0, 60, () => ({ delayS: 0.08 }))).toEqual([]);
  });

  it('renews audio that arrives clean and even while its buffer still holds a second of delay', () => {
    const w = new StaleAudioWatch();
    const a = mic('a');
    // In time, then a congested spell (late, uneven, concealed), then clean and even but played 1.5 s late.
    const renewals = feed(w, [a], 0, 20, (_, t) =>
      t <= 5
        ? { delayS: 0.08 }
        : t <= 10
          ? { delayS: 0.9, concealedShare: 0.4, jitterS: 0.25, packets: 10 }
          : { delayS: 1.5 },
    );
    // Not during the spell; the first poll whose two seconds are all clean and even.
    expect(renewals).toEqual([{ t: 12, ids: ['mic-a'] }]);
  });

  it('does not renew while the arrival is still uneven or the audio still concealed', () => {
    const w = new StaleAudioWatch();
    expect(feed(w, [mic('a')], 0, 30, () => ({ delayS: 1.2, jitterS: 0.08 }))).toEqual([]);
    expect(feed(w, [mic('b')], 0, 30, () => ({ delayS: 1.2, concealedShare: 0.1 }))).toEqual([]);
    // A second with no packet at all (the sender went quiet without DTX): not judged.
    expect(feed(w, [mic('c')], 0, 30, (_, t) => ({ delayS: 1.2, packets: t % 2 ? 50 : 0 }))).toEqual([]);
  });

  it('waits a hold before renewing the same sender again, and doubles it when renewals keep coming', () => {
    const w = new StaleAudioWatch();
    const a = mic('a');
    const renewed: number[] = [];
    let gen = 0;
    for (let t = 0; t <= 200; t += 1) {
      a.emitted += 48_000;
      a.delay += 48_000 * 1.2;
      a.total += 48_000;
      a.packets += 50;
      const ids = w.update(t * 1000, stats([a]));
      if (ids.length) {
        renewed.push(t);
        // The client's new consumer of the same producer: counters from zero, the buffer grown again.
        gen += 1;
        Object.assign(a, mic('a', `mic-a-${gen}`));
      }
    }
    const hold = RENEW_HOLD_MS / 1000;
    expect(renewed[0]).toBe(2);
    expect(renewed[1] - renewed[0]).toBe(hold);
    expect(renewed[2] - renewed[1]).toBe(2 * hold);
    expect(renewed[3] - renewed[2]).toBe(4 * hold);
  });

  it('waits for the checks to measure a round trip near the lowest again: a growing queue delivers evenly too', () => {
    const w = new StaleAudioWatch();
    const a = mic('a');
    const renewed: number[] = [];
    const checks = { checkResponses: 0, checkRttTotalMs: 0 };
    for (let t = 0; t <= 35; t += 1) {
      a.emitted += 48_000;
      a.delay += 48_000 * (t < 7 ? 0.08 : 1.0);
      a.total += 48_000;
      a.packets += 50;
      // A check answered every 2 s: 160 ms; from t = 5 a queue of seconds in the network (the audio even, but
      // late; the buffer grows from t = 7), and from t = 10 to 20 no answer at all; from t = 20 165 ms again.
      if (t % 2 === 0 && (t < 10 || t >= 20)) {
        checks.checkResponses += 1;
        checks.checkRttTotalMs += t < 5 ? 160 : t < 20 ? 2500 : 165;
      }
      if (w.update(t * 1000, stats([a]), checks).length) renewed.push(t);
    }
    // Not while the checks measure seconds, nor while none is answered; at once when one measures 165 ms again.
    expect(renewed).toEqual([20]);
  });

  it('judges each sender on its own', () => {
    const w = new StaleAudioWatch();
    const renewals = feed(w, [mic('a'), mic('b')], 0, 4, (m) => ({ delayS: m.peerId === 'a' ? 1.0 : 0.1 }));
    expect(renewals).toEqual([{ t: 2, ids: ['mic-a'] }]);
  });
});
