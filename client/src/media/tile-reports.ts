import type { types } from 'mediasoup-client';

interface Tile {
  wanted: number | null;
  sent: number | null;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * The heights (CSS pixels) remote videos are shown at, reported to the server per consumer: debounced, only when
 * changed, and 0 for every video while the person chose audio only (the server then pauses those consumers).
 */
export class TileReports {
  private readonly tiles = new Map<string, Tile>();
  private receiveVideo = true;

  constructor(
    /** Sends one report; false when it cannot be sent now (no socket, consumer gone). */
    private readonly send: (consumerId: string, height: number) => Promise<unknown> | false,
    private readonly debounceMs: () => number,
  ) {}

  get audioOnly(): boolean {
    return !this.receiveVideo;
  }

  /** A tile's height (0: not on screen): sent after the debounce. */
  report(consumerId: string, height: number): void {
    const h = Math.max(0, Math.min(4320, Math.round(height)));
    const tile = this.tile(consumerId);
    tile.wanted = h;
    this.schedule(consumerId, false);
  }

  /** Audio only on or off: every video in `videoIds` is reported again at once (hidden, or its size). */
  setAudioOnly(on: boolean, videoIds: Iterable<string>): void {
    this.receiveVideo = !on;
    for (const id of videoIds) this.schedule(id, true);
  }

  /** A new video consumer: reported hidden at once while audio only. */
  added(consumerId: string): void {
    if (!this.receiveVideo) this.schedule(consumerId, true);
  }

  remove(consumerId: string): void {
    const tile = this.tiles.get(consumerId);
    if (tile?.timer) clearTimeout(tile.timer);
    this.tiles.delete(consumerId);
  }

  clear(): void {
    for (const tile of this.tiles.values()) if (tile.timer) clearTimeout(tile.timer);
    this.tiles.clear();
  }

  private tile(consumerId: string): Tile {
    let tile = this.tiles.get(consumerId);
    if (!tile) {
      tile = { wanted: null, sent: null, timer: null };
      this.tiles.set(consumerId, tile);
    }
    return tile;
  }

  private schedule(consumerId: string, now: boolean): void {
    const tile = this.tile(consumerId);
    if (tile.timer) clearTimeout(tile.timer);
    const flush = () => {
      tile.timer = null;
      const height = this.receiveVideo ? tile.wanted : 0;
      if (height === null || tile.sent === height) return;
      const sent = this.send(consumerId, height);
      if (sent === false) return;
      tile.sent = height;
      sent.catch(() => (tile.sent = null));
    };
    if (now) flush();
    else tile.timer = setTimeout(flush, this.debounceMs());
  }
}

/** The receive transport's link, for the connection-quality indicator. */
export interface LinkStats {
  /** mediasoup-client's transport connection state (ICE + DTLS); null before there is a transport. */
  connectionState: string | null;
  /** The selected candidate pair's current round trip (ms), when the browser reports it. */
  rttMs?: number;
  /**
   * The receive pair's connectivity-check responses so far and their summed round trips (ms): by differences, the
   * round trips measured since the last poll. `rttMs` stays at its last value while no response comes back (a
   * congested link), these do not.
   */
  checkResponses?: number;
  checkRttTotalMs?: number;
  /** Bytes received on the transports' selected candidate pairs (media, RTCP, consent checks). */
  bytesReceived?: number;
}

/**
 * The receive transport's state and round trip (the link everyone's media arrives on), and the bytes received on
 * both transports' selected candidate pairs: RTCP feedback for one's own media counts too, so one's own link is
 * told apart from the others falling silent.
 */
export async function linkStatsOf(
  recv: types.Transport | null,
  send: types.Transport | null,
): Promise<LinkStats> {
  if (!recv) return { connectionState: null };
  const out: LinkStats = { connectionState: recv.connectionState };
  for (const t of [recv, send]) {
    if (!t) continue;
    try {
      const report = await t.getStats();
      report.forEach((s: { type?: string } & Record<string, unknown>) => {
        if (s.type !== 'candidate-pair' || s.nominated !== true) return;
        if (t === recv && typeof s.currentRoundTripTime === 'number')
          out.rttMs = s.currentRoundTripTime * 1000;
        if (
          t === recv &&
          typeof s.responsesReceived === 'number' &&
          typeof s.totalRoundTripTime === 'number'
        ) {
          out.checkResponses = s.responsesReceived;
          out.checkRttTotalMs = s.totalRoundTripTime * 1000;
        }
        if (typeof s.bytesReceived === 'number')
          out.bytesReceived = (out.bytesReceived ?? 0) + s.bytesReceived;
      });
    } catch {
      /* closing */
    }
  }
  return out;
}
