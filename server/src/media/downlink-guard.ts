import { AUDIO_RESERVE_BPS, BAD_SCORE, DownlinkPolicy, type DownlinkTimings } from './downlink';
import { LAYER_BPS, layersForTile } from './layers';

/**
 * A low estimate holds the layers down (the smallest picture at full frame rate rather than a large one at a few
 * frames a second) for this long; then the hold lifts for a probe: the higher layers' traffic lets the estimate
 * climb (mediasoup probes only up to what the preferred layers need), and a still-low estimate holds them again.
 */
export const LAYER_HOLD_MS = 15_000;
export const LAYER_PROBE_MS = 5_000;

/** The part of a mediasoup consumer the guard uses (unit tests pass fakes). */
export interface GuardedConsumer {
  readonly id: string;
  readonly kind: 'audio' | 'video';
  readonly type: string;
  readonly paused: boolean;
  readonly closed: boolean;
  pause(): Promise<void>;
  resume(): Promise<void>;
  setPreferredLayers(layers: { spatialLayer: number; temporalLayer?: number }): Promise<void>;
  on(event: 'score', listener: (score: { score: number; producerScore: number }) => void): unknown;
}

/** The part of a mediasoup WebRtcTransport the guard uses. */
export interface GuardedTransport {
  enableTraceEvent(types: 'bwe'[]): Promise<void>;
  on(event: 'trace', listener: (trace: { type: string; direction: string; info: unknown }) => void): unknown;
}

interface Entry {
  consumer: GuardedConsumer;
  /** The client attached it and asked for it (consumer.resume). */
  wanted: boolean;
  /** The tile's height in CSS pixels, once reported (0: not on screen). */
  height?: number;
  score?: number;
  /** The layers last asked for (no request when they stay the same). */
  layers?: string;
}

/**
 * One receiver's video, audio first: a video consumer flows only when the client wants it, its tile is on screen,
 * and the downlink (DownlinkPolicy) has room for video. Layers follow the tile's CSS size and the share of the
 * estimate each video gets. Audio consumers are only resumed when asked, never paused here.
 */
export class DownlinkGuard {
  private readonly entries = new Map<string, Entry>();
  private readonly policy: DownlinkPolicy;
  private timer: ReturnType<typeof setInterval> | null = null;
  private holdUntil = 0;
  private probeUntil = 0;

  constructor(
    /** Called when video is paused for bandwidth (true) or resumed (false). */
    private readonly onChange: (videoPaused: boolean) => void,
    private readonly now: () => number = Date.now,
    timings?: DownlinkTimings,
  ) {
    this.policy = new DownlinkPolicy(timings);
  }

  get videoPaused(): boolean {
    return !this.policy.videoOn;
  }

  /** Follows the receive transport's bandwidth estimate; a timer lets a pause end when no trace arrives. */
  watch(transport: GuardedTransport, tickMs = 1000): void {
    transport.on('trace', (trace) => {
      if (trace.type !== 'bwe' || trace.direction !== 'out') return;
      const info = trace.info as { availableBitrate?: unknown; desiredBitrate?: unknown };
      const bps = info.availableBitrate;
      if (typeof bps !== 'number') return;
      // An estimate above what is wanted limits nothing (the senders went quiet, or only audio flows while video
      // is paused): it cannot lower the last limiting one, but it shows the link carries at least that much — so
      // a try of video on a link that recovered is not judged by the estimate from before.
      const wanted = typeof info.desiredBitrate === 'number' ? info.desiredBitrate : Infinity;
      const last = this.policy.estimateBps;
      if (wanted > bps) this.sample(bps);
      else this.sample(last !== undefined && bps > last ? bps : undefined);
    });
    void transport.enableTraceEvent(['bwe']).catch(() => undefined);
    if (!this.timer) {
      this.timer = setInterval(() => this.sample(), tickMs);
      this.timer.unref?.();
    }
  }

  add(consumer: GuardedConsumer): void {
    const entry: Entry = { consumer, wanted: false };
    this.entries.set(consumer.id, entry);
    if (consumer.kind === 'video')
      consumer.on('score', ({ score, producerScore }) => {
        // A bad score counts against this downlink only when the sender's own stream is fine.
        entry.score = producerScore > BAD_SCORE ? score : undefined;
        this.sample();
      });
  }

  remove(consumerId: string): void {
    this.entries.delete(consumerId);
  }

  /** The client attached the consumer: it flows unless video is held back. */
  async resume(consumerId: string): Promise<void> {
    const entry = this.entries.get(consumerId);
    if (!entry) return;
    entry.wanted = true;
    await this.apply(entry);
  }

  /** The tile's height in CSS pixels (0: not on screen, so not received). */
  async setTile(consumerId: string, cssHeight: number): Promise<void> {
    const entry = this.entries.get(consumerId);
    if (!entry || entry.consumer.kind !== 'video') return;
    entry.height = cssHeight;
    await this.apply(entry);
  }

  /** Feeds the policy (an estimate when a trace brought one) and applies a change. */
  sample(availableBps?: number): void {
    const scores = [...this.entries.values()]
      .filter((e) => e.consumer.kind === 'video' && this.flows(e) && e.score !== undefined)
      .map((e) => e.score as number);
    const changed = this.policy.update({
      now: this.now(),
      availableBps,
      minVideoScore: scores.length ? Math.min(...scores) : undefined,
    });
    if (changed) {
      for (const e of this.entries.values()) if (e.consumer.kind === 'video') e.score = undefined;
      // The receiver is told once its video really stopped (or flows again).
      const paused = this.videoPaused;
      void this.applyAll()
        .catch(() => undefined)
        .then(() => this.onChange(paused));
    } else void this.applyLayers().catch(() => undefined);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.entries.clear();
  }

  private flows(e: Entry): boolean {
    if (!e.wanted) return false;
    if (e.consumer.kind === 'audio') return true;
    return this.policy.videoOn && e.height !== 0;
  }

  /**
   * The estimate's share for each video on screen, after audio's reserve, while a low estimate holds the layers
   * down; undefined otherwise (mediasoup then picks layers within the tile's by its own estimate).
   */
  private budget(): number | undefined {
    const estimate = this.policy.estimateBps;
    if (estimate === undefined) return undefined;
    const videos = [...this.entries.values()].filter((e) => e.consumer.kind === 'video' && this.flows(e));
    const share = Math.max(0, estimate - AUDIO_RESERVE_BPS) / Math.max(1, videos.length);
    const now = this.now();
    if (now < this.holdUntil) return share;
    if (now < this.probeUntil) return undefined;
    if (share >= LAYER_BPS[1]) return undefined;
    this.holdUntil = now + LAYER_HOLD_MS;
    this.probeUntil = this.holdUntil + LAYER_PROBE_MS;
    return share;
  }

  private async apply(entry: Entry): Promise<void> {
    const c = entry.consumer;
    if (c.closed) return;
    const flows = this.flows(entry);
    if (c.kind === 'video' && entry.height !== undefined) await this.setLayers(entry, this.budget());
    if (flows && c.paused) await c.resume();
    else if (!flows && !c.paused && entry.wanted) await c.pause();
  }

  private async applyAll(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.apply(e).catch(() => undefined)));
  }

  private async applyLayers(): Promise<void> {
    const budget = this.budget();
    await Promise.all(
      [...this.entries.values()]
        .filter((e) => e.consumer.kind === 'video' && e.height && this.flows(e) && !e.consumer.closed)
        .map((e) => this.setLayers(e, budget).catch(() => undefined)),
    );
  }

  private async setLayers(entry: Entry, budget: number | undefined): Promise<void> {
    const c = entry.consumer;
    if (entry.height === undefined || (c.type !== 'simulcast' && c.type !== 'svc')) return;
    const layers = layersForTile(entry.height, budget);
    const key = `${layers.spatialLayer}/${layers.temporalLayer}`;
    if (entry.layers === key) return;
    entry.layers = key;
    await c.setPreferredLayers(layers);
  }
}
