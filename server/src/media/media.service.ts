import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { types } from 'mediasoup';
import type { MediaConfig } from './media.config';
import { MediaEventBus, type PeerLeaveReason } from './media-events';
import { MediaRoom, type RoutePlacement } from './media-room';
import {
  MediaError,
  type ConsumerInfo,
  type MediaRouter,
  type MediaSource,
  type ProducerInfo,
  type TransportDirection,
  type TransportInfo,
} from './media.types';
import { AudienceHost } from './audience-host';
import { RemoteRoute, type AudienceEvent, type MediaCluster, type PipeMessage } from './remote-route';
import { iceServersFor, type IceServer } from './turn-credentials';
import { WorkerPool } from './worker-pool';

export const MEDIA_CONFIG = Symbol('MEDIA_CONFIG');

/** What a joining client needs before it can set up its transports. */
export interface JoinResult {
  routerRtpCapabilities: types.RtpCapabilities;
  /** Producers of the peers already in the meeting. */
  producers: ProducerInfo[];
  iceServers: IceServer[];
  /** The peer was already in the meeting (a reconnect): its old transports were closed. */
  rejoined: boolean;
}

/**
 * The SFU: a router per live meeting on a pool of mediasoup workers, peers with their transports, producers
 * and consumers. Knows nothing of sockets or the database; it emits domain events on `events`.
 * Authorisation (who may join, who may mute whom) is the caller's job.
 */
@Injectable()
export class MediaService implements OnModuleInit, OnModuleDestroy {
  readonly events = new MediaEventBus();
  private readonly log = new Logger(MediaService.name);
  private pool?: WorkerPool;
  private starting?: Promise<WorkerPool>;
  private readonly rooms = new Map<string, Promise<MediaRoom>>();
  private capabilities?: Promise<types.RtpCapabilities>;
  /** The other nodes (REDIS_URL set): a lecture's audience may be served there, and this node serves theirs. */
  private cluster?: MediaCluster;
  /** The parts of other nodes' lectures this node serves. */
  readonly audience: AudienceHost;

  constructor(@Inject(MEDIA_CONFIG) private readonly config: MediaConfig) {
    this.events.on('workerDied', ({ meetingIds }) => void this.moveRooms(meetingIds));
    this.audience = new AudienceHost({
      createRouter: async (meetingId) => {
        const { router, slot } = await (await this.start()).createRouter(meetingId);
        return { router, webRtcServer: slot.webRtcServer };
      },
      listen: { ip: config.listenIp, announcedAddress: config.announcedAddress },
      notify: (nodeId, event) =>
        void this.cluster
          ?.request(nodeId, event)
          .catch((e: unknown) => this.log.warn(`to node ${nodeId}: ${String(e)}`)),
    });
  }

  /** Joins the cluster: lectures past this node's workers are served on other nodes (cluster/media-pipe.ts). */
  attachCluster(cluster: MediaCluster): void {
    this.cluster = cluster;
  }

  /** A message from another node: a request about a lecture this node serves, or news of one it owns. */
  async serve(from: string, message: PipeMessage): Promise<unknown> {
    if (message.op !== 'event') return this.audience.handle(from, message);
    await this.audienceEvent(from, message);
    return null;
  }

  async onModuleInit(): Promise<void> {
    await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** Starts the workers (once). */
  start(): Promise<WorkerPool> {
    this.starting ??= (async () => {
      const pool = new WorkerPool(this.config, this.events);
      await pool.start();
      this.pool = pool;
      return pool;
    })();
    return this.starting;
  }

  async close(): Promise<void> {
    this.audience.closeAll();
    for (const p of this.rooms.values()) void p.then((room) => room.close('shutdown')).catch(() => undefined);
    this.rooms.clear();
    const pool = await this.starting?.catch(() => undefined);
    await pool?.close();
    this.starting = undefined;
    this.pool = undefined;
  }

  /** The live worker slots (index, pid, port, meetings), for health and tests. */
  workers() {
    return (this.pool?.live ?? []).map((s) => ({
      index: s.index,
      pid: s.worker.pid,
      port: s.port,
      meetings: [...s.meetings],
      transports: s.transports,
    }));
  }

  /**
   * What every router of this server can receive and send (the codecs are the same for all): a client loads its
   * device with them before it joins, so the join can create its consumers at once.
   */
  routerCapabilities(): Promise<types.RtpCapabilities> {
    if (!this.capabilities) {
      const asked = this.start().then((pool) => pool.routerCapabilities());
      this.capabilities = asked;
      asked.catch(() => {
        if (this.capabilities === asked) this.capabilities = undefined;
      });
    }
    return this.capabilities;
  }

  iceServers(userId: string): IceServer[] {
    return iceServersFor(this.config.turn, userId);
  }

  /** The meeting's room, created with its router exactly once however many joins race for it. */
  getOrCreateRoom(meetingId: string): Promise<MediaRoom> {
    let room = this.rooms.get(meetingId);
    if (!room) {
      const created = this.createRoom(meetingId);
      room = created;
      this.rooms.set(meetingId, created);
      created.catch(() => {
        if (this.rooms.get(meetingId) === created) this.rooms.delete(meetingId);
      });
    }
    return room;
  }

  async getOrCreateRouter(meetingId: string): Promise<MediaRouter> {
    return (await this.getOrCreateRoom(meetingId)).router;
  }

  /** The live room of a meeting; throws room_not_found if no one is in it. */
  async room(meetingId: string): Promise<MediaRoom> {
    const room = this.rooms.get(meetingId);
    if (!room) throw new MediaError('room_not_found', `meeting ${meetingId} has no live room`);
    return room;
  }

  hasRoom(meetingId: string): boolean {
    return this.rooms.has(meetingId);
  }

  /**
   * Adds a peer to the meeting's room. `lecture`: the room is in lecture mode (listeners spread over routers on
   * several workers past LECTURE_CONSUMERS_PER_WORKER); `listener`: this peer only receives and is placed by load.
   */
  async join(
    meetingId: string,
    peer: { peerId: string; userId: string; rtpCapabilities?: types.RtpCapabilities },
    mode: { lecture?: boolean; listener?: boolean } = {},
  ): Promise<JoinResult> {
    for (;;) {
      const promise = this.getOrCreateRoom(meetingId);
      const room = await promise;
      if (room.closed) {
        // Its last peer left while we waited: make a fresh room.
        if (this.rooms.get(meetingId) === promise) this.rooms.delete(meetingId);
        continue;
      }
      const rejoined = !room.addPeer(peer.peerId, peer.userId, peer.rtpCapabilities);
      if (mode.lecture) {
        const cluster = this.cluster;
        room.enableLecture({
          consumersPerRoute: this.config.lectureConsumersPerWorker,
          expand: (avoid) => this.expandRoom(meetingId, avoid),
          expandRemote:
            cluster &&
            ((avoid, router, onClose) => this.expandRemote(cluster, meetingId, avoid, router, onClose)),
        });
        if (mode.listener) await room.placeListener(peer.peerId);
      }
      return {
        routerRtpCapabilities: room.rtpCapabilities,
        producers: room.producers(peer.peerId),
        iceServers: this.iceServers(peer.userId),
        rejoined,
      };
    }
  }

  /** The peer leaves: its transports, producers and consumers close; the router closes with the last peer. */
  async leave(
    meetingId: string,
    peerId: string,
    why: { reason: PeerLeaveReason; at?: Date } = { reason: 'left' },
  ): Promise<void> {
    const promise = this.rooms.get(meetingId);
    if (!promise) return;
    const room = await promise;
    room.removePeer(peerId, why.reason, why.at);
    if (room.peers.size === 0) this.closeRoomNow(meetingId, room, promise);
  }

  /** Closes the meeting's room: everyone still in it leaves with `reason` (the meeting ended, or moved away). */
  async closeRoom(meetingId: string, reason: PeerLeaveReason = 'ended'): Promise<void> {
    const promise = this.rooms.get(meetingId);
    if (promise) this.closeRoomNow(meetingId, await promise, promise, reason);
  }

  async setRtpCapabilities(meetingId: string, peerId: string, caps: types.RtpCapabilities): Promise<void> {
    (await this.room(meetingId)).peer(peerId).rtpCapabilities = caps;
  }

  async createTransport(
    meetingId: string,
    peerId: string,
    direction: TransportDirection,
  ): Promise<TransportInfo> {
    return (await this.room(meetingId)).createTransport(peerId, direction);
  }

  /** Closes one of a peer's transports with its producers or consumers (a listener's floor taken back). */
  async closeTransport(meetingId: string, peerId: string, transportId: string): Promise<void> {
    (await this.room(meetingId)).transport(peerId, transportId).close();
  }

  /** The routers of a meeting's room with their worker, peers and consumers (lecture mode has several). */
  async routes(meetingId: string) {
    return (await this.room(meetingId)).routeStats();
  }

  async connectTransport(meetingId: string, peerId: string, transportId: string, dtls: types.DtlsParameters) {
    await (await this.room(meetingId)).connectTransport(peerId, transportId, dtls);
  }

  async restartIce(meetingId: string, peerId: string, transportId: string): Promise<types.IceParameters> {
    return (await this.room(meetingId)).restartIce(peerId, transportId);
  }

  async produce(
    meetingId: string,
    peerId: string,
    req: {
      transportId: string;
      kind: types.MediaKind;
      rtpParameters: types.RtpParameters;
      source: MediaSource;
    },
  ): Promise<ProducerInfo> {
    return (await this.room(meetingId)).produce(peerId, req);
  }

  async closeProducer(meetingId: string, peerId: string, producerId: string): Promise<void> {
    (await this.room(meetingId)).producerOf(peerId, producerId).close();
  }

  /** Mute: pauses any producer of the meeting (the caller checks it is the owner or the host). */
  async pauseProducer(meetingId: string, producerId: string): Promise<void> {
    await (await this.room(meetingId)).findProducer(producerId).producer.pause();
  }

  async resumeProducer(meetingId: string, producerId: string): Promise<void> {
    await (await this.room(meetingId)).findProducer(producerId).producer.resume();
  }

  async consume(
    meetingId: string,
    peerId: string,
    req: { transportId: string; producerId: string },
  ): Promise<ConsumerInfo> {
    return (await this.room(meetingId)).consume(peerId, req);
  }

  /** The client acks that its consumer's track is ready: media starts flowing. */
  async resumeConsumer(meetingId: string, peerId: string, consumerId: string): Promise<void> {
    await (await this.room(meetingId)).resumeConsumer(peerId, consumerId);
  }

  async setConsumerTileSize(
    meetingId: string,
    peerId: string,
    consumerId: string,
    height: number,
  ): Promise<void> {
    await (await this.room(meetingId)).setTileSize(peerId, consumerId, height);
  }

  /** A receiver's own view of its downlink; answers whether its video is held back now. */
  async reportDownlink(meetingId: string, peerId: string, congested: boolean): Promise<boolean> {
    return (await this.room(meetingId)).reportDownlink(peerId, congested);
  }

  private async createRoom(meetingId: string): Promise<MediaRoom> {
    const pool = await this.start();
    const { router, slot } = await pool.createRouter(meetingId);
    try {
      return await MediaRoom.create(
        meetingId,
        { router, webRtcServer: slot.webRtcServer, workerIndex: slot.index },
        this.events,
      );
    } catch (e) {
      router.close();
      throw e;
    }
  }

  /** Lecture mode: a router for the meeting on a worker it does not use yet (undefined if every one is used). */
  private async expandRoom(meetingId: string, avoid: number[]): Promise<RoutePlacement | undefined> {
    const pool = await this.start();
    const made = await pool.createRouterAway(meetingId, avoid);
    if (!made) return undefined;
    this.log.log(`lecture ${meetingId}: audience router on mediasoup worker ${made.slot.index}`);
    return { router: made.router, webRtcServer: made.slot.webRtcServer, workerIndex: made.slot.index };
  }

  /** Lecture routers on nodes that left the cluster close; their listeners are placed anew when they rejoin. */
  async dropRemoteNodes(gone: (nodeId: string) => boolean): Promise<void> {
    for (const promise of this.rooms.values()) {
      const room = await promise.catch(() => undefined);
      for (const remote of room?.remoteRoutes ?? []) if (gone(remote.nodeId)) remote.close();
    }
  }

  /** Lecture mode, every worker here full: a router for the meeting on the least-loaded other node. */
  private async expandRemote(
    cluster: MediaCluster,
    meetingId: string,
    avoid: string[],
    router: MediaRouter,
    onClose: () => void,
  ): Promise<RemoteRoute | undefined> {
    const nodeId = await cluster.pickNode(avoid);
    if (!nodeId) return undefined;
    const listen = { ip: this.config.listenIp, announcedAddress: this.config.announcedAddress };
    const remote = await RemoteRoute.open(nodeId, meetingId, router, listen, cluster, onClose);
    this.log.log(`lecture ${meetingId}: audience router on node ${nodeId}`);
    return remote;
  }

  /** What a node serving one of this node's lectures says of a listener: emitted as if it happened here. */
  private async audienceEvent(from: string, event: AudienceEvent): Promise<void> {
    const { meetingId, peerId } = event.payload;
    const room = await this.rooms.get(meetingId)?.catch(() => undefined);
    const peer = room?.peers.get(peerId);
    if (!peer || peer.remote?.nodeId !== from) return; // gone meanwhile, or not served there
    if (event.name === 'transportConnected')
      this.events.emit('transportConnected', { ...event.payload, userId: peer.userId });
    else if (event.name === 'consumerClosed') this.events.emit('consumerClosed', event.payload);
    else if (event.name === 'downlinkChanged') this.events.emit('downlinkChanged', event.payload);
  }

  private closeRoomNow(
    meetingId: string,
    room: MediaRoom,
    promise: Promise<MediaRoom>,
    reason?: PeerLeaveReason,
  ): void {
    if (this.rooms.get(meetingId) === promise) this.rooms.delete(meetingId);
    room.close(reason);
  }

  /** A worker died: its meetings get a router on a live worker; peers stay and are told to renegotiate. */
  private async moveRooms(meetingIds: string[]): Promise<void> {
    await Promise.all(
      meetingIds.map(async (meetingId) => {
        const promise = this.rooms.get(meetingId);
        if (!promise) return;
        const moved = this.moveRoom(meetingId, promise);
        this.rooms.set(meetingId, moved);
        try {
          await moved;
        } catch (e) {
          this.log.error(`meeting ${meetingId} could not be moved to a live worker: ${String(e)}`);
          if (this.rooms.get(meetingId) === moved) this.rooms.delete(meetingId);
          const room = await promise.catch(() => undefined);
          room?.close();
        }
      }),
    );
  }

  private async moveRoom(meetingId: string, previous: Promise<MediaRoom>): Promise<MediaRoom> {
    const room = await previous;
    if (room.closed) return room;
    const pool = await this.start();
    const { router, slot } = await pool.createRouter(meetingId);
    await room.moveTo({ router, webRtcServer: slot.webRtcServer, workerIndex: slot.index });
    this.log.warn(`meeting ${meetingId} moved to mediasoup worker ${slot.index}`);
    this.events.emit('roomMoved', { meetingId, workerIndex: slot.index, peerIds: [...room.peers.keys()] });
    return room;
  }
}
