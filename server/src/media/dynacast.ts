/**
 * Dynacast: simulcast layers nobody receives are not encoded. Per video producer the server knows the highest
 * spatial layer any of its consumers wants (a paused consumer wants nothing; one without preferred layers wants
 * the top); when that changes, the publisher is told (`layersWanted` → `media.layers`) and its client turns the
 * encodings above it off (client/src/media/dynacast.ts). The lowest layer always stays on: a new receiver starts
 * on it at once, without a round trip to the publisher.
 */

/** The part of a mediasoup consumer the decision reads (unit tests pass plain objects). */
export interface LayerConsumer {
  readonly producerId: string;
  readonly paused: boolean;
  readonly closed: boolean;
  readonly preferredLayers?: { spatialLayer: number };
}

/** The part of a mediasoup producer the decision reads. */
export interface LayerProducer {
  readonly id: string;
  readonly type: string;
  readonly kind: string;
  readonly closed: boolean;
  readonly rtpParameters: { encodings?: unknown[] };
}

/** The highest spatial layer any of `consumers` wants from a producer with `layers` spatial layers (≥ 0). */
export function wantedSpatialLayer(consumers: Iterable<LayerConsumer>, layers: number): number {
  const top = Math.max(0, layers - 1);
  let wanted = 0;
  for (const c of consumers) {
    if (c.closed || c.paused) continue;
    wanted = Math.max(wanted, Math.min(top, c.preferredLayers?.spatialLayer ?? top));
    if (wanted === top) break;
  }
  return wanted;
}

export interface LayersWanted {
  peerId: string;
  producerId: string;
  maxSpatialLayer: number;
}

/** The part of a mediasoup router (and its transports) whose consumers dynacast follows. */
export interface WatchedRouter {
  observer: {
    on(
      event: 'newtransport',
      listener: (transport: {
        /** `remoteNode`: a pipe to another node, whose receivers this room cannot see (they may want any layer). */
        appData?: { remoteNode?: unknown };
        observer: { on(event: 'newconsumer', listener: (consumer: WatchedConsumer) => void): unknown };
      }) => void,
    ): unknown;
  };
}

export interface WatchedConsumer extends LayerConsumer {
  readonly type: string;
  readonly observer: {
    on(event: 'pause' | 'resume', listener: () => void): unknown;
    once(event: 'close', listener: () => void): unknown;
  };
}

/**
 * Tracks a room's simulcast producers and tells each publisher (once per change) the highest layer wanted.
 * Every consumer on the watched routers counts (peers' and the recorder's; pipes between this node's routers are
 * not receivers, a pipe to another node counts as one wanting the top layer). `refresh`
 * runs after consumer changes (`schedule`, debounced) and on a timer (preferred layers change without an event
 * from mediasoup).
 */
export class Dynacast {
  private readonly told = new Map<string, number>();
  private readonly consumers = new Set<LayerConsumer>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private pending: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly producers: () => Iterable<{ peerId: string; producer: LayerProducer }>,
    private readonly emit: (e: LayersWanted) => void,
    tickMs = 1000,
  ) {
    if (tickMs > 0) {
      this.timer = setInterval(() => this.refresh(), tickMs);
      this.timer.unref?.();
    }
  }

  /** Follows the consumers made on `router` (a room has one router, a lecture may add more). */
  watch(router: WatchedRouter): void {
    router.observer.on('newtransport', (transport) =>
      transport.observer.on('newconsumer', (consumer) => {
        if (consumer.type === 'pipe' && !transport.appData?.remoteNode) return;
        this.consumers.add(consumer);
        consumer.observer.on('pause', () => this.schedule());
        consumer.observer.on('resume', () => this.schedule());
        consumer.observer.once('close', () => {
          this.consumers.delete(consumer);
          this.schedule();
        });
        this.schedule();
      }),
    );
  }

  /** A consumer was added, paused, resumed or closed: refresh soon (several changes, one refresh). */
  schedule(delayMs = 50): void {
    if (this.pending || !this.timer) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      this.refresh();
    }, delayMs);
    this.pending.unref?.();
  }

  refresh(): void {
    const byProducer = new Map<string, LayerConsumer[]>();
    for (const c of this.consumers) {
      const list = byProducer.get(c.producerId);
      if (list) list.push(c);
      else byProducer.set(c.producerId, [c]);
    }
    const seen = new Set<string>();
    for (const { peerId, producer } of this.producers()) {
      if (producer.closed || producer.kind !== 'video' || producer.type !== 'simulcast') continue;
      seen.add(producer.id);
      const layers = producer.rtpParameters.encodings?.length ?? 1;
      const wanted = wantedSpatialLayer(byProducer.get(producer.id) ?? [], layers);
      if (this.told.get(producer.id) === wanted) continue;
      this.told.set(producer.id, wanted);
      this.emit({ peerId, producerId: producer.id, maxSpatialLayer: wanted });
    }
    for (const id of [...this.told.keys()]) if (!seen.has(id)) this.told.delete(id);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.pending) clearTimeout(this.pending);
    this.timer = null;
    this.pending = null;
    this.told.clear();
    this.consumers.clear();
  }
}
