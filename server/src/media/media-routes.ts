import type { MediaPeer } from './media-peer';
import { MediaError, type MediaProducer, type MediaRouter, type MediaWebRtcServer } from './media.types';

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
}

/**
 * The routers of one room and where its peers' media lives. The first route is the primary one: presenters and
 * the observers live there. Outside lecture mode it is the only one.
 */
export class RoomRoutes {
  list: MediaRoute[] = [];
  private lecture?: LecturePlacement;
  /** A route being added (lecture mode): listeners placed meanwhile wait for it. */
  private expanding?: Promise<MediaRoute | undefined>;

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
  load(route: MediaRoute): number {
    let producers = 0;
    for (const peer of this.room.peers.values()) producers += peer.producers.size;
    let load = 0;
    for (const peer of this.room.peers.values())
      if (peer.route === route) load += Math.max(peer.consumers.size, producers - peer.producers.size);
    return load;
  }

  /**
   * Places a listener who has no transports yet: the first route under the threshold; else a new router on a
   * worker the room does not use yet (every producer piped to it first); else, every worker being in use, the
   * least-loaded route. Outside lecture mode everyone stays on the primary route.
   */
  async place(peer: MediaPeer): Promise<MediaRoute> {
    const lecture = this.lecture;
    if (!lecture || peer.transports.size > 0) return peer.route;
    const fits = (r: MediaRoute) => {
      const saved = peer.route;
      peer.route = r; // counted where it would go
      const load = this.load(r);
      peer.route = saved;
      return load <= lecture.consumersPerRoute;
    };
    let route = this.list.find(fits);
    if (!route) {
      this.expanding ??= this.add(lecture).finally(() => (this.expanding = undefined));
      route = await this.expanding;
      if (!this.room.peers.has(peer.peerId))
        throw new MediaError('peer_not_found', `peer ${peer.peerId} left meeting ${this.room.meetingId}`);
      route ??= this.list.reduce((best, r) => (this.load(r) < this.load(best) ? r : best));
    }
    peer.route = route;
    return route;
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
    await Promise.all(this.list.filter((r) => r !== from).map((r) => this.pipe(producer, from, r)));
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
        if (p.route === r) {
          peers += 1;
          consumers += p.consumers.size;
        }
      return { workerIndex: r.workerIndex, routerId: r.router.id, peers, consumers };
    });
  }
}
