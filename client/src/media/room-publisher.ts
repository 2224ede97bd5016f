import type { types } from 'mediasoup-client';
import type { LocalMedia, LocalSource } from './local-media';
import type { RoomDevice, RoomLink } from './room-link';

type ProducerAppData = { source: LocalSource; paused: boolean };

/** Camera simulcast: three layers, the server picks one per viewer from the tile size it reports. */
export const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 100_000, scalabilityMode: 'L1T3' },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 300_000, scalabilityMode: 'L1T3' },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 900_000, scalabilityMode: 'L1T3' },
];

const SOURCES = ['mic', 'camera', 'screen'] as const;

/**
 * The sending half of the room: the send transport (none for a lecture's listener without the floor), a producer
 * per live local source, and what the person wants on (`enabled`) as opposed to what is really sent (`isLive`).
 */
export class RoomPublisher {
  private transport: types.Transport | null = null;
  private device: RoomDevice | null = null;
  /** A lecture's listener given the floor publishes its microphone only. */
  private audioOnly = false;
  private readonly producers = new Map<LocalSource, types.Producer<ProducerAppData>>();
  private readonly publishing = new Map<LocalSource, Promise<void>>();
  readonly enabled: Record<LocalSource, boolean>;

  constructor(
    private readonly local: LocalMedia,
    private readonly link: RoomLink,
    publish?: { mic: boolean; camera: boolean },
  ) {
    this.enabled = { mic: publish?.mic ?? true, camera: publish?.camera ?? true, screen: false };
  }

  get sendTransport(): types.Transport | null {
    return this.transport;
  }

  /** A media session's device and send transport (null: receive only). */
  attach(device: RoomDevice, transport: types.Transport | null, audioOnly: boolean): void {
    this.device = device;
    this.transport = transport;
    this.audioOnly = audioOnly;
  }

  /** A lecture gave this seat a send transport (the floor, or co-presenting). */
  replaceTransport(transport: types.Transport, audioOnly: boolean): void {
    this.transport?.close();
    this.transport = transport;
    this.audioOnly = audioOnly;
    // Given the floor: the microphone goes live (the person asked for it by raising a hand).
    if (audioOnly) this.enabled.mic = true;
  }

  /** A lecture took the send transport away: every producer closes. */
  dropTransport(): void {
    for (const source of [...this.producers.keys()]) {
      this.producers.get(source)?.close();
      this.producers.delete(source);
      if (source === 'screen') this.local.stop('screen');
      this.link.emitEvent({ type: 'local', source, on: false });
    }
    this.transport?.close();
    this.transport = null;
  }

  isOn(source: LocalSource): boolean {
    return this.enabled[source] && this.local.has(source);
  }

  /** Whether a source is really sent (or would be: a send transport exists and this source may go on it). */
  isLive(source: LocalSource): boolean {
    return this.isOn(source) && this.transport !== null && (!this.audioOnly || source === 'mic');
  }

  async publishAll(gen: number): Promise<void> {
    await Promise.all(SOURCES.map((s) => this.publish(s, gen)));
    if (gen !== this.link.generation) return;
    // What is really live (a device may have failed to open; a lecture's listener sends nothing): the UI shows that.
    for (const source of SOURCES) this.link.emitEvent({ type: 'local', source, on: this.isLive(source) });
  }

  publish(source: LocalSource, gen: number): Promise<void> {
    const running = this.publishing.get(source);
    if (running) return running;
    const work = this.doPublish(source, gen).finally(() => this.publishing.delete(source));
    this.publishing.set(source, work);
    return work;
  }

  private async doPublish(source: LocalSource, gen: number): Promise<void> {
    const transport = this.transport;
    const track = this.local.track(source);
    if (!transport || !track || this.producers.has(source)) return;
    if (this.audioOnly && source !== 'mic') return;
    if (source === 'screen' && !this.enabled.screen) return;
    if (!this.device?.canProduce(track.kind === 'audio' ? 'audio' : 'video')) return;
    const paused = !this.enabled[source];
    const producer = await transport.produce<ProducerAppData>({
      track,
      stopTracks: false, // LocalMedia owns the tracks: a reconnect republishes the same ones
      appData: { source, paused },
      ...(source === 'camera'
        ? { encodings: CAMERA_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 300 } }
        : source === 'mic'
          ? { codecOptions: { opusDtx: true, opusFec: true } }
          : { encodings: [{ maxBitrate: 1_500_000 }] }),
    });
    if (gen !== this.link.generation) {
      producer.close();
      return;
    }
    if (paused) producer.pause(); // the server created it paused already
    producer.on('trackended', () => {
      if (source === 'screen') void this.setScreen(false);
    });
    this.producers.set(source, producer);
    this.link.emitEvent({ type: 'local', source, on: !paused });
  }

  /** One of this person's producers by its id (dynacast names them so). */
  producerById(producerId: string): types.Producer<ProducerAppData> | undefined {
    return [...this.producers.values()].find((p) => p.id === producerId);
  }

  private async unpublish(source: LocalSource): Promise<void> {
    await this.publishing.get(source);
    const producer = this.producers.get(source);
    if (!producer) return;
    this.producers.delete(source);
    producer.close();
    await this.link.send('media.close', { producerId: producer.id }).catch(() => undefined);
  }

  /** Mic or camera on/off: a paused producer when off. False if the device cannot be opened. */
  async setDevice(source: 'mic' | 'camera', on: boolean): Promise<boolean> {
    const previous = this.enabled[source];
    this.enabled[source] = on;
    if (on && !this.local.has(source)) {
      const opened = source === 'mic' ? await this.local.startMic() : await this.local.startCamera();
      if (!opened) {
        this.enabled[source] = previous;
        this.link.emitEvent({ type: 'local', source, on: false });
        return false;
      }
    }
    await this.publishing.get(source);
    const producer = this.producers.get(source);
    if (!producer) {
      if (on && this.link.joined) await this.publish(source, this.link.generation);
      this.link.emitEvent({ type: 'local', source, on: on && this.isLive(source) });
      return true;
    }
    if (on) producer.resume();
    else producer.pause();
    try {
      await this.link.send(on ? 'media.resume' : 'media.pause', { producerId: producer.id });
    } catch (err) {
      // Refused (e.g. the host keeps the room muted): stay as the server says.
      if (on) {
        producer.pause();
        this.enabled[source] = false;
        this.link.emitEvent({ type: 'local', source, on: false });
        throw err;
      }
    }
    this.link.emitEvent({ type: 'local', source, on });
    return true;
  }

  /** Starts sharing a screen (the browser asks which) or stops it. False if nothing was shared. */
  async setScreen(on: boolean): Promise<boolean> {
    if (!on) {
      this.enabled.screen = false;
      await this.unpublish('screen');
      this.local.stop('screen');
      this.link.emitEvent({ type: 'local', source: 'screen', on: false });
      return true;
    }
    const ok = this.local.has('screen') || (await this.local.startScreen());
    if (!ok) return false;
    this.enabled.screen = true;
    if (this.link.joined) await this.publish('screen', this.link.generation);
    this.link.emitEvent({ type: 'local', source: 'screen', on: this.local.has('screen') });
    return this.local.has('screen');
  }

  /** The server paused one of this person's producers (the host muted them). */
  ownProducerPaused(producerId: string, byHost: boolean): void {
    for (const [source, producer] of this.producers) {
      if (producer.id !== producerId) continue;
      if (!producer.paused) producer.pause();
      this.enabled[source] = false;
      this.link.emitEvent({ type: 'local', source, on: false, byHost });
    }
  }

  /** The server closed one of this person's producers (the host stopped their video or screen). */
  ownProducerClosed(producerId: string, byHost: boolean): void {
    for (const [source, producer] of this.producers) {
      if (producer.id !== producerId) continue;
      this.producers.delete(source);
      producer.close();
      this.enabled[source] = false;
      if (source === 'screen') this.local.stop('screen');
      this.link.emitEvent({ type: 'local', source, on: false, byHost });
    }
  }

  /** LocalMedia switched a device or lost a track: follow it in the producers. */
  followLocalTracks(canPublish: boolean): void {
    // A device that opened after joining (e.g. Join was pressed before the camera was ready): publish it.
    if (this.transport && canPublish) {
      for (const source of ['mic', 'camera'] as const) {
        if (this.enabled[source] && this.local.has(source) && !this.producers.has(source)) {
          void this.publish(source, this.link.generation);
        }
      }
    }
    for (const [source, producer] of this.producers) {
      const track = this.local.track(source);
      if (!track) {
        if (source === 'screen') void this.setScreen(false);
        continue;
      }
      if (producer.track !== track) {
        void producer.replaceTrack({ track }).then(() => {
          if (producer.paused) track.enabled = false;
        });
      }
    }
  }

  /**
   * Turns single simulcast layers of a video producer on or off (`active[i]` for encoding i; the browser stops
   * encoding an inactive layer). For a handler that knows which layers anybody receives. False without one.
   */
  async setLayersActive(source: 'camera' | 'screen', active: readonly boolean[]): Promise<boolean> {
    const sender = this.producers.get(source)?.rtpSender;
    if (!sender) return false;
    const parameters = sender.getParameters();
    parameters.encodings.forEach((encoding, i) => {
      if (i < active.length) encoding.active = active[i];
    });
    await sender.setParameters(parameters);
    return true;
  }

  /** Closes the producers and the send transport; true if there were producers. Local tracks stay. */
  teardown(): boolean {
    const had = this.producers.size > 0;
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    this.transport?.close();
    this.transport = null;
    this.audioOnly = false;
    this.device = null;
    return had;
  }
}
