import { Logger } from '@nestjs/common';
import type { MediaPeer } from './media-peer';
import {
  MediaError,
  type ConsumerInfo,
  type MediaProducer,
  type MediaRouter,
  type MediaWebRtcServer,
} from './media.types';
import type { RemoteRoute } from './remote-route';

/** Where a router lives: the router, the WebRtcServer of its worker, the worker's index. */
export interface RoutePlacement {
  router: MediaRouter;
  webRtcServer: MediaWebRtcServer;
  workerIndex: number;
}

/**
 * One router of a room. A meeting has one; a lecture whose audience outgrows a worker gets more, one per worker,
 * and every producer is piped (`pipeToRouter`) from its owner's route into each other one under the same id.
 */
export interface MediaRoute extends RoutePlacement {
  /** Producers of peers on other routes piped into this router (settled once the pipe producer exists). */
  readonly piped: Map<string, Promise<void>>;
}

/** Lecture mode of a room: where listeners go when a router holds enough consumers. */
export interface LecturePlacement {
  /** Consumers one router carries before new listeners go to a router on another worker. */
  consumersPerRoute: number;
  /** A router on a worker that holds none of the room's routers (`avoid`), or undefined if there is none. */
  expand: (avoid: number[]) => Promise<RoutePlacement | undefined>;
  /**
   * Several nodes: a router of the meeting on the least-loaded other node (none of `avoid`), piped from the
   * primary `router`; `onClose` runs when that pipe closes. Undefined when no other node can serve.
   */
  expandRemote?: (
    avoid: string[],
    router: MediaRouter,
    onClose: () => void,
  ) => Promise<RemoteRoute | undefined>;
}

/** What the routes need of their room. */
export interface RoutesRoom {
  readonly meetingId: string;
  readonly peers: ReadonlyMap<string, MediaPeer>;
  isClosed(): boolean;
  /** A router joined the room: dynacast follows its consumers. */
  watch(router: MediaRouter): void;
  /** An audio producer reached the primary route: the room's observers hear it. */
  observe(producerId: string): Promise<void>;
  /** These peers' media was served by a route that is gone (its node died): they must set it up again. */
  lost(peerIds: string[]): void;
}

/**
 * The routers of one room and where its peers' media lives. The first route is the primary one: presenters and
 * the observers live there. Outside lecture mode it is the only one.
 */
export class RoomRoutes {
  private readonly log = new Logger(RoomRoutes.name);
  list: MediaRoute[] = [];
  /** Routers of the meeting on other nodes (lecture mode, once every worker here is full). */
  remotes: RemoteRoute[] = [];
  private lecture?: LecturePlacement;
  /** A route being added (lecture mode): listeners placed meanwhile wait for it. */
  private expanding?: Promise<MediaRoute | undefined>;
  private expandingRemote?: Promise<RemoteRoute | undefined>;

  constructor(
    placement: RoutePlacement,
    private readonly room: RoutesRoom,
  ) {
    this.replace(placement);
  }

  get primary(): MediaRoute {
    return this.list[0];
  }

  /** Closes every router and starts again on `placement` (the worker died). */
  replace(placement: RoutePlacement): void {
    for (const route of this.list) route.router.close();
    for (const remote of [...this.remotes]) remote.close();
    this.list = [{ ...placement, piped: new Map() }];
    this.room.watch(placement.router);
  }

  /** Turns lecture placement on (once): listeners spread over routers on several workers. */
  enableLecture(placement: LecturePlacement): void {
    this.lecture ??= placement;
  }

  get isLecture(): boolean {
    return this.lecture !== undefined;
  }

  /**
   * Consumers a route carries, counting each of its peers at least at the producers it will consume (a listener
   * who just joined has not consumed yet but will).
   */
  load(route: MediaRoute | RemoteRoute): number {
    let producers = 0;
    for (const peer of this.room.peers.values()) producers += peer.producers.size;
    let load = 0;
    for (const peer of this.room.peers.values())
      if ((peer.remote ?? peer.route) === route)
        // A listener served elsewhere has its consumers there: it counts at what it will consume.
        load += Math.max(peer.consumers.size, producers - peer.producers.size);
    return load;
  }

  /**
   * Places a listener who has no transports yet: the first route under the threshold; else a new router on a
   * worker the room does not use yet (every producer piped to it first); else (several nodes) a router on another
   * node under the threshold, or one on a node the room does not use yet; else the least-loaded route here.
   * A listener served on another node keeps the primary route for anything it sends (the floor).
   */
  async place(peer: MediaPeer): Promise<MediaRoute> {
    const lecture = this.lecture;
    if (!lecture || peer.transports.size > 0 || peer.remote) return peer.route;
    const fits = (r: MediaRoute | RemoteRoute) => {
      const saved = [peer.route, peer.remote] as const;
      if ('router' in r)
        peer.route = r; // counted where it would go
      else peer.remote = r;
      const load = this.load(r);
      [peer.route, peer.remote] = saved;
      return load <= lecture.consumersPerRoute;
    };
    const stillHere = () => {
      if (!this.room.peers.has(peer.peerId))
        throw new MediaError('peer_not_found', `peer ${peer.peerId} left meeting ${this.room.meetingId}`);
    };
    let route = this.list.find(fits);
    if (!route) {
      this.expanding ??= this.add(lecture).finally(() => (this.expanding = undefined));
      route = await this.expanding;
      stillHere();
    }
    if (!route && lecture.expandRemote) {
      let remote = this.remotes.find(fits);
      if (!remote) {
        this.expandingRemote ??= this.addRemote(lecture).finally(() => (this.expandingRemote = undefined));
        remote = await this.expandingRemote;
        stillHere();
      }
      if (remote) {
        peer.route = this.primary;
        peer.remote = remote;
        return peer.route;
      }
    }
    route ??= this.list.reduce((best, r) => (this.load(r) < this.load(best) ? r : best));
    peer.route = route;
    return route;
  }

  /** A router on another node, with every producer of the room piped to it (undefined: no node can serve). */
  private async addRemote(lecture: LecturePlacement): Promise<RemoteRoute | undefined> {
    const primary = this.primary;
    let remote: RemoteRoute | undefined;
    try {
      remote = await lecture.expandRemote?.(
        this.remotes.map((r) => r.nodeId),
        primary.router,
        () => this.dropRemote(remote),
      );
    } catch (e) {
      this.log.warn(`no router on another node: ${String(e)}`);
      return undefined;
    }
    if (!remote) return undefined;
    if (this.room.isClosed() || this.primary !== primary) {
      remote.close();
      return undefined;
    }
    this.remotes.push(remote);
    const pipes: Promise<void>[] = [];
    for (const owner of this.room.peers.values())
      for (const producer of owner.producers.values())
        pipes.push(this.pipeRemote(producer, owner.route, remote));
    await Promise.all(pipes);
    return remote;
  }

  /**
   * A remote route closed (its node died or left): its listeners have no media. They are told to set it up
   * again, and are placed anew when they do.
   */
  private dropRemote(remote: RemoteRoute | undefined): void {
    this.remotes = this.remotes.filter((r) => r !== remote);
    const lost: string[] = [];
    for (const peer of this.room.peers.values())
      if (peer.remote === remote) {
        peer.remote = undefined;
        lost.push(peer.peerId);
      }
    if (lost.length > 0 && !this.room.isClosed()) this.room.lost(lost);
  }

  /** Pipes a producer into a router on another node (through the primary route); failures are logged. */
  pipeRemote(producer: MediaProducer, from: MediaRoute, to: RemoteRoute): Promise<void> {
    return this.pipe(producer, from, this.primary)
      .then(() => to.pipe(producer))
      .catch((e: unknown) =>
        this.log.warn(`producer ${producer.id} not piped to node ${to.nodeId}: ${String(e)}`),
      );
  }

  /** A consumer for a listener served on another node (its producer piped there first). */
  async consumeRemote(
    peer: MediaPeer,
    remote: RemoteRoute,
    owner: MediaPeer,
    producer: MediaProducer,
    transportId: string,
  ): Promise<ConsumerInfo> {
    if (!peer.rtpCapabilities)
      throw new MediaError('cannot_consume', `peer ${peer.peerId} sent no RTP capabilities`);
    await this.pipeRemote(producer, owner.route, remote);
    return remote.consume(peer.peerId, {
      transportId,
      producerId: producer.id,
      producerPeerId: owner.peerId,
      rtpCapabilities: peer.rtpCapabilities,
    });
  }

  private async add(lecture: LecturePlacement): Promise<MediaRoute | undefined> {
    const placement = await lecture.expand(this.list.map((r) => r.workerIndex));
    if (!placement) return undefined;
    if (this.room.isClosed()) {
      placement.router.close();
      return undefined;
    }
    const route: MediaRoute = { ...placement, piped: new Map() };
    this.list.push(route);
    this.room.watch(placement.router);
    placement.router.observer.once('close', () => {
      // The worker died or the room closed: its listeners fall back to the primary route.
      this.list = this.list.filter((r) => r !== route);
    });
    const pipes: Promise<void>[] = [];
    for (const owner of this.room.peers.values())
      for (const producer of owner.producers.values()) pipes.push(this.pipe(producer, owner.route, route));
    await Promise.all(pipes);
    return route;
  }

  /** Pipes a new producer from its owner's route into every other route, before anyone consumes it. */
  async pipeEverywhere(producer: MediaProducer, from: MediaRoute): Promise<void> {
    await Promise.all([
      ...this.list.filter((r) => r !== from).map((r) => this.pipe(producer, from, r)),
      ...this.remotes.map((r) => this.pipeRemote(producer, from, r)),
    ]);
  }

  /** Pipes a producer from its owner's route into `to` (same producer id there); failures are logged, not thrown. */
  pipe(producer: MediaProducer, from: MediaRoute, to: MediaRoute): Promise<void> {
    if (from === to || to.piped.has(producer.id)) return to.piped.get(producer.id) ?? Promise.resolve();
    const done = from.router
      .pipeToRouter({ producerId: producer.id, router: to.router })
      .then(async ({ pipeProducer }) => {
        if (!pipeProducer) return;
        pipeProducer.observer.once('close', () => to.piped.delete(producer.id));
        // The observers live on the primary route: a speaker on another route is heard there.
        if (to === this.primary && producer.kind === 'audio') await this.room.observe(producer.id);
      })
      .catch(() => {
        to.piped.delete(producer.id); // the producer or a router closed meanwhile
      });
    to.piped.set(producer.id, done);
    return done;
  }

  /** The routers: worker, peers and consumers of each (health, tests). */
  stats(): { workerIndex: number; routerId: string; peers: number; consumers: number }[] {
    return this.list.map((r) => {
      let peers = 0;
      let consumers = 0;
      for (const p of this.room.peers.values())
        if ((p.remote ?? p.route) === r) {
          peers += 1;
          consumers += p.consumers.size;
        }
      return { workerIndex: r.workerIndex, routerId: r.router.id, peers, consumers };
    });
  }
}
