import { creditedSpan, mergeSpans, spansLength, type LastReport } from './watch-credit';

const opts = { durationSeconds: 100, maxCreditSeconds: 30 };
const at = (s: number) => new Date(1_000_000 + s * 1000);
const last = (position: number, t: number, playing = true): LastReport => ({ position, playing, at: at(t) });

describe('replay credit', () => {
  it('credits the span played at play speed between two playing reports', () => {
    expect(creditedSpan(last(10, 0), { position: 15, playing: true }, at(5), opts)).toEqual([10, 15]);
  });

  it('credits no more than the wall clock moved (a 2x player gets 1x)', () => {
    expect(creditedSpan(last(10, 0), { position: 16, playing: true }, at(5), opts)).toEqual([10, 15]);
  });

  it('credits nothing for a skip ahead, a jump back, or a paused interval', () => {
    expect(creditedSpan(last(10, 0), { position: 90, playing: true }, at(5), opts)).toBeNull();
    expect(creditedSpan(last(50, 0), { position: 40, playing: true }, at(5), opts)).toBeNull();
    expect(creditedSpan(last(10, 0, false), { position: 15, playing: true }, at(5), opts)).toBeNull();
    expect(creditedSpan(null, { position: 15, playing: true }, at(5), opts)).toBeNull();
  });

  it('caps one report at maxCreditSeconds and clips to the recording', () => {
    expect(creditedSpan(last(10, 0), { position: 70, playing: true }, at(60), opts)).toEqual([10, 40]);
    expect(creditedSpan(last(98, 0), { position: 103, playing: true }, at(5), opts)).toEqual([98, 100]);
  });

  it('merges spans so a replayed minute counts once', () => {
    const spans = mergeSpans(mergeSpans(mergeSpans([], [0, 10]), [5, 20]), [30, 40]);
    expect(spans).toEqual([
      [0, 20],
      [30, 40],
    ]);
    expect(spansLength(mergeSpans(spans, [0, 20]))).toBe(30);
  });
});
