/**
 * Audio first, per receiver: from the receive transport's downlink estimate (mediasoup's transport-cc `bwe` trace)
 * and its video consumers' scores, decide whether this person still receives video. When the estimate falls
 * below what audio plus the lowest video layer need, or the video arrives broken (low scores), video is paused
 * before audio suffers; after a hold time it is tried again (mediasoup sends nothing to probe with while video is
 * paused, so recovery is probed by resuming), and a failed try doubles the hold time.
 *
 * Pure: the clock is given with every sample, so the unit tests drive it with fakes.
 */

/** What Opus with in-band FEC needs, with headroom (RTP/UDP/IP overhead, DTX off while speaking). */
export const AUDIO_RESERVE_BPS = 64_000;
/** The lowest simulcast layer at its lowest frame rate: below this, video only takes from audio. */
export const MIN_VIDEO_BPS = 60_000;
/** Below this estimate video pauses; at or above RESUME_BPS the estimate says video fits again. */
export const PAUSE_BPS = AUDIO_RESERVE_BPS + MIN_VIDEO_BPS;
export const RESUME_BPS = 2 * PAUSE_BPS;
/** A consumer score (0–10) at or below this means the video arrives mostly broken (loss, freezes). */
export const BAD_SCORE = 3;

export interface DownlinkTimings {
  /** How long the estimate must stay low (or scores bad) before video pauses. */
  pauseAfterMs: number;
  /** The first hold time before video is tried again; doubled on each failed try, up to maxHoldMs. */
  holdMs: number;
  maxHoldMs: number;
  /** How long a try runs: survive it and the hold time is reset. */
  probeMs: number;
}

export const DEFAULT_DOWNLINK_TIMINGS: DownlinkTimings = {
  pauseAfterMs: 2_000,
  holdMs: 6_000,
  // Short enough that video comes back within ~20 s of a link recovering: while only audio flows the estimate
  // cannot climb (nothing probes upwards), so only a try finds out.
  maxHoldMs: 16_000,
  probeMs: 6_000,
};

export interface DownlinkSample {
  now: number;
  /** The downlink estimate (bits/s), when one is known. */
  availableBps?: number;
  /** The lowest score among this receiver's active video consumers (0–10), when it has any. */
  minVideoScore?: number;
  /**
   * The receiver's own report: its audio arrives broken (true: video gives way at once — what the server sees
   * of a collapsed link comes seconds late, behind the queue it builds), or clean again after that (false).
   */
  congested?: boolean;
  /**
   * Whether this receiver has video it wants (false: only audio to receive — then a low estimate is only audio's
   * own, video has nothing to give way, and the person is not told it was switched to audio only).
   */
  videoWanted?: boolean;
}

export type DownlinkState = 'video' | 'audio-only' | 'probing';

export class DownlinkPolicy {
  private stateValue: DownlinkState = 'video';
  private lowSince: number | null = null;
  private pausedAt = 0;
  private probeStartedAt = 0;
  /** The estimate when the try began: one that has decayed while only audio flowed needs time to climb. */
  private probeFrom?: number;
  private hold: number;
  private lastEstimate?: number;
  /**
   * Why video was last paused: only a pause for the estimate may end early on a roomy estimate, and only one the
   * receiver asked for early on its report that its audio is clean again.
   */
  private pausedFor: 'estimate' | 'score' | 'receiver' = 'estimate';
  /** The receiver said its audio is clean again since the last pause. */
  private receiverClear = false;

  constructor(private readonly timings: DownlinkTimings = DEFAULT_DOWNLINK_TIMINGS) {
    this.hold = timings.holdMs;
  }

  get state(): DownlinkState {
    return this.stateValue;
  }

  /** Whether video goes to this receiver now (also while a recovery try runs). */
  get videoOn(): boolean {
    return this.stateValue !== 'audio-only';
  }

  /** The latest downlink estimate (bits/s), for the layer choice. */
  get estimateBps(): number | undefined {
    return this.lastEstimate;
  }

  /** How long video stays paused before the next try (ms). */
  get holdMs(): number {
    return this.hold;
  }

  /** Feeds one observation (or a tick of the clock: `now` alone); returns true when `videoOn` changed. */
  update(sample: DownlinkSample): boolean {
    if (sample.availableBps !== undefined) this.lastEstimate = sample.availableBps;
    const before = this.videoOn;
    const now = sample.now;
    const low = this.isLow(sample);
    if (sample.congested === false) this.receiverClear = true;
    switch (this.stateValue) {
      case 'video':
        // The receiver's audio breaks, or a new estimate cannot even carry audio: video gives way now.
        if (sample.videoWanted === false) this.lowSince = null;
        else if (sample.congested || (sample.availableBps ?? Infinity) < AUDIO_RESERVE_BPS)
          this.pause(now, sample);
        else if (!low) this.lowSince = null;
        else if (this.lowSince === null) this.lowSince = now;
        else if (now - this.lowSince >= this.timings.pauseAfterMs) this.pause(now, sample);
        break;
      case 'probing': {
        // A try that meets trouble ends soon (audio must not pay for it) and the next waits longer. The first
        // moments are spared: the estimate left from the audio-only time needs video traffic to climb.
        // A try whose estimate climbs (the link has room; GCC rises a few percent a second) is not a failure.
        const broken = sample.minVideoScore !== undefined && sample.minVideoScore <= BAD_SCORE;
        const failed = broken || (low && !this.climbing());
        if (sample.congested || (failed && now - this.probeStartedAt >= this.timings.pauseAfterMs)) {
          this.hold = Math.min(this.hold * 2, this.timings.maxHoldMs);
          this.pause(now, sample);
        } else if (now - this.probeStartedAt >= this.timings.probeMs) {
          this.stateValue = 'video';
          this.hold = this.timings.holdMs;
          this.lowSince = null;
        }
        break;
      }
      case 'audio-only': {
        // Only audio flows: the estimate no longer reaches upwards. Try again after the hold time, or sooner
        // when the estimate says there is room.
        // A receiver whose audio is clean again after it asked for the pause gets its first try early (a link
        // back from a collapse); once a try failed, only the hold time or the estimate decide.
        const roomy =
          (this.pausedFor === 'estimate' &&
            this.lastEstimate !== undefined &&
            this.lastEstimate >= RESUME_BPS) ||
          (this.pausedFor === 'receiver' && this.receiverClear && this.hold === this.timings.holdMs);
        if (now - this.pausedAt >= this.hold || (roomy && now - this.pausedAt >= this.timings.pauseAfterMs)) {
          this.stateValue = 'probing';
          this.probeStartedAt = now;
          this.probeFrom = Math.max(this.lastEstimate ?? 0, PAUSE_BPS);
        }
        break;
      }
    }
    return before !== this.videoOn;
  }

  private climbing(): boolean {
    return (
      this.probeFrom !== undefined &&
      this.lastEstimate !== undefined &&
      this.lastEstimate >= this.probeFrom * 1.15
    );
  }

  private isLow(sample: DownlinkSample): boolean {
    // The latest estimate counts until a newer one comes (a tick of the clock brings none). During a try the
    // transport's estimate is floored at PAUSE_BPS (downlink-guard.ts): one that stays on the floor is lower still.
    const starved = this.lastEstimate !== undefined && this.lastEstimate <= PAUSE_BPS;
    const broken = sample.minVideoScore !== undefined && sample.minVideoScore <= BAD_SCORE;
    return starved || broken;
  }

  private pause(now: number, sample: DownlinkSample): void {
    this.pausedFor = sample.congested
      ? 'receiver'
      : sample.minVideoScore !== undefined && sample.minVideoScore <= BAD_SCORE
        ? 'score'
        : 'estimate';
    this.receiverClear = false;
    this.stateValue = 'audio-only';
    this.pausedAt = now;
    this.lowSince = null;
  }
}
