import {
  AUDIO_RESERVE_BPS,
  BAD_SCORE,
  DownlinkPolicy,
  PAUSE_BPS,
  type DownlinkState,
  type DownlinkTimings,
} from './downlink';
import { LAYER_BPS, layersForTile, SPATIAL_LAYERS } from './layers';

/**
 * A low estimate holds the layers down (the smallest picture at full frame rate rather than a large one at a few
 * frames a second) for this long; then the ceiling rises one layer, and after each step stays for LAYER_STEP_MS
 * (mediasoup probes only up to what the preferred layers need, so the estimate climbs with the step): a layer
 * that fits allows the next step, one that does not brings the ceiling down and the hold back. Never a jump from
 * the smallest picture to the largest, whose keyframe alone floods a weak link.
 */
export const LAYER_HOLD_MS = 15_000;
export const LAYER_STEP_MS = 5_000;
/** A step up needs the current layer to fit this many times over (the next one costs about three times as much). */
const STEP_MARGIN = 1.5;
/**
 * While video is tried again, the transport's estimate is floored here: the estimate left from the audio-only time
 * (decayed: audio alone probes nothing) would hold the try to a few frames a second, and such a try can neither
 * show the link recovered nor climb the estimate. The floor is what audio and the lowest layer at a reduced frame
 * rate need, below a 150 kbit/s link: a try on a link that is still weak does not bury audio for long.
 */
export const PROBE_FLOOR_BPS = PAUSE_BPS;
/** Logs the estimates and the state changes (the weak-network browser test's debug output). */
const DEBUG = process.env.DOWNLINK_DEBUG === '1';

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
  readonly id?: string;
  enableTraceEvent(types: 'bwe'[]): Promise<void>;
  /** 0: mediasoup's own floor. */
  setMinOutgoingBitrate(bps: number): Promise<void>;
  on(event: 'trace', listener: (trace: { type: string; direction: string; info: unknown }) => void): unknown;
}

interface Entry {
  consumer: GuardedConsumer;
  /** The client attached it and asked for it (consumer.resume). */
  wanted: boolean;
  /** The tile's height in CSS pixels, once reported (0: not on screen). */
  height?: number;
  score?: number;
  /** The sender's own stream scores badly (a weak uplink there, not this downlink). */
  producerBroken?: boolean;
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
  private transport?: GuardedTransport;
  private lastState: DownlinkState = 'video';
  /** The highest spatial layer any video may have now (undefined: the tile's), while the layers are held down. */
  private ceiling?: number;
  private holdUntil = 0;
  private stepUntil = 0;

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
    this.transport = transport;
    transport.on('trace', (trace) => {
      if (trace.type !== 'bwe' || trace.direction !== 'out') return;
      const info = trace.info as { availableBitrate?: unknown; desiredBitrate?: unknown };
      const bps = info.availableBitrate;
      if (typeof bps !== 'number') return;
      // An estimate above what is wanted limits nothing (the senders went quiet, or only audio flows while video
      // is paused): it cannot lower the last limiting one, but it shows the link carries at least that much — so
      // a try of video on a link that recovered is not judged by the estimate from before.
      const wanted = typeof info.desiredBitrate === 'number' ? info.desiredBitrate : Infinity;
      if (DEBUG)
        console.log(
          `[downlink] ${Date.now()} ${transport.id?.slice(0, 4)} bwe ${bps} desired ${String(info.desiredBitrate)}`,
        );
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
        entry.producerBroken = producerScore <= BAD_SCORE;
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

  /**
   * The receiver's own view (its audio broken: true; clean again: false): a bad score of the sender's own stream
   * explains broken audio as well, so then nothing changes. Returns whether video is held back now.
   */
  report(congested: boolean): boolean {
    this.sample(undefined, congested && !this.senderBroken ? true : congested ? undefined : false);
    return this.videoPaused;
  }

  /** Feeds the policy (an estimate when a trace brought one, the receiver's report) and applies a change. */
  sample(availableBps?: number, congested?: boolean): void {
    const scores = [...this.entries.values()]
      .filter((e) => e.consumer.kind === 'video' && this.flows(e) && e.score !== undefined)
      .map((e) => e.score as number);
    const changed = this.policy.update({
      now: this.now(),
      availableBps,
      minVideoScore: scores.length ? Math.min(...scores) : undefined,
      congested,
      videoWanted: [...this.entries.values()].some((e) => e.consumer.kind === 'video' && e.height !== 0),
    });
    this.followState();
    if (changed) {
      for (const e of this.entries.values()) if (e.consumer.kind === 'video') e.score = undefined;
      // The receiver is told once its video really stopped (or flows again).
      const paused = this.videoPaused;
      void this.applyAll()
        .catch(() => undefined)
        .then(() => this.onChange(paused));
    } else void this.applyLayers().catch(() => undefined);
  }

  /** A try of video runs with the estimate floored (PROBE_FLOOR_BPS); video starts again at the smallest layer. */
  private followState(): void {
    const state = this.policy.state;
    if (state === this.lastState) return;
    if (DEBUG)
      console.log(`[downlink] ${Date.now()} ${this.transport?.id?.slice(0, 4)} ${this.lastState} → ${state}`);
    if (state === 'probing' || this.lastState === 'probing')
      void this.transport
        ?.setMinOutgoingBitrate(state === 'probing' ? PROBE_FLOOR_BPS : 0)
        .catch(() => undefined);
    if (state === 'audio-only') {
      this.ceiling = 0;
      this.holdUntil = Number.POSITIVE_INFINITY;
    } else if (this.lastState === 'audio-only') this.holdUntil = this.now() + LAYER_HOLD_MS;
    this.lastState = state;
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
   * The highest spatial layer the videos may have now (undefined: the tile's; mediasoup then picks layers within
   * it by its own estimate). A share of the estimate (after audio's reserve) below what 360p needs holds them at
   * what fits; after the hold the ceiling rises one layer at a time (see LAYER_HOLD_MS).
   */
  private layerCeiling(): number | undefined {
    const estimate = this.policy.estimateBps;
    if (estimate === undefined) return this.ceiling;
    const videos = [...this.entries.values()].filter((e) => e.consumer.kind === 'video' && this.flows(e));
    const share = Math.max(0, estimate - AUDIO_RESERVE_BPS) / Math.max(1, videos.length);
    let fits = 0;
    while (fits + 1 < SPATIAL_LAYERS && LAYER_BPS[fits + 1] <= share) fits += 1;
    const now = this.now();
    if (this.ceiling === undefined) {
      if (fits === 0) this.holdAt(0, now);
    } else if (now >= this.holdUntil && now >= this.stepUntil) {
      if (fits < this.ceiling) this.holdAt(fits, now);
      else if (share >= LAYER_BPS[this.ceiling] * STEP_MARGIN || fits > this.ceiling) {
        this.ceiling = this.ceiling + 1 >= SPATIAL_LAYERS - 1 ? undefined : this.ceiling + 1;
        this.stepUntil = now + LAYER_STEP_MS;
      }
    }
    return this.ceiling;
  }

  private holdAt(layer: number, now: number): void {
    this.ceiling = layer;
    this.holdUntil = now + LAYER_HOLD_MS;
  }

  /** A video's sender streams badly: its receivers' broken audio may come from that sender, not this link. */
  private get senderBroken(): boolean {
    return [...this.entries.values()].some((e) => e.producerBroken && this.flows(e));
  }

  private async apply(entry: Entry): Promise<void> {
    const c = entry.consumer;
    if (c.closed) return;
    const flows = this.flows(entry);
    if (c.kind === 'video' && entry.height !== undefined) await this.setLayers(entry, this.layerCeiling());
    if (flows && c.paused) await c.resume();
    else if (!flows && !c.paused && entry.wanted) await c.pause();
  }

  private async applyAll(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => this.apply(e).catch(() => undefined)));
  }

  private async applyLayers(): Promise<void> {
    const ceiling = this.layerCeiling();
    await Promise.all(
      [...this.entries.values()]
        .filter((e) => e.consumer.kind === 'video' && e.height && this.flows(e) && !e.consumer.closed)
        .map((e) => this.setLayers(e, ceiling).catch(() => undefined)),
    );
  }

  private async setLayers(entry: Entry, ceiling: number | undefined): Promise<void> {
    const c = entry.consumer;
    if (entry.height === undefined || (c.type !== 'simulcast' && c.type !== 'svc')) return;
    const layers = layersForTile(entry.height, ceiling);
    const key = `${layers.spatialLayer}/${layers.temporalLayer}`;
    if (entry.layers === key) return;
    entry.layers = key;
    await c.setPreferredLayers(layers);
  }
}
