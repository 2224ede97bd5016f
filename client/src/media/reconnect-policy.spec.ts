import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReconnectPolicy, RECONNECT_DELAYS_MS } from './reconnect-policy';

afterEach(() => {
  vi.useRealTimers();
});

describe('ReconnectPolicy', () => {
  it('waits longer after each failure up to the last delay, and starts short again after a reset', () => {
    const policy = new ReconnectPolicy([100, 200, 400]);
    expect([policy.nextDelay(), policy.nextDelay(), policy.nextDelay(), policy.nextDelay()]).toEqual([
      100, 200, 400, 400,
    ]);
    expect(policy.attempts).toBe(4);
    policy.reset();
    expect(policy.nextDelay()).toBe(100);
  });

  it('defaults to half a second, doubling to eight', () => {
    const policy = new ReconnectPolicy();
    const delays = RECONNECT_DELAYS_MS.map(() => policy.nextDelay());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(policy.nextDelay()).toBe(8000);
  });

  it('keeps one attempt waiting: a second schedule is dropped unless it replaces the first', async () => {
    vi.useFakeTimers();
    const policy = new ReconnectPolicy([100, 200]);
    const first = vi.fn();
    const second = vi.fn();
    expect(policy.schedule(first)).toBe(true);
    expect(policy.schedule(second)).toBe(false);
    expect(policy.pending).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).not.toHaveBeenCalled();
    expect(policy.pending).toBe(false);

    // a newer failure replaces the waiting attempt, with the next (longer) delay
    policy.schedule(first);
    policy.schedule(second, { replace: true });
    await vi.advanceTimersByTimeAsync(199);
    expect(second).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(second).toHaveBeenCalledTimes(1);
    expect(first).toHaveBeenCalledTimes(1);
  });

  it('cancel drops the waiting attempt', async () => {
    vi.useFakeTimers();
    const policy = new ReconnectPolicy([50]);
    const task = vi.fn();
    policy.schedule(task);
    policy.cancel();
    await vi.advanceTimersByTimeAsync(100);
    expect(task).not.toHaveBeenCalled();
    expect(policy.pending).toBe(false);
  });
});
