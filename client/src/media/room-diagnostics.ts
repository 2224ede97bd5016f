import type { ConsumerInfo } from '@branchmeet/shared';
import type { types } from 'mediasoup-client';
import { linkStatsOf, type LinkStats } from './tile-reports';

export interface ConsumerStats {
  consumerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: ConsumerInfo['source'];
  framesDecoded?: number;
  packetsReceived?: number;
  bytesReceived?: number;
  packetsLost?: number;
  /** Audio: samples played out, and how many of them were concealed (no packet in time). */
  totalSamplesReceived?: number;
  concealedSamples?: number;
  /** Audio: the jitter buffer's summed delay (s) over the samples it emitted (its mean delay, by differences). */
  jitterBufferDelay?: number;
  jitterBufferEmittedCount?: number;
  /** RFC 3550 interarrival jitter now (s): how unevenly packets arrive, smoothed over the last ~16. */
  jitter?: number;
}

/**
 * Signalling timings of the room on its socket (`performance.now()` ms), for tests and the join benchmark.
 * `connectedAt`: when the room began on a connected socket (its connect, or joining one the app had open).
 */
export interface SignalTrace {
  connectedAt: number | null;
  requests: { event: string; sentAt: number; ackAt: number | null }[];
}

const MAX_TRACED_REQUESTS = 100;

type ConsumerAppData = { peerId: string; source: ConsumerInfo['source'] };

/** What the room can tell about itself: its signalling trace, its consumers' receive statistics, its link. */
export class RoomDiagnostics {
  private trace: SignalTrace = { connectedAt: null, requests: [] };

  /** The room (re)starts on a connected socket: the trace starts again. */
  connected(): void {
    this.trace = { connectedAt: performance.now(), requests: [] };
  }

  /** Records a request's round trip (the first ones after connect). */
  record<T>(event: string, result: Promise<T>): Promise<T> {
    if (this.trace.requests.length < MAX_TRACED_REQUESTS) {
      const entry = { event, sentAt: performance.now(), ackAt: null as number | null };
      this.trace.requests.push(entry);
      result.then(
        () => (entry.ackAt = performance.now()),
        () => undefined,
      );
    }
    return result;
  }

  signalTrace(): SignalTrace {
    return { connectedAt: this.trace.connectedAt, requests: this.trace.requests.map((r) => ({ ...r })) };
  }

  /** Per-consumer receive statistics from the browser (for diagnostics and browser tests). */
  static consumerStats(consumers: Iterable<types.Consumer<ConsumerAppData>>): Promise<ConsumerStats[]> {
    return Promise.all(
      [...consumers].map(async (consumer) => {
        const entry: ConsumerStats = {
          consumerId: consumer.id,
          peerId: consumer.appData.peerId,
          kind: consumer.kind,
          source: consumer.appData.source,
        };
        try {
          const report = await consumer.getStats();
          report.forEach((s: { type?: string } & Record<string, unknown>) => {
            if (s.type !== 'inbound-rtp') return;
            for (const key of [
              'framesDecoded',
              'packetsReceived',
              'bytesReceived',
              'packetsLost',
              'totalSamplesReceived',
              'concealedSamples',
              'jitterBufferDelay',
              'jitterBufferEmittedCount',
            ] as const) {
              const value = s[key];
              if (typeof value === 'number') entry[key] = (entry[key] ?? 0) + value;
            }
            if (typeof s.jitter === 'number') entry.jitter = Math.max(entry.jitter ?? 0, s.jitter);
          });
        } catch {
          /* a consumer closing while asked */
        }
        return entry;
      }),
    );
  }

  /** The link's state, round trip and bytes received, for the connection-quality indicator. */
  static linkStats(recv: types.Transport | null, send: types.Transport | null): Promise<LinkStats> {
    return linkStatsOf(recv, send);
  }
}
