import { Logger } from '@nestjs/common';
import type { Lease, MeetingLeases } from './cluster.types';

interface Kept {
  lease: Lease;
  onLost: (lease: Lease) => void;
  /** When the last renewal succeeded (a lease not renewed for a whole TTL may already be someone else's). */
  renewedAt: number;
}

/**
 * Keeps this node's leases alive: one timer renews every kept lease at 30% of the lease TTL. A renewal Redis
 * refuses (the lease lapsed or moved), or none succeeding for a whole TTL (Redis unreachable), means the
 * meeting is no longer ours: `onLost` is called once and the lease is dropped, and the room must stop serving
 * (its writes would be refused by their epoch anyway).
 */
export class LeaseKeeper {
  private readonly log = new Logger(LeaseKeeper.name);
  private readonly kept = new Map<string, Kept>();
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;

  constructor(
    private readonly leases: MeetingLeases,
    private readonly ttlMs: number,
  ) {}

  /** Renews `lease` (held by this node) until `drop`, or until it is lost. */
  keep(lease: Lease, onLost: (lease: Lease) => void): void {
    this.kept.set(lease.meetingId, { lease, onLost, renewedAt: Date.now() });
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), Math.max(20, Math.round(this.ttlMs * 0.3)));
      this.timer.unref();
    }
  }

  /** Stops renewing a meeting's lease (release it afterwards, or let it lapse); the lease it kept. */
  drop(meetingId: string): Lease | undefined {
    const kept = this.kept.get(meetingId);
    this.kept.delete(meetingId);
    if (this.kept.size === 0) this.stopTimer();
    return kept?.lease;
  }

  /** The leases kept now. */
  held(): Lease[] {
    return [...this.kept.values()].map((k) => k.lease);
  }

  /** Stops renewing everything (the node is stopping); the leases then lapse unless released. */
  async close(): Promise<Lease[]> {
    this.stopTimer();
    await this.ticking;
    const leases = this.held();
    this.kept.clear();
    return leases;
  }

  /** One round of renewals (the timer's; tests may call it). */
  tick(): Promise<void> {
    this.ticking ??= this.renewAll().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async renewAll(): Promise<void> {
    await Promise.all(
      [...this.kept.values()].map(async (k) => {
        let ok: boolean | undefined;
        try {
          ok = await this.leases.renew(k.lease.meetingId, k.lease.epoch);
        } catch (e) {
          this.log.warn(`renewing the lease of ${k.lease.meetingId}: ${String(e)}`);
        }
        if (this.kept.get(k.lease.meetingId) !== k) return;
        if (ok) k.renewedAt = Date.now();
        else if (ok === false || Date.now() - k.renewedAt >= this.ttlMs) this.lose(k);
      }),
    );
  }

  private lose(k: Kept): void {
    this.drop(k.lease.meetingId);
    this.log.warn(`lost meeting ${k.lease.meetingId} (epoch ${k.lease.epoch})`);
    try {
      k.onLost(k.lease);
    } catch (e) {
      this.log.error(`after losing ${k.lease.meetingId}: ${String(e)}`);
    }
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
