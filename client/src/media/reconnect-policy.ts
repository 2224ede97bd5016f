/** The waits between attempts to get back: short at first, then at most 8 s. */
export const RECONNECT_DELAYS_MS: readonly number[] = [500, 1000, 2000, 4000, 8000];

/**
 * When to try again after a failed connect or join: the n-th attempt waits `delays[n]` (the last one repeats), and
 * a success (`reset`) starts the count again. Holds at most one timer.
 */
export class ReconnectPolicy {
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly delays: readonly number[] = RECONNECT_DELAYS_MS) {}

  /** The wait before the next attempt; counts the attempt. */
  nextDelay(): number {
    const delay = this.delays[Math.min(this.attempt, this.delays.length - 1)];
    this.attempt += 1;
    return delay;
  }

  /** Attempts counted since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** Whether an attempt is waiting for its timer. */
  get pending(): boolean {
    return this.timer !== null;
  }

  /**
   * Runs `task` after the next delay. With an attempt already waiting, `replace` starts the wait again (a newer
   * failure); otherwise the waiting one stands and this returns false.
   */
  schedule(task: () => void, { replace = false }: { replace?: boolean } = {}): boolean {
    if (this.timer) {
      if (!replace) return false;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      task();
    }, this.nextDelay());
    return true;
  }

  /** A success: the next failure waits the shortest delay again. A waiting attempt stays. */
  reset(): void {
    this.attempt = 0;
  }

  /** Drops the waiting attempt, if any. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
