import {
  lectureRole,
  type ConsumerInfo,
  type IceServer,
  type LectureSend,
  type RoomJoined,
  type TransportOptions,
} from '@branchmeet/shared';
import type { types } from 'mediasoup-client';
import { followDynacast } from './dynacast';
import type { LocalMedia, LocalSource } from './local-media';
import { RoomDiagnostics, type ConsumerStats, type SignalTrace } from './room-diagnostics';
import type { RoomEvent } from './room-events';
import type { RoomDevice, RoomLink } from './room-link';
import { RoomPublisher } from './room-publisher';
import { RoomReceiver } from './room-receiver';
import { createRoomTransport } from './room-transports';
import type { RtcRequestName, RtcRequestPayload, RtcRequestResult } from './signalling';
import type { SignallingSubscription } from './signalling-client';
import { Emitter } from './emitter';
import type { LinkStats } from './tile-reports';

export type RoomConnectionEvents = {
  event: [RoomEvent];
  /** A playable track appeared or went away. */
  tracks: [];
};

/**
 * A room's media session and what the UI does with it: the person's mic, camera and screen (the publisher), the
 * remote tracks and tile sizes (the receiver), what browser tests and the quality indicator read (the
 * diagnostics), the session's Device and transports, and the server's events about them (consumers, producers
 * muted or closed by the host, a lecture's floor, dynacast). The RoomConnection built on it owns the socket, the
 * joining (which sets the session up) and the state.
 */
export abstract class RoomMedia extends Emitter<RoomConnectionEvents> {
  protected readonly diagnostics = new RoomDiagnostics();
  protected readonly publisher: RoomPublisher;
  protected readonly receiver: RoomReceiver;
  /** What the publisher and receiver see of the room. */
  protected readonly roomLink: RoomLink;
  /** The current media session's Device (null between sessions) and the ICE servers its transports use. */
  protected device: RoomDevice | null = null;
  protected iceServers: IceServer[] = [];

  constructor(
    protected readonly local: LocalMedia,
    publish: { mic: boolean; camera: boolean } | undefined,
    tileDebounceMs: () => number,
  ) {
    super();
    const generation = () => this.generation;
    const joined = () => this.joined;
    this.roomLink = {
      get generation() {
        return generation();
      },
      get joined() {
        return joined();
      },
      request: (event, payload) => this.request(event, payload),
      send: (event, payload) => this.send(event, payload),
      emitEvent: (event) => this.emitEvent(event),
      tracksChanged: () => this.emit('tracks'),
    };
    this.publisher = new RoomPublisher(local, this.roomLink, publish);
    this.receiver = new RoomReceiver(this.roomLink, tileDebounceMs, () => this.socketConnected);
  }

  protected abstract get generation(): number;
  protected abstract get joined(): boolean;
  protected abstract get socketConnected(): boolean;
  abstract get peerId(): string | null;
  /** Whether the room is over (left, ended, removed, denied, failed). */
  protected abstract isFinal(): boolean;
  /** Builds the media session again (a transport's ICE failed). */
  protected abstract recover(): void;
  protected abstract request<E extends RtcRequestName>(
    event: E,
    payload: RtcRequestPayload<E>,
  ): Promise<RtcRequestResult<E>>;
  /** Sends a request in the room (chat, hand, host controls…); rejects with the server's error. */
  abstract send<E extends RtcRequestName>(
    event: E,
    payload: RtcRequestPayload<E>,
  ): Promise<RtcRequestResult<E>>;

  protected emitEvent(event: RoomEvent): void {
    this.emit('event', event);
  }

  /** Follows the server's events about this person's media on the room's socket. */
  protected followMediaEvents(link: SignallingSubscription): void {
    link.on('consumer.created', (info) => void this.receiver.onConsumerCreated(info));
    link.on('consumer.closed', (p) => {
      this.receiver.closeConsumer(p.consumerId);
      this.emitEvent({ type: 'consumer.closed', payload: p });
    });
    link.on('producer.paused', (p) => {
      if (p.peerId === this.peerId) this.publisher.ownProducerPaused(p.producerId, p.byHost);
    });
    link.on('producer.closed', (p) => {
      if (p.peerId === this.peerId) this.publisher.ownProducerClosed(p.producerId, p.byHost);
      this.receiver.closeProducer(p.producerId);
    });
    link.on('lecture.send', (p) => void this.onLectureSend(p));
    // Dynacast: the server names the highest layer anyone receives of each of this person's videos.
    followDynacast(link, (id) => this.publisher.producerById(id));
  }

  /** A transport of media session `gen` over the loaded Device; its ICE failing rebuilds the session. */
  protected createTransport(
    direction: 'send' | 'recv',
    options: TransportOptions,
    gen: number,
  ): types.Transport {
    if (!this.device) throw new Error('device not loaded');
    return createRoomTransport(this.device, direction, options, this.iceServers, this.roomLink, () => {
      if (gen === this.generation) this.recover();
    });
  }

  /**
   * Sets media session `gen` up from a join's answer over the loaded Device: the transports, the consumers (those
   * the join brought, else asked for with `room.ready`) audio first, and the publishing. Resolves once every
   * consumer was asked to flow, with the publishing still under way; null when the session went stale meanwhile.
   */
  protected async openSession(
    answer: Extract<RoomJoined, { status: 'joined' }>,
    device: RoomDevice,
    joinConsumers: ConsumerInfo[] | undefined,
    gen: number,
  ): Promise<{ publishing: Promise<void> } | null> {
    this.device = device;
    this.iceServers = answer.iceServers;
    const recv = this.createTransport('recv', answer.recvTransport, gen);
    // A lecture's listener has no send transport until it is given the floor (`lecture.send`).
    const send = answer.sendTransport ? this.createTransport('send', answer.sendTransport, gen) : null;
    const role = answer.lecture && lectureRole(answer.lecture, answer.room.hostUserId, answer.self);
    this.publisher.attach(device, send, role === 'floor');
    this.receiver.attach(recv);

    const consumers =
      joinConsumers ??
      (await this.request('room.ready', { rtpCapabilities: device.rtpCapabilities })).consumers;
    if (gen !== this.generation) return null;
    // Audio first: its consumers are set up (which starts the receive transport's ICE and DTLS) and asked to
    // flow before the video's are set up, so nothing of the video stands before the first audio.
    const consume = (kind: 'audio' | 'video') =>
      Promise.all(consumers.filter((c) => c.kind === kind).map((c) => this.receiver.consume(c, gen)));
    await consume('audio');
    if (gen !== this.generation) return null;
    const resumingAudio = this.receiver.flushResume();
    // Publishing sets up the send transport, whose browser-side work would otherwise come first.
    const publishing = this.publisher.publishAll(gen);
    await consume('video');
    if (gen !== this.generation) return null;
    await Promise.all([resumingAudio, this.receiver.flushResume()]);
    return { publishing };
  }

  /** A lecture gave this seat a send transport (the floor, or co-presenting) or took it away. */
  private async onLectureSend(p: LectureSend): Promise<void> {
    const gen = this.generation;
    if (!p.sendTransport) {
      this.publisher.dropTransport();
      this.emitEvent({ type: 'lecture.send', payload: p });
      return;
    }
    await this.receiver.whenReady();
    if (gen !== this.generation || !this.device || this.isFinal()) return;
    this.publisher.replaceTransport(this.createTransport('send', p.sendTransport, gen), p.audioOnly);
    this.emitEvent({ type: 'lecture.send', payload: p });
    if (this.publisher.enabled.mic && !this.local.has('mic')) await this.local.startMic();
    await this.publisher.publishAll(gen);
  }

  /** Closes transports, producers and consumers of the current media session; local tracks stay. */
  protected teardownMedia(): void {
    const hadConsumers = this.receiver.teardown();
    const hadProducers = this.publisher.teardown();
    this.device = null;
    if (hadConsumers || hadProducers) {
      this.emitEvent({ type: 'media.reset' });
      this.emit('tracks');
    }
  }

  isOn(source: LocalSource): boolean {
    return this.publisher.isOn(source);
  }

  /** Unmutes / mutes the microphone (a muted mic is a paused producer). False if the mic cannot be opened. */
  setMic(on: boolean): Promise<boolean> {
    return this.publisher.setDevice('mic', on);
  }

  /** Turns the camera on / off (off is a paused producer: the track is disabled, the light goes off). */
  setCamera(on: boolean): Promise<boolean> {
    return this.publisher.setDevice('camera', on);
  }

  /** Starts sharing a screen (the browser asks which) or stops it. False if nothing was shared. */
  setScreen(on: boolean): Promise<boolean> {
    return this.publisher.setScreen(on);
  }

  /**
   * Turns simulcast layers of the camera (or screen) producer on or off, encoding by encoding; false when there
   * is no such producer. For a handler that learns which layers anybody receives.
   */
  setLayersActive(source: 'camera' | 'screen', active: readonly boolean[]): Promise<boolean> {
    return this.publisher.setLayersActive(source, active);
  }

  /**
   * The height in CSS pixels a remote video is shown at (0: not on screen, so not received); sent debounced, only
   * when changed. The server picks layers from it and the person's downlink, not from device pixels.
   */
  reportTile(consumerId: string, height: number): void {
    this.receiver.reportTile(consumerId, height);
  }

  /**
   * The person's own view of the downlink (their audio broken, or clean again; DownlinkWatch): the server holds
   * video back at once, or tries it again. The notice shows at once when there is video to hold back: the
   * server's answer comes through the same congested link, seconds later.
   */
  reportDownlink(congested: boolean): void {
    if (congested && this.receiver.hasVideo())
      this.emitEvent({ type: 'media.downlink', payload: { videoPaused: true } });
    this.request('media.downlinkReport', { congested }).then(
      (state) => this.emitEvent({ type: 'media.downlink', payload: state }),
      () => undefined,
    );
  }

  /**
   * Remote audio that arrives in time again while its jitter buffer still holds the delay of a congested spell
   * (StaleAudioWatch): a fresh consumer in its place, so a new, empty jitter buffer.
   */
  renewAudio(consumerId: string): void {
    void this.receiver
      .renew(consumerId)
      .catch((err: unknown) => console.warn('[room] cannot renew', consumerId, err));
  }

  /** The playable track of a consumer, or of a local source as `local:<source>`. */
  track(key: string): MediaStreamTrack | null {
    if (key.startsWith('local:')) return this.local.track(key.slice(6) as LocalSource);
    return this.receiver.track(key);
  }

  /** The signalling requests since the room began on a connected socket, with their round-trip times. */
  signalTrace(): SignalTrace {
    return this.diagnostics.signalTrace();
  }

  consumerIds(): string[] {
    return this.receiver.consumerIds();
  }

  /** Per-consumer receive statistics from the browser (for diagnostics and browser tests). */
  stats(): Promise<ConsumerStats[]> {
    return this.receiver.stats();
  }

  /** The link's state, round trip and bytes received, for the connection-quality indicator. */
  linkStats(): Promise<LinkStats> {
    return RoomDiagnostics.linkStats(this.receiver.transport, this.publisher.sendTransport);
  }

  /** Whether the person chose audio only (setAudioOnly). */
  get audioOnlyMode(): boolean {
    return this.receiver.audioOnly;
  }

  /**
   * Audio only, by hand: no video is received (the server is told every video tile is hidden, so it pauses those
   * consumers) and the camera is turned off. Off again: video is received at the tiles' sizes; the camera stays
   * as the person leaves it.
   */
  async setAudioOnly(on: boolean): Promise<void> {
    this.receiver.setAudioOnly(on);
    if (on && this.publisher.enabled.camera) await this.setCamera(false).catch(() => undefined);
  }
}
