import { ErrorCodes, type MessageKey } from '@branchmeet/shared';
import { DomainError } from './domain-error';

/**
 * A fixed-window counter per key, in memory (one server process): `hit` counts an attempt and refuses with 429
 * once `limit` were counted in the current window. Used where a request must be rare per person or per address
 * (sign-in failures per address, password changes, roster imports per manager).
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly message: MessageKey,
  ) {}

  /** Counts one attempt; throws a 429 naming the seconds to wait when the key is over its limit. */
  hit(key: string): void {
    this.check(key, 1);
  }

  /** Throws the 429 when the key is already over its limit, without counting. */
  assert(key: string): void {
    this.check(key, 0);
  }

  private check(key: string, add: number): void {
    const now = Date.now();
    if (this.windows.size > 10_000) this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
    }
    if (w.count >= this.limit) {
      throw new DomainError(ErrorCodes.rateLimited, 429, this.message, {
        seconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)),
      });
    }
    w.count += add;
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }
}
