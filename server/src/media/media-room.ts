import type { types } from 'mediasoup';
import { Dynacast } from './dynacast';
import type { MediaEventBus, PeerLeaveReason } from './media-events';
import { keepConsumer, MediaPeer, producerInfos } from './media-peer';
import { RoomRoutes, type LecturePlacement, type MediaRoute, type RoutePlacement } from './media-routes';
import {
  MediaError,
  SOURCE_KIND,
  consumerInfo,
  type ConsumerAppData,
  type ConsumerInfo,
  type MediaConsumer,
  type MediaProducer,
  type MediaRouter,
  type MediaSource,
  type MediaWebRtcServer,
  type MediaWebRtcTransport,
  type ProducerAppData,
  type ProducerInfo,
  type TransportAppData,
  type TransportDirection,
  type TransportInfo,
  peerRequest,
  transportInfo,
} from './media.types';
import type { RemoteRoute } from './remote-route';
import { RoomObservers } from './room-observers';

export { MediaPeer } from './media-peer';
export type { LecturePlacement, MediaRoute, RoutePlacement } from './media-routes';

/** The receive (and send) estimate a transport starts from (bits/s): a few hundred kbit/s suit a phone. */
export const INITIAL_OUTGOING_BPS = 300_000;

/**
 * One live meeting: its router (on one worker; a lecture may add routers on other workers), its observers, and
 * the peers in it. The first route is the primary one: presenters and the observers live there.
 */
export class MediaRoom {
  readonly peers = new Map<string, MediaPeer>();
  /** The room's routers (media-routes.ts): one, or one per worker for a lecture's audience. */
  private readonly routing: RoomRoutes;
  private observers?: RoomObservers;
  /** Simulcast layers nobody receives are not encoded: tells publishers the highest layer wanted. */
  private readonly dynacast: Dynacast;
  /** A renewed consumer (renewConsumer) by the id of the one that replaces it once resumed. */
  private readonly replacing = new Map<string, MediaConsumer>();
  closed = false;

  private constructor(
    readonly meetingId: string,
    placement: RoutePlacement,
    private readonly events: MediaEventBus,
  ) {
    this.dynacast = new Dynacast(
      () => this.allProducers(),
      (e) => this.events.emit('layersWanted', { meetingId, ...e }),
    );
    this.routing = new RoomRoutes(placement, {
      meetingId,
      peers: this.peers,
      isClosed: () => this.closed,
      watch: (router) => this.dynacast.watch(router),
      observe: (producerId) => this.observe(producerId),
      lost: (peerIds) => this.events.emit('mediaLost', { meetingId, peerIds }),
    });
  }

  static async create(
    meetingId: string,
    placement: RoutePlacement,
    events: MediaEventBus,
  ): Promise<MediaRoom> {
    const room = new MediaRoom(meetingId, placement, events);
    await room.attachObservers();
    return room;
  }

  get routes(): MediaRoute[] {
    return this.routing.list;
  }

  /** The primary route's router (the only one outside lecture mode). */
  get router(): MediaRouter {
    return this.routes[0].router;
  }

  get webRtcServer(): MediaWebRtcServer {
    return this.routes[0].webRtcServer;
  }

  get workerIndex(): number {
    return this.routes[0].workerIndex;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  /** Moves the room to a new router (its worker died): every peer's media is gone and must be set up again. */
  async moveTo(placement: RoutePlacement) {
    for (const peer of this.peers.values()) peer.closeMedia();
    this.routing.replace(placement);
    for (const peer of this.peers.values()) peer.route = this.routes[0];
    await this.attachObservers();
  }

  // ── lecture mode: an audience beyond one worker (media-routes.ts) ────────────────────────────────────────
  /** Turns lecture placement on (once): listeners spread over routers on several workers. */
  enableLecture(placement: LecturePlacement): void {
    this.routing.enableLecture(placement);
  }

  /** The lecture's routers on other nodes. */
  get remoteRoutes(): RemoteRoute[] {
    return this.routing.remotes;
  }

  get isLecture(): boolean {
    return this.routing.isLecture;
  }

  /** Consumers a route carries (each of its peers counted at least at the producers it will consume). */
  routeLoad(route: MediaRoute): number {
    return this.routing.load(route);
  }

  /** Places a listener who has no transports yet (lecture mode; elsewhere everyone is on the primary route). */
  async placeListener(peerId: string): Promise<MediaRoute> {
    return this.routing.place(this.peer(peerId));
  }

  /** The room's routers: worker, peers and consumers of each (health, tests). */
  routeStats(): { workerIndex: number; routerId: string; peers: number; consumers: number }[] {
    return this.routing.stats();
  }

  /** Where a peer's media lives. */
  routeOf(peerId: string): MediaRoute {
    return this.peer(peerId).route;
  }

  peer(peerId: string): MediaPeer {
    const peer = this.peers.get(peerId);
    if (!peer) throw new MediaError('peer_not_found', `peer ${peerId} is not in meeting ${this.meetingId}`);
    return peer;
  }

  /** Producers of everyone but `exceptPeerId`. */
  producers(exceptPeerId?: string): ProducerInfo[] {
    return producerInfos(this.peers.values(), exceptPeerId);
  }

  async createTransport(peerId: string, direction: TransportDirection): Promise<TransportInfo> {
    const peer = this.peer(peerId);
    if (direction === 'recv' && peer.remote) return peer.remote.createTransport(peerId);
    const route = peer.route;
    const transport = await route.router.createWebRtcTransport<TransportAppData>({
      webRtcServer: route.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      // What a phone on a weak mobile link can take at first; the estimate climbs from there (audio first).
      initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BPS,
      appData: { meetingId: this.meetingId, peerId, direction },
    });
    if (!this.peers.has(peerId)) {
      transport.close(); // the peer left while the transport was being created
      throw new MediaError('peer_not_found', `peer ${peerId} left meeting ${this.meetingId}`);
    }
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    if (direction === 'recv')
      peer.guardDownlink(transport, (videoPaused) =>
        this.events.emit('downlinkChanged', { meetingId: this.meetingId, peerId, videoPaused }),
      );
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
    const remote = this.servedElsewhere(peerId, transportId);
    if (remote) return void (await remote.ask({ op: 'connect', peerId, transportId, dtlsParameters }));
    const transport = this.transport(peerId, transportId);
    await peerRequest(() => transport.connect({ dtlsParameters }));
  }

  async restartIce(peerId: string, transportId: string): Promise<types.IceParameters> {
    const remote = this.servedElsewhere(peerId, transportId);
    if (remote) return remote.ask<types.IceParameters>({ op: 'restartIce', peerId, transportId });
    const transport = this.transport(peerId, transportId);
    return peerRequest(() => transport.restartIce());
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
    const producer = await peerRequest(() =>
      transport.produce<ProducerAppData>({
        kind: req.kind,
        rtpParameters: req.rtpParameters,
        appData: { meetingId: this.meetingId, peerId, source: req.source },
      }),
    );
    peer.producers.set(producer.id, producer);
    this.dynacast.schedule();
    const info = { meetingId: this.meetingId, peerId, producerId: producer.id, source: req.source };
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      this.events.emit('producerClosed', info);
    });
    producer.observer.on('pause', () => this.events.emit('producerPaused', info));
    producer.observer.on('resume', () => this.events.emit('producerResumed', info));
    if (producer.kind === 'audio' && peer.route === this.routes[0]) await this.observe(producer.id);
    // Lecture mode: every other router of the room gets the producer (same id) before anyone consumes it.
    await this.routing.pipeEverywhere(producer, peer.route);
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
    if (peer.remote) return this.routing.consumeRemote(peer, peer.remote, owner, producer, req.transportId);
    const route = peer.route;
    if (owner.route !== route) await this.routing.pipe(producer, owner.route, route);
    if (!route.router.canConsume({ producerId: producer.id, rtpCapabilities: peer.rtpCapabilities }))
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
    keepConsumer(peer, consumer);
    consumer.on('producerclose', () =>
      this.events.emit('consumerClosed', {
        meetingId: this.meetingId,
        peerId,
        consumerId: consumer.id,
        producerId: producer.id,
      }),
    );
    return consumerInfo(consumer, owner.peerId, consumer.appData.source);
  }

  consumer(peerId: string, consumerId: string): MediaConsumer {
    const c = this.peer(peerId).consumers.get(consumerId);
    if (!c) throw new MediaError('consumer_not_found', `peer ${peerId} has no consumer ${consumerId}`);
    return c;
  }

  /**
   * A fresh (paused) consumer of an audio consumer's producer to take its place: the client gets a new receiver,
   * with an empty jitter buffer. The old one flows on until the new one is resumed (then it closes), so slow
   * signalling after a congested spell costs no silence. Not for a listener served by another node.
   */
  async renewConsumer(peerId: string, consumerId: string, transportId: string): Promise<ConsumerInfo> {
    const old = this.consumer(peerId, consumerId);
    if (old.kind !== 'audio' || old.paused)
      throw new MediaError('bad_request', `consumer ${consumerId} is not flowing audio`);
    // One replacement at a time: one asked for before and never resumed (its answer lost) goes.
    for (const [id, o] of this.replacing) if (o === old) this.peer(peerId).consumers.get(id)?.close();
    const fresh = await this.consume(peerId, { transportId, producerId: old.producerId });
    this.replacing.set(fresh.id, old);
    this.consumer(peerId, fresh.id).observer.once('close', () => this.replacing.delete(fresh.id));
    return fresh;
  }

  /** The client attached a consumer: it flows, unless its video is held back (off screen, weak downlink). */
  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    const remote = this.servedElsewhere(peerId, consumerId);
    if (remote) return void (await remote.ask({ op: 'resumeConsumer', peerId, consumerId }));
    const consumer = this.consumer(peerId, consumerId);
    const guard = this.peer(peerId).downlink;
    if (guard) await guard.resume(consumerId);
    else await consumer.resume();
    this.replacing.get(consumerId)?.close();
    this.replacing.delete(consumerId);
  }

  /** The receiver's own view of its downlink (downlink-guard.ts); answers whether its video is held back now. */
  reportDownlink(peerId: string, congested: boolean): boolean {
    return this.peer(peerId).downlink?.report(congested) ?? false;
  }

  /**
   * The tile a video consumer is shown in (height in CSS pixels): picks its layers, and pauses it while the tile
   * is off screen (0). No-op for audio.
   */
  async setTileSize(peerId: string, consumerId: string, height: number): Promise<void> {
    const remote = this.servedElsewhere(peerId, consumerId);
    if (remote) return void (await remote.ask({ op: 'tile', peerId, consumerId, height }));
    this.consumer(peerId, consumerId);
    await this.peer(peerId).downlink?.setTile(consumerId, height);
  }

  /** Adds a peer. Returns false if it was already here (a reconnect): then its old media is closed. */
  addPeer(peerId: string, userId: string, rtpCapabilities?: types.RtpCapabilities): boolean {
    const existing = this.peers.get(peerId);
    if (existing) {
      existing.closeMedia();
      if (rtpCapabilities) existing.rtpCapabilities = rtpCapabilities;
      return false;
    }
    this.peers.set(peerId, new MediaPeer(peerId, userId, this.routes[0], rtpCapabilities));
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
    this.dynacast.close();
    for (const peerId of [...this.peers.keys()]) this.removePeer(peerId, reason);
    for (const route of [...this.routes]) route.router.close();
    this.events.emit('roomClosed', { meetingId: this.meetingId });
  }

  /** The other node serving the peer's transport or consumer `id` (not one of this node's). */
  private servedElsewhere(peerId: string, id: string): RemoteRoute | undefined {
    const peer = this.peer(peerId);
    return peer.transports.has(id) || peer.consumers.has(id) ? undefined : peer.remote;
  }

  private async attachObservers(): Promise<void> {
    this.observers = await RoomObservers.attach(
      this.router,
      this.meetingId,
      this.events,
      (producerId) => [...this.peers.values()].find((p) => p.producers.has(producerId))?.peerId,
    );
  }

  private async observe(producerId: string): Promise<void> {
    await this.observers?.observe(producerId);
  }

  private *allProducers() {
    for (const peer of this.peers.values())
      for (const producer of peer.producers.values()) yield { peerId: peer.peerId, producer };
  }
}
