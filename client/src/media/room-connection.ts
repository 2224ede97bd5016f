import {
  RTC_NAMESPACE,
  RTC_PROTOCOL_VERSION,
  type ApiError,
  type ConsumerInfo,
  type IceServer,
  type LectureSend,
  type RtcServerEvents,
  type TransportOptions,
} from '@branchmeet/shared';
import { Device, type types } from 'mediasoup-client';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { followDynacast } from './dynacast';
import { Emitter } from './emitter';
import type { LocalMedia, LocalSource } from './local-media';
import type { ConnectionState, RoomEvent } from './room-events';
import { FINAL_STATES } from './room-events';
import { linkStatsOf, TileReports, type LinkStats } from './tile-reports';
import { testIceTransportPolicy } from './test-hooks';
import {
  request as sendRequest,
  RtcRequestError,
  type RtcRequestName,
  type RtcRequestPayload,
  type RtcRequestResult,
  type RtcSocket,
} from './signalling';

/** The part of mediasoup-client's Device the room uses (tests substitute a fake). */
export type RoomDevice = Pick<
  types.Device,
  'load' | 'loaded' | 'rtpCapabilities' | 'canProduce' | 'createSendTransport' | 'createRecvTransport'
>;

type ProducerAppData = { source: LocalSource; paused: boolean };
type ConsumerAppData = { peerId: string; source: ConsumerInfo['source'] };

export interface RoomConnectionOptions {
  meetingId: string;
  local: LocalMedia;
  /** The current access token (read on every (re)connect). */
  token: () => string | null;
  /** Refreshes the access token after the socket was refused as unauthenticated; false if the session is gone. */
  refreshAuth?: () => Promise<boolean>;
  language?: () => string;
  /** Whether mic and camera go live on join (otherwise they are published paused, or not at all). */
  publish?: { mic: boolean; camera: boolean };
  socketFactory?: (
    auth: () => Record<string, unknown>,
    options: Partial<ManagerOptions & SocketOptions>,
  ) => RtcSocket;
  deviceFactory?: () => Promise<RoomDevice>;
  /** Delay before a tile-size report is sent (ms). */
  tileDebounceMs?: number;
}

export interface ConsumerStats {
  consumerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: ConsumerInfo['source'];
  framesDecoded?: number;
  packetsReceived?: number;
  bytesReceived?: number;
  packetsLost?: number;
}

type RoomConnectionEvents = {
  event: [RoomEvent];
  /** A playable track appeared or went away. */
  tracks: [];
};

/** Camera simulcast: three layers, the server picks one per viewer from the tile size it reports. */
export const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 100_000, scalabilityMode: 'L1T3' },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 300_000, scalabilityMode: 'L1T3' },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 900_000, scalabilityMode: 'L1T3' },
];

const SERVER_EVENTS = [
  'peer.joined',
  'peer.left',
  'producer.paused',
  'producer.resumed',
  'producer.closed',
  'chat.received',
  'hand.changed',
  'speaker.changed',
  'audio.levels',
  'room.changed',
  'lobby.waiting',
  'lecture.changed',
  'qa.changed',
  'recording.changed',
  'media.downlink',
] as const satisfies readonly (keyof RtcServerEvents)[];

/** Signalling timings of the current socket connection (`performance.now()` ms), for tests and the join benchmark. */
export interface SignalTrace {
  /** When the socket last connected; requests are recorded from then on. */
  connectedAt: number | null;
  requests: { event: string; sentAt: number; ackAt: number | null }[];
}

const MAX_TRACED_REQUESTS = 100;
const traces = new WeakMap<RtcSocket, SignalTrace>();

/** `request` of ./signalling, recording its round trip in the socket's trace (the first requests after connect). */
function request<E extends RtcRequestName>(
  socket: RtcSocket,
  event: E,
  payload: RtcRequestPayload<E>,
  timeoutMs?: number,
): Promise<RtcRequestResult<E>> {
  const result = sendRequest(socket, event, payload, timeoutMs);
  const trace = traces.get(socket);
  if (trace && trace.requests.length < MAX_TRACED_REQUESTS) {
    const entry = { event, sentAt: performance.now(), ackAt: null as number | null };
    trace.requests.push(entry);
    result.then(
      () => (entry.ackAt = performance.now()),
      () => undefined,
    );
  }
  return result;
}

const RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 8000];
const MAX_AUTH_FAILURES = 3;

function toRtcIceServers(servers: IceServer[]): RTCIceServer[] {
  return servers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
}

/** The wire's opaque mediasoup parameter objects, typed as mediasoup-client's (mediasoup checked their content). */
function transportOptions(t: TransportOptions, iceServers: IceServer[]): types.TransportOptions {
  return {
    id: t.id,
    iceParameters: t.iceParameters as types.IceParameters,
    iceCandidates: t.iceCandidates as types.IceCandidate[],
    dtlsParameters: t.dtlsParameters as types.DtlsParameters,
    iceServers: toRtcIceServers(iceServers),
    ...(testIceTransportPolicy() ? { iceTransportPolicy: testIceTransportPolicy() } : {}),
  };
}

function defaultSocketFactory(
  auth: () => Record<string, unknown>,
  options: Partial<ManagerOptions & SocketOptions>,
): RtcSocket {
  return io(RTC_NAMESPACE, { ...options, auth: (cb) => cb(auth()) });
}

/**
 * One person's connection to one live room: the `/rtc` socket, the mediasoup Device, a send and a receive
 * transport, the producers of the local mic/camera/screen and a consumer per remote producer. The UI sees
 * `RoomEvent`s and asks for tracks by id (`track(key)`); it never holds a MediaStreamTrack in its state.
 *
 * Reconnects on its own: when the socket drops, ICE fails, or the room moved to another media worker, it joins
 * again with `resumePeerId` (the server gives the same seat back) and republishes what was live.
 */
export class RoomConnection extends Emitter<RoomConnectionEvents> {
  readonly meetingId: string;
  private readonly options: RoomConnectionOptions;
  private readonly local: LocalMedia;
  private socket: RtcSocket | null = null;
  private device: RoomDevice | null = null;
  private sendTransport: types.Transport | null = null;
  private recvTransport: types.Transport | null = null;
  /** A lecture's listener given the floor publishes its microphone only. */
  private audioOnly = false;
  private iceServers: IceServer[] = [];
  private recvReady: Promise<void> = Promise.resolve();
  private readonly producers = new Map<LocalSource, types.Producer<ProducerAppData>>();
  private readonly publishing = new Map<LocalSource, Promise<void>>();
  private readonly consumers = new Map<string, types.Consumer<ConsumerAppData>>();
  private readonly pendingResume = new Set<string>();
  private resumeTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly tiles = new TileReports(
    (consumerId, height) =>
      this.consumers.has(consumerId) && this.socket?.connected
        ? request(this.socket, 'consumer.tile', { consumerId, height })
        : false,
    () => this.options.tileDebounceMs ?? 300,
  );
  private readonly enabled: Record<LocalSource, boolean>;
  private generation = 0;
  private peerIdValue: string | null = null;
  private stateValue: ConnectionState = 'connecting';
  private everJoined = false;
  private authFailures = 0;
  private reconnectAttempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly offLocal: () => void;
  private readonly traceValue: SignalTrace = { connectedAt: null, requests: [] };

  constructor(options: RoomConnectionOptions) {
    super();
    this.options = options;
    this.meetingId = options.meetingId;
    this.local = options.local;
    this.enabled = {
      mic: options.publish?.mic ?? true,
      camera: options.publish?.camera ?? true,
      screen: false,
    };
    this.offLocal = this.local.on('change', () => this.followLocalTracks());
  }

  get peerId(): string | null {
    return this.peerIdValue;
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  isOn(source: LocalSource): boolean {
    return this.enabled[source] && this.local.has(source);
  }

  /** Opens the socket and joins; progress arrives as `connection` events. */
  connect(): void {
    if (this.socket) return;
    const socket = (this.options.socketFactory ?? defaultSocketFactory)(
      () => ({
        token: this.options.token() ?? '',
        protocol: RTC_PROTOCOL_VERSION,
        // The UI language, for the messages of error acks (a browser's websocket cannot send headers).
        lang: this.options.language?.().startsWith('en') ? 'en' : 'zh-CN',
      }),
      {
        reconnectionDelay: 500,
        reconnectionDelayMax: 4000,
      },
    );
    this.socket = socket;
    traces.set(socket, this.traceValue);
    this.setState('connecting');

    socket.on('connect', () => {
      this.traceValue.connectedAt = performance.now();
      this.traceValue.requests = [];
      this.authFailures = 0;
      this.reconnectAttempt = 0;
      void this.join(this.everJoined);
    });
    socket.on('disconnect', (reason) => {
      if (this.isFinal()) return;
      this.setState(this.everJoined ? 'reconnecting' : 'connecting');
      // The server closed the socket (not a network drop): socket.io will not retry by itself.
      if (reason === 'io server disconnect') this.scheduleReconnect();
    });
    socket.on('connect_error', (err: Error & { data?: unknown }) => {
      if (this.isFinal()) return;
      if (socket.active) return; // a network problem: socket.io retries by itself
      const apiError = connectError(err);
      if (
        apiError.code === 'unauthenticated' &&
        this.options.refreshAuth &&
        this.authFailures < MAX_AUTH_FAILURES
      ) {
        this.authFailures += 1;
        void this.options.refreshAuth().then((ok) => {
          if (ok) this.scheduleReconnect();
          else this.fail(apiError);
        });
        return;
      }
      this.fail(apiError);
    });

    // Forwarded as they are; the payload's type follows from the event name (the untyped form of `on`).
    const untyped = socket as Socket;
    for (const name of SERVER_EVENTS) {
      untyped.on(name, (payload: unknown) => this.emitEvent({ type: name, payload } as RoomEvent));
    }
    socket.on('consumer.created', (info) => void this.onConsumerCreated(info));
    followDynacast(socket, (id) => [...this.producers.values()].find((p) => p.id === id));
    socket.on('consumer.closed', (p) => {
      this.closeConsumer(p.consumerId);
      this.emitEvent({ type: 'consumer.closed', payload: p });
    });
    socket.on('producer.paused', (p) => this.onOwnProducerPaused(p.peerId, p.producerId, p.byHost));
    socket.on('producer.closed', (p) => {
      this.onOwnProducerClosed(p.peerId, p.producerId, p.byHost);
      for (const consumer of [...this.consumers.values()]) {
        if (consumer.producerId === p.producerId) this.closeConsumer(consumer.id);
      }
    });
    socket.on('lobby.admitted', (p) => {
      this.emitEvent({ type: 'lobby.admitted', payload: p });
      void this.join(false);
    });
    socket.on('lobby.denied', (p) => {
      this.emitEvent({ type: 'lobby.denied', payload: p });
      this.finish('denied');
    });
    socket.on('room.ended', (p) => {
      this.emitEvent({ type: 'room.ended', payload: p });
      this.finish('ended');
    });
    socket.on('self.removed', (p) => {
      this.emitEvent({ type: 'self.removed', payload: p });
      this.finish('removed');
    });
    socket.on('lecture.send', (p) => void this.onLectureSend(p));
    socket.on('media.moved', (p) => {
      this.emitEvent({ type: 'media.moved', payload: p });
      this.recover();
    });
    socket.connect();
  }

  /** Leaves the room (tells the server, best effort) and releases everything but the local tracks. */
  async leave(): Promise<void> {
    if (this.isFinal()) return;
    const socket = this.socket;
    if (socket?.connected && this.stateValue === 'joined') {
      await request(socket, 'room.leave', {}, 1500).catch(() => undefined);
    }
    this.finish('left');
  }

  /** Sends a request in the room (chat, hand, host controls…); rejects with the server's error. */
  send<E extends RtcRequestName>(event: E, payload: RtcRequestPayload<E>): Promise<RtcRequestResult<E>> {
    if (!this.socket?.connected) {
      return Promise.reject(new RtcRequestError(event, { code: 'network_error', message: 'not connected' }));
    }
    return request(this.socket, event, payload);
  }

  async sendChat(text: string) {
    const message = await this.send('chat.send', { text });
    this.emitEvent({ type: 'chat.received', payload: message });
    return message;
  }

  async setHand(raised: boolean): Promise<void> {
    await this.send(raised ? 'hand.raise' : 'hand.lower', {});
    if (this.peerIdValue)
      this.emitEvent({ type: 'hand.changed', payload: { peerId: this.peerIdValue, raised } });
  }

  /** Unmutes / mutes the microphone (a muted mic is a paused producer). False if the mic cannot be opened. */
  setMic(on: boolean): Promise<boolean> {
    return this.setDevice('mic', on);
  }

  /** Turns the camera on / off (off is a paused producer: the track is disabled, the light goes off). */
  setCamera(on: boolean): Promise<boolean> {
    return this.setDevice('camera', on);
  }

  /** Starts sharing a screen (the browser asks which) or stops it. False if nothing was shared. */
  async setScreen(on: boolean): Promise<boolean> {
    if (!on) {
      this.enabled.screen = false;
      await this.unpublish('screen');
      this.local.stop('screen');
      this.emitEvent({ type: 'local', source: 'screen', on: false });
      return true;
    }
    const ok = this.local.has('screen') || (await this.local.startScreen());
    if (!ok) return false;
    this.enabled.screen = true;
    if (this.stateValue === 'joined') await this.publish('screen', this.generation);
    this.emitEvent({ type: 'local', source: 'screen', on: this.local.has('screen') });
    return this.local.has('screen');
  }

  /**
   * The height in CSS pixels a remote video is shown at (0: not on screen, so not received); sent debounced, only
   * when changed. The server picks layers from it and the person's downlink, not from device pixels.
   */
  reportTile(consumerId: string, height: number): void {
    this.tiles.report(consumerId, height);
  }

  /** The playable track of a consumer, or of a local source as `local:<source>`. */
  track(key: string): MediaStreamTrack | null {
    if (key.startsWith('local:')) return this.local.track(key.slice(6) as LocalSource);
    const consumer = this.consumers.get(key);
    return consumer && !consumer.closed ? consumer.track : null;
  }

  /** The signalling requests since the socket last connected, with their round-trip times. */
  signalTrace(): SignalTrace {
    return {
      connectedAt: this.traceValue.connectedAt,
      requests: this.traceValue.requests.map((r) => ({ ...r })),
    };
  }

  consumerIds(): string[] {
    return [...this.consumers.keys()];
  }

  /** Per-consumer receive statistics from the browser (for diagnostics and browser tests). */
  async stats(): Promise<ConsumerStats[]> {
    return Promise.all(
      [...this.consumers.values()].map(async (consumer) => {
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
            if (typeof s.framesDecoded === 'number')
              entry.framesDecoded = (entry.framesDecoded ?? 0) + s.framesDecoded;
            if (typeof s.packetsReceived === 'number')
              entry.packetsReceived = (entry.packetsReceived ?? 0) + s.packetsReceived;
            if (typeof s.bytesReceived === 'number')
              entry.bytesReceived = (entry.bytesReceived ?? 0) + s.bytesReceived;
            if (typeof s.packetsLost === 'number')
              entry.packetsLost = (entry.packetsLost ?? 0) + s.packetsLost;
          });
        } catch {
          /* a consumer closing while asked */
        }
        return entry;
      }),
    );
  }

  /** The link's state, round trip and bytes received, for the connection-quality indicator. */
  linkStats(): Promise<LinkStats> {
    return linkStatsOf(this.recvTransport, this.sendTransport);
  }

  /** Whether the person chose audio only (setAudioOnly). */
  get audioOnlyMode(): boolean {
    return this.tiles.audioOnly;
  }

  /**
   * Audio only, by hand: no video is received (the server is told every video tile is hidden, so it pauses those
   * consumers) and the camera is turned off. Off again: video is received at the tiles' sizes; the camera stays
   * as the person leaves it.
   */
  async setAudioOnly(on: boolean): Promise<void> {
    const videos = [...this.consumers.values()].filter((c) => c.kind === 'video').map((c) => c.id);
    this.tiles.setAudioOnly(on, videos);
    if (on && this.enabled.camera) await this.setCamera(false).catch(() => undefined);
  }

  /** Releases the socket and media; the local tracks stay with LocalMedia. */
  dispose(): void {
    if (!this.isFinal()) this.finish('left');
    this.offLocal();
    this.removeAllListeners();
  }

  // ── joining ────────────────────────────────────────────────────────────────────────────────────────────
  private async join(resume: boolean): Promise<void> {
    const socket = this.socket;
    if (!socket || this.isFinal()) return;
    const gen = ++this.generation;
    this.teardownMedia();
    let answer;
    try {
      answer = await request(socket, 'room.join', {
        meetingId: this.meetingId,
        resumePeerId: resume && this.peerIdValue ? this.peerIdValue : undefined,
      });
    } catch (err) {
      if (gen !== this.generation) return;
      const error = err instanceof RtcRequestError ? { code: err.code, message: err.message } : undefined;
      if (error && error.code !== 'timeout' && error.code !== 'network_error') this.fail(error);
      else this.recoverLater();
      return;
    }
    if (gen !== this.generation || this.isFinal()) return;
    if (answer.status === 'waiting') {
      this.setState('waiting');
      this.emitEvent({ type: 'waiting', room: answer.room });
      return;
    }
    this.peerIdValue = answer.self.peerId;
    this.emitEvent({
      type: 'joined',
      self: answer.self,
      room: answer.room,
      peers: answer.peers.filter((p) => p.peerId !== answer.self.peerId),
      chat: answer.chat,
      resumed: answer.resumed,
      lecture: answer.lecture,
      recording: answer.recording,
    });

    try {
      let markRecvReady: () => void = () => undefined;
      this.recvReady = new Promise<void>((resolve) => (markRecvReady = resolve));
      const device = await (this.options.deviceFactory ?? (() => Device.factory()))();
      await device.load({ routerRtpCapabilities: answer.routerRtpCapabilities as types.RtpCapabilities });
      if (gen !== this.generation) return;
      this.device = device;
      this.iceServers = answer.iceServers;
      this.audioOnly = !!answer.lecture?.floorPeerIds.includes(answer.self.peerId);
      this.recvTransport = this.createTransport('recv', answer.recvTransport, answer.iceServers, gen);
      // A lecture's listener has no send transport until it is given the floor (`lecture.send`).
      this.sendTransport = answer.sendTransport
        ? this.createTransport('send', answer.sendTransport, answer.iceServers, gen)
        : null;
      markRecvReady();

      const publishing = this.publishAll(gen);
      const { consumers } = await request(socket, 'room.ready', { rtpCapabilities: device.rtpCapabilities });
      if (gen !== this.generation) return;
      await Promise.all(consumers.map((c) => this.consume(c, gen)));
      if (gen !== this.generation) return;
      await this.flushResume();
      this.everJoined = true;
      this.setState('joined');
      await publishing;
      this.followLocalTracks(); // devices that opened while joining
    } catch (err) {
      if (gen !== this.generation || this.isFinal()) return;
      console.warn('[room] joining the media session failed', err);
      this.recoverLater();
    }
  }

  private createTransport(
    direction: 'send' | 'recv',
    options: TransportOptions,
    iceServers: IceServer[],
    gen: number,
  ): types.Transport {
    const device = this.device;
    if (!device) throw new Error('device not loaded');
    const params = transportOptions(options, iceServers);
    const transport =
      direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.requestNow('transport.connect', { transportId: transport.id, dtlsParameters }).then(
        () => callback(),
        errback,
      );
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        const source = appData.source as LocalSource;
        this.requestNow('media.produce', {
          transportId: transport.id,
          kind,
          source,
          rtpParameters,
          paused: appData.paused === true,
        }).then(({ producerId }) => callback({ id: producerId }), errback);
      });
    }
    transport.on('connectionstatechange', (state) => {
      if (gen !== this.generation) return;
      if (state === 'failed') this.recover();
    });
    return transport;
  }

  private requestNow<E extends RtcRequestName>(event: E, payload: RtcRequestPayload<E>) {
    if (!this.socket) return Promise.reject(new Error('no socket'));
    return request(this.socket, event, payload);
  }

  // ── receiving ──────────────────────────────────────────────────────────────────────────────────────────
  private async onConsumerCreated(info: ConsumerInfo): Promise<void> {
    const gen = this.generation;
    await this.recvReady;
    if (gen !== this.generation || !this.recvTransport) return;
    await this.consume(info, gen);
    this.scheduleResume();
  }

  private async consume(info: ConsumerInfo, gen: number): Promise<void> {
    const transport = this.recvTransport;
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
    if (gen !== this.generation) {
      consumer.close();
      return;
    }
    this.consumers.set(consumer.id, consumer);
    if (consumer.kind === 'video') this.tiles.added(consumer.id);
    this.pendingResume.add(consumer.id);
    this.emitEvent({ type: 'consumer.created', payload: info });
    this.emit('tracks');
  }

  private scheduleResume(): void {
    if (this.resumeTimer) return;
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = null;
      void this.flushResume().catch(() => undefined);
    }, 0);
  }

  /** Resumes every consumer attached since the last call, in one request. */
  private async flushResume(): Promise<void> {
    const ids = [...this.pendingResume].filter((id) => this.consumers.has(id));
    this.pendingResume.clear();
    for (let i = 0; i < ids.length; i += 500) {
      await this.requestNow('consumer.resume', { consumerIds: ids.slice(i, i + 500) });
    }
  }

  private closeConsumer(consumerId: string): void {
    const consumer = this.consumers.get(consumerId);
    if (!consumer) return;
    consumer.close();
    this.consumers.delete(consumerId);
    this.pendingResume.delete(consumerId);
    this.tiles.remove(consumerId);
    this.emit('tracks');
  }

  // ── publishing ─────────────────────────────────────────────────────────────────────────────────────────
  private async publishAll(gen: number): Promise<void> {
    const sources = ['mic', 'camera', 'screen'] as const;
    await Promise.all(sources.map((s) => this.publish(s, gen)));
    if (gen !== this.generation) return;
    // What is really live (a device may have failed to open; a lecture's listener sends nothing): the UI shows that.
    for (const source of sources) this.emitEvent({ type: 'local', source, on: this.isLive(source) });
  }

  private publish(source: LocalSource, gen: number): Promise<void> {
    const running = this.publishing.get(source);
    if (running) return running;
    const work = this.doPublish(source, gen).finally(() => this.publishing.delete(source));
    this.publishing.set(source, work);
    return work;
  }

  private async doPublish(source: LocalSource, gen: number): Promise<void> {
    const transport = this.sendTransport;
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
    if (gen !== this.generation) {
      producer.close();
      return;
    }
    if (paused) producer.pause(); // the server created it paused already
    producer.on('trackended', () => void this.onTrackEnded(source));
    this.producers.set(source, producer);
    this.emitEvent({ type: 'local', source, on: !paused });
  }

  private async unpublish(source: LocalSource): Promise<void> {
    await this.publishing.get(source);
    const producer = this.producers.get(source);
    if (!producer) return;
    this.producers.delete(source);
    producer.close();
    if (this.socket?.connected)
      await request(this.socket, 'media.close', { producerId: producer.id }).catch(() => undefined);
  }

  private async setDevice(source: 'mic' | 'camera', on: boolean): Promise<boolean> {
    const previous = this.enabled[source];
    this.enabled[source] = on;
    if (on && !this.local.has(source)) {
      const opened = source === 'mic' ? await this.local.startMic() : await this.local.startCamera();
      if (!opened) {
        this.enabled[source] = previous;
        this.emitEvent({ type: 'local', source, on: false });
        return false;
      }
    }
    await this.publishing.get(source);
    const producer = this.producers.get(source);
    if (!producer) {
      if (on && this.stateValue === 'joined') await this.publish(source, this.generation);
      this.emitEvent({ type: 'local', source, on: on && this.isLive(source) });
      return true;
    }
    if (on) producer.resume();
    else producer.pause();
    try {
      await this.send(on ? 'media.resume' : 'media.pause', { producerId: producer.id });
    } catch (err) {
      // Refused (e.g. the host keeps the room muted): stay as the server says.
      if (on) {
        producer.pause();
        this.enabled[source] = false;
        this.emitEvent({ type: 'local', source, on: false });
        throw err;
      }
    }
    this.emitEvent({ type: 'local', source, on });
    return true;
  }

  private onOwnProducerPaused(peerId: string, producerId: string, byHost: boolean): void {
    if (peerId !== this.peerIdValue) return;
    for (const [source, producer] of this.producers) {
      if (producer.id !== producerId) continue;
      if (!producer.paused) producer.pause();
      this.enabled[source] = false;
      this.emitEvent({ type: 'local', source, on: false, byHost });
    }
  }

  private onOwnProducerClosed(peerId: string, producerId: string, byHost: boolean): void {
    if (peerId !== this.peerIdValue) return;
    for (const [source, producer] of this.producers) {
      if (producer.id !== producerId) continue;
      this.producers.delete(source);
      producer.close();
      this.enabled[source] = false;
      if (source === 'screen') this.local.stop('screen');
      this.emitEvent({ type: 'local', source, on: false, byHost });
    }
  }

  private async onTrackEnded(source: LocalSource): Promise<void> {
    if (source === 'screen') await this.setScreen(false);
  }

  /** LocalMedia switched a device or lost a track: follow it in the producers. */
  private followLocalTracks(): void {
    // A device that opened after joining (e.g. Join was pressed before the camera was ready): publish it.
    if (this.sendTransport && !this.isFinal()) {
      for (const source of ['mic', 'camera'] as const) {
        if (this.enabled[source] && this.local.has(source) && !this.producers.has(source)) {
          void this.publish(source, this.generation);
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
    this.emit('tracks');
  }

  /** Whether a source is really sent (or would be: a send transport exists and this source may go on it). */
  private isLive(source: LocalSource): boolean {
    return this.isOn(source) && this.sendTransport !== null && (!this.audioOnly || source === 'mic');
  }

  /** A lecture gave this seat a send transport (the floor, or co-presenting) or took it away. */
  private async onLectureSend(p: LectureSend): Promise<void> {
    const gen = this.generation;
    if (!p.sendTransport) {
      for (const source of [...this.producers.keys()]) {
        this.producers.get(source)?.close();
        this.producers.delete(source);
        if (source === 'screen') this.local.stop('screen');
        this.emitEvent({ type: 'local', source, on: false });
      }
      this.sendTransport?.close();
      this.sendTransport = null;
      this.emitEvent({ type: 'lecture.send', payload: p });
      return;
    }
    await this.recvReady;
    if (gen !== this.generation || !this.device || this.isFinal()) return;
    this.sendTransport?.close();
    this.audioOnly = p.audioOnly;
    this.sendTransport = this.createTransport('send', p.sendTransport, this.iceServers, gen);
    this.emitEvent({ type: 'lecture.send', payload: p });
    // Given the floor: the microphone goes live (the person asked for it by raising a hand).
    if (p.audioOnly) this.enabled.mic = true;
    if (this.enabled.mic && !this.local.has('mic')) await this.local.startMic();
    await this.publishAll(gen);
  }

  // ── reconnecting ───────────────────────────────────────────────────────────────────────────────────────
  /** Rebuilds the media session over the current socket (ICE failed, or the room moved to another worker). */
  private recover(): void {
    if (this.isFinal()) return;
    this.setState('reconnecting');
    if (this.socket?.connected) void this.join(true);
    // Otherwise the socket's own reconnect will join again.
  }

  private recoverLater(): void {
    if (this.isFinal()) return;
    this.setState(this.everJoined ? 'reconnecting' : 'connecting');
    const delay = RECONNECT_DELAYS_MS[Math.min(this.reconnectAttempt, RECONNECT_DELAYS_MS.length - 1)];
    this.reconnectAttempt += 1;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.socket?.connected) void this.join(this.everJoined);
      else this.socket?.connect();
    }, delay);
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.isFinal()) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(this.reconnectAttempt, RECONNECT_DELAYS_MS.length - 1)];
    this.reconnectAttempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.isFinal()) this.socket?.connect();
    }, delay);
  }

  /** Closes transports, producers and consumers of the current media session; local tracks stay. */
  private teardownMedia(): void {
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = null;
    this.pendingResume.clear();
    this.tiles.clear();
    const hadMedia = this.consumers.size > 0 || this.producers.size > 0;
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    for (const consumer of this.consumers.values()) consumer.close();
    this.consumers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.sendTransport = null;
    this.recvTransport = null;
    this.audioOnly = false;
    this.device = null;
    if (hadMedia) {
      this.emitEvent({ type: 'media.reset' });
      this.emit('tracks');
    }
  }

  private finish(state: ConnectionState): void {
    if (this.isFinal()) return;
    this.generation += 1;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.teardownMedia();
    this.local.stop('screen');
    const socket = this.socket;
    this.socket = null;
    socket?.removeAllListeners();
    socket?.disconnect();
    this.setState(state);
  }

  private fail(error: ApiError): void {
    if (this.isFinal()) return;
    this.finish('failed');
    this.emitEvent({ type: 'connection', state: 'failed', error });
  }

  private isFinal(): boolean {
    return FINAL_STATES.includes(this.stateValue);
  }

  private setState(state: ConnectionState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    if (state !== 'failed') this.emitEvent({ type: 'connection', state });
  }

  private emitEvent(event: RoomEvent): void {
    this.emit('event', event);
  }
}

/** What a refused socket connection says: the server puts an ApiError in `data`, or a code in the message. */
function connectError(err: Error & { data?: unknown }): ApiError {
  const data = err.data as Partial<ApiError> | undefined;
  if (data && typeof data.code === 'string') {
    return { code: data.code, message: typeof data.message === 'string' ? data.message : err.message };
  }
  const code = /unauth|jwt|token/i.test(err.message)
    ? 'unauthenticated'
    : /protocol/i.test(err.message)
      ? 'protocol_mismatch'
      : /forbidden/i.test(err.message)
        ? 'forbidden'
        : 'connect_failed';
  return { code, message: err.message };
}
