import type { ConsumerStats } from './room-connection';
import type { LinkStats } from './tile-reports';

/** What the indicator shows: the signal bars of oneself and of every tile. */
export type LinkQuality = 'good' | 'weak' | 'lost';

/** No packet for this long on media that should flow: the connection is lost (shown within about 5 s). */
export const STALL_MS = 4000;
/** Above this share of packets lost (over the last few seconds), or this round trip, the link is weak. */
export const WEAK_LOSS = 0.05;
export const WEAK_RTT_MS = 400;
/** How far back loss is counted. */
const WINDOW_MS = 5000;

export function classifyLink(m: {
  lossRate?: number;
  rttMs?: number;
  stalled?: boolean;
  connectionState?: string | null;
}): LinkQuality {
  if (m.stalled || m.connectionState === 'failed' || m.connectionState === 'disconnected') return 'lost';
  if ((m.lossRate ?? 0) > WEAK_LOSS || (m.rttMs ?? 0) > WEAK_RTT_MS) return 'weak';
  return 'good';
}

export interface QualitySnapshot {
  self: LinkQuality;
  /** Per remote peer whose media should be arriving; a peer sending nothing (muted, camera off) is absent. */
  peers: Record<string, LinkQuality>;
}

interface Seen {
  received: number;
  lost: number;
  lastProgressAt: number;
  samples: { at: number; received: number; lost: number }[];
}

const ORDER: Record<LinkQuality, number> = { good: 0, weak: 1, lost: 2 };
const worst = (a: LinkQuality, b: LinkQuality) => (ORDER[b] > ORDER[a] ? b : a);

/**
 * Turns polled receive statistics into qualities: per consumer, packets received and lost over the last seconds
 * and the time since its last packet; per peer, the worst of its consumers that should flow (`expected`: the UI
 * knows which producers are paused and which videos are held back); for oneself, the receive transport's state
 * and round trip, the loss over everything, and a stall of everything that should flow (inbound RTP stopped,
 * even while the signalling socket still looks connected).
 */
export class QualityTracker {
  private readonly seen = new Map<string, Seen>();
  private linkBytes = -1;
  private linkProgressAt = 0;

  update(
    now: number,
    consumers: ConsumerStats[],
    link: LinkStats,
    expected: ReadonlySet<string>,
  ): QualitySnapshot {
    const peers: Record<string, LinkQuality> = {};
    let received = 0;
    let lost = 0;
    let flowing = 0;
    let stalledAll = true;
    for (const c of consumers) {
      const r = c.packetsReceived ?? 0;
      const l = c.packetsLost ?? 0;
      let s = this.seen.get(c.consumerId);
      if (!s || !expected.has(c.consumerId)) {
        // New, or not expected to flow (paused): its clock starts again when it should flow.
        s = { received: r, lost: l, lastProgressAt: now, samples: [] };
        this.seen.set(c.consumerId, s);
        if (!expected.has(c.consumerId)) continue;
      }
      if (r > s.received) s.lastProgressAt = now;
      s.received = r;
      s.lost = l;
      s.samples.push({ at: now, received: r, lost: l });
      while (s.samples.length > 1 && now - s.samples[0].at > WINDOW_MS) s.samples.shift();
      const first = s.samples[0];
      const dReceived = r - first.received;
      const dLost = Math.max(0, l - first.lost);
      const stalled = now - s.lastProgressAt >= STALL_MS;
      const lossRate = dReceived + dLost > 0 ? dLost / (dReceived + dLost) : 0;
      const q = classifyLink({ lossRate, stalled });
      peers[c.peerId] = worst(peers[c.peerId] ?? 'good', q);
      received += dReceived;
      lost += dLost;
      flowing += 1;
      if (!stalled) stalledAll = false;
    }
    // Everything stalled and nothing at all arrives on one's own transports (not even RTCP for one's own media):
    // one's own link is gone. If bytes still arrive, the others fell silent (their tiles say so), not oneself.
    if (link.bytesReceived === undefined || link.bytesReceived > this.linkBytes) this.linkProgressAt = now;
    if (link.bytesReceived !== undefined) this.linkBytes = link.bytesReceived;
    const linkStalled = now - this.linkProgressAt >= STALL_MS;
    const live = new Set(consumers.map((c) => c.consumerId));
    for (const id of [...this.seen.keys()]) if (!live.has(id)) this.seen.delete(id);
    const self = classifyLink({
      connectionState: link.connectionState,
      rttMs: link.rttMs,
      lossRate: received + lost > 0 ? lost / (received + lost) : 0,
      stalled: flowing > 0 && stalledAll && (link.bytesReceived === undefined || linkStalled),
    });
    return { self, peers };
  }
}
