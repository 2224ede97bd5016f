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

  it('credits the final span on a pause, the end or a page close (a report that is not playing)', () => {
    // A 23 s recording watched to the end: the last report while playing was at 20 s, the end at 23 s.
    const short = { durationSeconds: 23, maxCreditSeconds: 30 };
    expect(creditedSpan(last(20, 0), { position: 23, playing: false }, at(3), short)).toEqual([20, 23]);
    // Still bounded by the wall clock: an `ended` claimed 1 s after a report 10 s earlier in the video.
    expect(creditedSpan(last(13, 0), { position: 23, playing: false }, at(1), short)).toBeNull();
    // Paused, then a report while still paused: nothing more.
    expect(creditedSpan(last(23, 3, false), { position: 23, playing: false }, at(10), short)).toBeNull();
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
