import type { types } from 'mediasoup';
import { layersForTile } from './layers';
import type { MediaEventBus, PeerLeaveReason } from './media-events';
import {
  MediaError,
  SOURCE_KIND,
  type ConsumerAppData,
  type ConsumerInfo,
  type MediaConsumer,
  type MediaProducer,
  type MediaRouter,
  type MediaSource,
  type MediaWebRtcServer,
  type MediaWebRtcTransport,
  type ObserverAppData,
  type ProducerAppData,
  type ProducerInfo,
  type TransportAppData,
  type TransportDirection,
  type TransportInfo,
} from './media.types';

export class MediaPeer {
  readonly transports = new Map<string, MediaWebRtcTransport>();
  readonly producers = new Map<string, MediaProducer>();
  readonly consumers = new Map<string, MediaConsumer>();

  constructor(
    readonly peerId: string,
    readonly userId: string,
    public rtpCapabilities?: types.RtpCapabilities,
  ) {}

  producerFor(source: MediaSource): MediaProducer | undefined {
    return [...this.producers.values()].find((p) => p.appData.source === source);
  }

  /** Closes every transport (and with them every producer and consumer). */
  closeMedia(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }
}

/** One live meeting: its router (on one worker), its observers, and the peers in it. */
export class MediaRoom {
  readonly peers = new Map<string, MediaPeer>();
  private observers: {
    speaker: types.ActiveSpeakerObserver<ObserverAppData>;
    levels: types.AudioLevelObserver<ObserverAppData>;
  };
  closed = false;

  private constructor(
    readonly meetingId: string,
    public router: MediaRouter,
    public webRtcServer: MediaWebRtcServer,
    public workerIndex: number,
    private readonly events: MediaEventBus,
  ) {}

  static async create(
    meetingId: string,
    placement: { router: MediaRouter; webRtcServer: MediaWebRtcServer; workerIndex: number },
    events: MediaEventBus,
  ): Promise<MediaRoom> {
    const room = new MediaRoom(
      meetingId,
      placement.router,
      placement.webRtcServer,
      placement.workerIndex,
      events,
    );
    await room.attachObservers();
    return room;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  /** Moves the room to a new router (its worker died): every peer's media is gone and must be set up again. */
  async moveTo(placement: { router: MediaRouter; webRtcServer: MediaWebRtcServer; workerIndex: number }) {
    for (const peer of this.peers.values()) peer.closeMedia();
    this.router.close();
    this.router = placement.router;
    this.webRtcServer = placement.webRtcServer;
    this.workerIndex = placement.workerIndex;
    await this.attachObservers();
  }

  peer(peerId: string): MediaPeer {
    const peer = this.peers.get(peerId);
    if (!peer) throw new MediaError('peer_not_found', `peer ${peerId} is not in meeting ${this.meetingId}`);
    return peer;
  }

  /** Producers of everyone but `exceptPeerId`. */
  producers(exceptPeerId?: string): ProducerInfo[] {
    const out: ProducerInfo[] = [];
    for (const peer of this.peers.values()) {
      if (peer.peerId === exceptPeerId) continue;
      for (const p of peer.producers.values())
        out.push({
          producerId: p.id,
          peerId: peer.peerId,
          kind: p.kind,
          source: p.appData.source,
          paused: p.paused,
        });
    }
    return out;
  }

  async createTransport(peerId: string, direction: TransportDirection): Promise<TransportInfo> {
    const peer = this.peer(peerId);
    const transport = await this.router.createWebRtcTransport<TransportAppData>({
      webRtcServer: this.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { meetingId: this.meetingId, peerId, direction },
    });
    if (!this.peers.has(peerId)) {
      transport.close(); // the peer left while the transport was being created
      throw new MediaError('peer_not_found', `peer ${peerId} left meeting ${this.meetingId}`);
    }
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    transport.on('dtlsstatechange', (state) => {
      if (state === 'connected')
        this.events.emit('transportConnected', {
          meetingId: this.meetingId,
          peerId,
          userId: peer.userId,
          transportId: transport.id,
          direction,
        });
    });
    return transportInfo(transport);
  }

  transport(peerId: string, transportId: string, direction?: TransportDirection): MediaWebRtcTransport {
    const t = this.peer(peerId).transports.get(transportId);
    if (!t || (direction && t.appData.direction !== direction))
      throw new MediaError(
        'transport_not_found',
        `no ${direction ?? ''} transport ${transportId} for peer ${peerId}`,
      );
    return t;
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: types.DtlsParameters) {
    await this.transport(peerId, transportId).connect({ dtlsParameters });
  }

  async restartIce(peerId: string, transportId: string): Promise<types.IceParameters> {
    return this.transport(peerId, transportId).restartIce();
  }

  async produce(
    peerId: string,
    req: {
      transportId: string;
      kind: types.MediaKind;
      rtpParameters: types.RtpParameters;
      source: MediaSource;
    },
  ): Promise<ProducerInfo> {
    const peer = this.peer(peerId);
    if (SOURCE_KIND[req.source] !== req.kind)
      throw new MediaError(
        'bad_request',
        `source ${req.source} carries ${SOURCE_KIND[req.source]}, not ${req.kind}`,
      );
    if (peer.producerFor(req.source))
      throw new MediaError('source_in_use', `peer ${peerId} already produces ${req.source}`);
    const transport = this.transport(peerId, req.transportId, 'send');
    const producer = await transport.produce<ProducerAppData>({
      kind: req.kind,
      rtpParameters: req.rtpParameters,
      appData: { meetingId: this.meetingId, peerId, source: req.source },
    });
    peer.producers.set(producer.id, producer);
    const info = { meetingId: this.meetingId, peerId, producerId: producer.id, source: req.source };
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      this.events.emit('producerClosed', info);
    });
    producer.observer.on('pause', () => this.events.emit('producerPaused', info));
    producer.observer.on('resume', () => this.events.emit('producerResumed', info));
    if (producer.kind === 'audio') {
      await Promise.all([
        this.observers.speaker.addProducer({ producerId: producer.id }),
        this.observers.levels.addProducer({ producerId: producer.id }),
      ]).catch(() => undefined); // the producer closed meanwhile
    }
    this.events.emit('producerAdded', { ...info, kind: producer.kind });
    return {
      producerId: producer.id,
      peerId,
      kind: producer.kind,
      source: req.source,
      paused: producer.paused,
    };
  }

  producerOf(peerId: string, producerId: string): MediaProducer {
    const p = this.peer(peerId).producers.get(producerId);
    if (!p) throw new MediaError('producer_not_found', `peer ${peerId} has no producer ${producerId}`);
    return p;
  }

  /** Any peer's producer (host controls act on others' producers). */
  findProducer(producerId: string): { peer: MediaPeer; producer: MediaProducer } {
    for (const peer of this.peers.values()) {
      const producer = peer.producers.get(producerId);
      if (producer) return { peer, producer };
    }
    throw new MediaError('producer_not_found', `no producer ${producerId} in meeting ${this.meetingId}`);
  }

  /** Creates a consumer, paused: the client resumes it (resumeConsumer) once its track is set up. */
  async consume(peerId: string, req: { transportId: string; producerId: string }): Promise<ConsumerInfo> {
    const peer = this.peer(peerId);
    if (!peer.rtpCapabilities)
      throw new MediaError('cannot_consume', `peer ${peerId} sent no RTP capabilities`);
    const { peer: owner, producer } = this.findProducer(req.producerId);
    if (owner === peer) throw new MediaError('cannot_consume', 'a peer does not consume its own producer');
    if (!this.router.canConsume({ producerId: producer.id, rtpCapabilities: peer.rtpCapabilities }))
      throw new MediaError('cannot_consume', `peer ${peerId} cannot decode producer ${producer.id}`);
    const transport = this.transport(peerId, req.transportId, 'recv');
    const consumer = await transport.consume<ConsumerAppData>({
      producerId: producer.id,
      rtpCapabilities: peer.rtpCapabilities,
      paused: true,
      appData: {
        meetingId: this.meetingId,
        peerId,
        producerPeerId: owner.peerId,
        source: producer.appData.source,
      },
    });
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    consumer.on('producerclose', () =>
      this.events.emit('consumerClosed', {
        meetingId: this.meetingId,
        peerId,
        consumerId: consumer.id,
        producerId: producer.id,
      }),
    );
    return {
      id: consumer.id,
      producerId: producer.id,
      producerPeerId: owner.peerId,
      kind: consumer.kind,
      source: consumer.appData.source,
      rtpParameters: consumer.rtpParameters,
      type: consumer.type,
      producerPaused: consumer.producerPaused,
    };
  }

  consumer(peerId: string, consumerId: string): MediaConsumer {
    const c = this.peer(peerId).consumers.get(consumerId);
    if (!c) throw new MediaError('consumer_not_found', `peer ${peerId} has no consumer ${consumerId}`);
    return c;
  }

  /** Picks the simulcast layer for the tile the consumer is shown in. No-op for audio and single-layer video. */
  async setTileSize(peerId: string, consumerId: string, height: number): Promise<void> {
    const consumer = this.consumer(peerId, consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') return;
    await consumer.setPreferredLayers(layersForTile(height));
  }

  /** Adds a peer. Returns false if it was already here (a reconnect): then its old media is closed. */
  addPeer(peerId: string, userId: string, rtpCapabilities?: types.RtpCapabilities): boolean {
    const existing = this.peers.get(peerId);
    if (existing) {
      existing.closeMedia();
      if (rtpCapabilities) existing.rtpCapabilities = rtpCapabilities;
      return false;
    }
    this.peers.set(peerId, new MediaPeer(peerId, userId, rtpCapabilities));
    this.events.emit('peerJoined', { meetingId: this.meetingId, peerId, userId });
    return true;
  }

  removePeer(peerId: string, reason: PeerLeaveReason = 'left', at = new Date()): boolean {
    const peer = this.peers.get(peerId);
    if (!peer) return false;
    this.peers.delete(peerId);
    peer.closeMedia();
    this.events.emit('peerLeft', { meetingId: this.meetingId, peerId, userId: peer.userId, reason, at });
    return true;
  }

  /** Closes the room: the peers still in it leave with `reason`. */
  close(reason: PeerLeaveReason = 'ended'): void {
    if (this.closed) return;
    this.closed = true;
    for (const peerId of [...this.peers.keys()]) this.removePeer(peerId, reason);
    this.router.close();
    this.events.emit('roomClosed', { meetingId: this.meetingId });
  }

  private async attachObservers(): Promise<void> {
    const router = this.router;
    const appData = { meetingId: this.meetingId };
    const [speaker, levels] = await Promise.all([
      router.createActiveSpeakerObserver<ObserverAppData>({ interval: 300, appData }),
      router.createAudioLevelObserver<ObserverAppData>({
        maxEntries: 8,
        threshold: -70,
        interval: 500,
        appData,
      }),
    ]);
    speaker.on('dominantspeaker', ({ producer }) => {
      const owner = this.ownerOf(producer.id);
      if (owner)
        this.events.emit('activeSpeaker', {
          meetingId: this.meetingId,
          peerId: owner,
          producerId: producer.id,
        });
    });
    levels.on('volumes', (volumes) =>
      this.events.emit('audioLevels', {
        meetingId: this.meetingId,
        levels: volumes.flatMap(({ producer, volume }) => {
          const peerId = this.ownerOf(producer.id);
          return peerId ? [{ peerId, producerId: producer.id, volume }] : [];
        }),
      }),
    );
    levels.on('silence', () => this.events.emit('audioLevels', { meetingId: this.meetingId, levels: [] }));
    this.observers = { speaker, levels };
  }

  private ownerOf(producerId: string): string | undefined {
    for (const peer of this.peers.values()) if (peer.producers.has(producerId)) return peer.peerId;
    return undefined;
  }
}

function transportInfo(t: MediaWebRtcTransport): TransportInfo {
  return {
    id: t.id,
    direction: t.appData.direction,
    iceParameters: t.iceParameters,
    iceCandidates: t.iceCandidates,
    dtlsParameters: t.dtlsParameters,
  };
}
