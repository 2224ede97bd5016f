import type { ConsumerInfo } from '@branchmeet/shared';
import type { types } from 'mediasoup-client';
import { RoomDiagnostics, type ConsumerStats } from './room-diagnostics';
import type { RoomLink } from './room-link';
import { TileReports } from './tile-reports';

type ConsumerAppData = { peerId: string; source: ConsumerInfo['source'] };

/** How many consumers one `consumer.resume` request carries. */
const RESUME_BATCH = 500;

/**
 * The receiving half of the room: the receive transport, a consumer per remote producer (resumed in batches once
 * attached), and the tile sizes the server picks video layers from.
 */
export class RoomReceiver {
  private transportValue: types.Transport | null = null;
  private ready: Promise<void> = Promise.resolve();
  private markReady: () => void = () => undefined;
  private readonly consumers = new Map<string, types.Consumer<ConsumerAppData>>();
  private readonly pendingResume = new Set<string>();
  private resumeTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly tiles: TileReports;

  constructor(
    private readonly link: RoomLink,
    tileDebounceMs: () => number,
    connected: () => boolean,
  ) {
    this.tiles = new TileReports(
      (consumerId, height) =>
        this.consumers.has(consumerId) && connected()
          ? this.link.request('consumer.tile', { consumerId, height })
          : false,
      tileDebounceMs,
    );
  }

  get transport(): types.Transport | null {
    return this.transportValue;
  }

  /** A media session begins: consumers announced from now on wait for its receive transport. */
  begin(): void {
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
  }

  /** The session's receive transport exists. */
  attach(transport: types.Transport): void {
    this.transportValue = transport;
    this.markReady();
  }

  /** Resolves once the current session's receive transport exists. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** `consumer.created` while joined: consume it and resume it with the others of this moment. */
  async onConsumerCreated(info: ConsumerInfo): Promise<void> {
    const gen = this.link.generation;
    await this.ready;
    if (gen !== this.link.generation || !this.transportValue) return;
    await this.consume(info, gen);
    this.scheduleResume();
  }

  async consume(info: ConsumerInfo, gen: number): Promise<void> {
    const transport = this.transportValue;
    if (!transport || this.consumers.has(info.consumerId)) return;
    let consumer: types.Consumer<ConsumerAppData>;
    try {
      consumer = await transport.consume<ConsumerAppData>({
        id: info.consumerId,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as types.RtpParameters,
        appData: { peerId: info.peerId, source: info.source },
      });
    } catch (err) {
      console.warn('[room] cannot consume', info.consumerId, err);
      return;
    }
    if (gen !== this.link.generation) {
      consumer.close();
      return;
    }
    this.consumers.set(consumer.id, consumer);
    if (consumer.kind === 'video') this.tiles.added(consumer.id);
    this.pendingResume.add(consumer.id);
    this.link.emitEvent({ type: 'consumer.created', payload: info });
    this.link.tracksChanged();
  }

  private scheduleResume(): void {
    if (this.resumeTimer) return;
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = null;
      void this.flushResume().catch(() => undefined);
    }, 0);
  }

  /** Resumes every consumer attached since the last call, in one request (per batch). */
  async flushResume(): Promise<void> {
    const ids = [...this.pendingResume].filter((id) => this.consumers.has(id));
    this.pendingResume.clear();
    for (let i = 0; i < ids.length; i += RESUME_BATCH) {
      await this.link.request('consumer.resume', { consumerIds: ids.slice(i, i + RESUME_BATCH) });
    }
  }

  /**
   * Replaces an audio consumer by a fresh one of the same producer: a new receiver in the browser, so a new, empty
   * jitter buffer. The old one plays until the answer is here (signalling can be slow right after a congested
   * spell), then goes first: its buffer holds only audio that is late already; the server closes it once the new
   * one is resumed.
   */
  async renew(consumerId: string): Promise<void> {
    const gen = this.link.generation;
    const old = this.consumers.get(consumerId);
    if (!old || old.kind !== 'audio' || !this.transportValue) return;
    const info = await this.link.request('consumer.renew', { consumerId });
    // Gone meanwhile (the session began again, the producer closed): the new consumer goes with it on the server.
    if (gen !== this.link.generation || !this.consumers.has(consumerId)) return;
    this.closeConsumer(consumerId);
    this.link.emitEvent({ type: 'consumer.closed', payload: { consumerId, producerId: old.producerId } });
    await this.consume(info, gen);
    await this.flushResume();
  }

  closeConsumer(consumerId: string): void {
    const consumer = this.consumers.get(consumerId);
    if (!consumer) return;
    consumer.close();
    this.consumers.delete(consumerId);
    this.pendingResume.delete(consumerId);
    this.tiles.remove(consumerId);
    this.link.tracksChanged();
  }

  /** A remote producer closed: its consumers go. */
  closeProducer(producerId: string): void {
    for (const consumer of [...this.consumers.values()]) {
      if (consumer.producerId === producerId) this.closeConsumer(consumer.id);
    }
  }

  track(consumerId: string): MediaStreamTrack | null {
    const consumer = this.consumers.get(consumerId);
    return consumer && !consumer.closed ? consumer.track : null;
  }

  hasVideo(): boolean {
    return [...this.consumers.values()].some((c) => c.kind === 'video' && !c.closed);
  }

  consumerIds(): string[] {
    return [...this.consumers.keys()];
  }

  stats(): Promise<ConsumerStats[]> {
    return RoomDiagnostics.consumerStats(this.consumers.values());
  }

  reportTile(consumerId: string, height: number): void {
    this.tiles.report(consumerId, height);
  }

  get audioOnly(): boolean {
    return this.tiles.audioOnly;
  }

  /** Audio only: every video tile is reported hidden at once (the server pauses them); off: their sizes again. */
  setAudioOnly(on: boolean): void {
    const videos = [...this.consumers.values()].filter((c) => c.kind === 'video').map((c) => c.id);
    this.tiles.setAudioOnly(on, videos);
  }

  /** Closes the consumers and the receive transport; true if there were consumers. */
  teardown(): boolean {
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = null;
    this.pendingResume.clear();
    this.tiles.clear();
    const had = this.consumers.size > 0;
    for (const consumer of this.consumers.values()) consumer.close();
    this.consumers.clear();
    this.transportValue?.close();
    this.transportValue = null;
    return had;
  }
}
