import { DownlinkPolicy, PAUSE_BPS, RESUME_BPS, type DownlinkTimings } from './downlink';

const timings: DownlinkTimings = { pauseAfterMs: 2_000, holdMs: 6_000, maxHoldMs: 24_000, probeMs: 6_000 };

/** Feeds one sample a second from `from` to `to` (inclusive); returns the times at which video switched. */
function run(
  policy: DownlinkPolicy,
  from: number,
  to: number,
  sample: (t: number) => { availableBps?: number; minVideoScore?: number; videoWanted?: boolean },
): number[] {
  const switches: number[] = [];
  for (let t = from; t <= to; t += 1000) if (policy.update({ now: t, ...sample(t) })) switches.push(t);
  return switches;
}

describe('downlink policy: video gives way before audio suffers', () => {
  it('keeps video on a link with room for it', () => {
    const policy = new DownlinkPolicy(timings);
    expect(run(policy, 0, 30_000, () => ({ availableBps: 600_000, minVideoScore: 9 }))).toEqual([]);
    expect(policy.videoOn).toBe(true);
  });

  it('a single low estimate does not pause video; one that stays low does, within the pause delay', () => {
    const policy = new DownlinkPolicy(timings);
    run(policy, 0, 0, () => ({ availableBps: PAUSE_BPS - 1 }));
    run(policy, 1000, 1000, () => ({ availableBps: 500_000 }));
    expect(policy.videoOn).toBe(true);
    const switches = run(policy, 2000, 9000, () => ({ availableBps: 100_000 }));
    expect(switches).toEqual([4000]);
    expect(policy.state).toBe('audio-only');
  });

  it('an estimate that cannot even carry audio pauses video at once', () => {
    const policy = new DownlinkPolicy(timings);
    run(policy, 0, 0, () => ({ availableBps: 500_000 }));
    expect(run(policy, 1000, 1000, () => ({ availableBps: 50_000 }))).toEqual([1000]);
  });

  it('a try whose estimate stays on the floor (the link carries less still) ends after the pause delay', () => {
    const policy = new DownlinkPolicy(timings);
    policy.update({ now: 0, availableBps: 50_000 });
    policy.update({ now: 6000 });
    expect(policy.state).toBe('probing');
    expect(run(policy, 7000, 9000, () => ({ availableBps: PAUSE_BPS }))).toEqual([8000]);
    expect(policy.holdMs).toBe(12_000);
  });

  it('a receiver with no video to receive is never switched to audio only: its low estimate is audio’s own', () => {
    const policy = new DownlinkPolicy(timings);
    expect(run(policy, 0, 5000, () => ({ availableBps: 30_000, videoWanted: false }))).toEqual([]);
    expect(policy.update({ now: 6000, congested: true, videoWanted: false })).toBe(false);
  });

  it('the receiver’s report of broken audio pauses at once and ends a try; clean audio brings the first try early', () => {
    const policy = new DownlinkPolicy(timings);
    run(policy, 0, 0, () => ({ availableBps: 500_000 }));
    expect(policy.update({ now: 500, congested: true })).toBe(true);
    expect(policy.update({ now: 1500, congested: false })).toBe(false);
    expect(run(policy, 2000, 3000, () => ({}))).toEqual([3000]); // not before the pause delay
    expect(policy.state).toBe('probing');
    expect(policy.update({ now: 3500, congested: true })).toBe(true); // the try broke audio again
    expect(policy.holdMs).toBe(12_000);
    policy.update({ now: 4000, congested: false });
    expect(run(policy, 5000, 15_000, () => ({}))).toEqual([]); // a failed try: held 12 s, clean audio or not
    expect(run(policy, 16_000, 16_000, () => ({}))).toEqual([16_000]);
  });

  it('pauses video whose scores say it arrives broken, even when the estimate looks fine', () => {
    const policy = new DownlinkPolicy(timings);
    run(policy, 0, 5000, () => ({ availableBps: 400_000, minVideoScore: 2 }));
    expect(policy.videoOn).toBe(false);
  });

  it('tries video again after the hold time and keeps it when the link has recovered', () => {
    const policy = new DownlinkPolicy(timings);
    run(policy, 0, 2000, () => ({ availableBps: 100_000 })); // paused at 2 s
    expect(policy.videoOn).toBe(false);
    // The estimate stays where audio alone leaves it, but the hold time ends: a try.
    const switches = run(policy, 3000, 20_000, () => ({ availableBps: 300_000, minVideoScore: 8 }));
    expect(switches).toEqual([4000]); // the roomy estimate shortens the hold to the pause delay
    expect(policy.state).toBe('video');
  });

  it('a failed try pauses again and doubles the hold time, up to its cap; success resets it', () => {
    const policy = new DownlinkPolicy(timings);
    const starved = () => ({ availableBps: 100_000, minVideoScore: 2 });
    run(policy, 0, 2000, starved);
    expect(policy.holdMs).toBe(6000);
    const switches = run(policy, 3000, 60_000, starved);
    // paused at 2 s → try at 8 s → paused at 10 s (hold 12 s) → try at 22 s → paused at 24 s (hold 24 s) → 48 s …
    expect(switches.slice(0, 5)).toEqual([8000, 10_000, 22_000, 24_000, 48_000]);
    expect(policy.holdMs).toBe(24_000);
    run(policy, 61_000, 100_000, () => ({ availableBps: RESUME_BPS, minVideoScore: 9 }));
    expect(policy.state).toBe('video');
    expect(policy.holdMs).toBe(6000);
  });

  it('a tick of the clock without a new estimate does not forget that the last one was low', () => {
    const policy = new DownlinkPolicy(timings);
    policy.update({ now: 0, availableBps: 50_000 });
    policy.update({ now: 1000 });
    policy.update({ now: 2000 });
    expect(policy.videoOn).toBe(false);
  });

  it('remembers the latest estimate for the layer choice', () => {
    const policy = new DownlinkPolicy(timings);
    policy.update({ now: 0, availableBps: 321_000 });
    policy.update({ now: 1, minVideoScore: 10 });
    expect(policy.estimateBps).toBe(321_000);
  });

  it('a try whose estimate climbs from the one that decayed while only audio flowed is not cut short', () => {
    const policy = new DownlinkPolicy(timings);
    for (let t = 0; t <= 3000; t += 1000) policy.update({ now: t, availableBps: 60_000 });
    expect(policy.state).toBe('audio-only');
    policy.update({ now: 9000, availableBps: 60_000 }); // the hold is over: a try
    expect(policy.state).toBe('probing');
    // The try floors the transport's estimate (downlink-guard.ts): it starts there and climbs.
    for (let t = 10_000, bps = PAUSE_BPS; t <= 15_000; t += 1000, bps *= 1.1)
      policy.update({ now: t, availableBps: bps });
    expect(policy.state).toBe('video');
    // A try whose estimate does not climb ends early, as before.
    for (let t = 16_000; t <= 19_000; t += 1000) policy.update({ now: t, availableBps: 60_000 });
    expect(policy.state).toBe('audio-only');
  });
});
