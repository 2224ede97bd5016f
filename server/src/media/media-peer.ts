import type { types } from 'mediasoup';
import { DownlinkGuard } from './downlink-guard';
import type { MediaRoute } from './media-routes';
import type { RemoteRoute } from './remote-route';
import type {
  MediaConsumer,
  MediaProducer,
  MediaSource,
  MediaWebRtcTransport,
  ProducerInfo,
} from './media.types';

/** One person's media in a room: the route it lives on, its transports, producers and consumers. */
export class MediaPeer {
  readonly transports = new Map<string, MediaWebRtcTransport>();
  readonly producers = new Map<string, MediaProducer>();
  readonly consumers = new Map<string, MediaConsumer>();
  /** Audio first on this peer's downlink: pauses its video when the estimate falls (downlink-guard.ts). */
  downlink?: DownlinkGuard;
  /**
   * A lecture listener served by a router on another node: its receive transport and consumers live there
   * (created through this route); anything it sends (the floor) goes to `route`, the primary one.
   */
  remote?: RemoteRoute;

  constructor(
    readonly peerId: string,
    readonly userId: string,
    public route: MediaRoute,
    public rtpCapabilities?: types.RtpCapabilities,
  ) {}

  producerFor(source: MediaSource): MediaProducer | undefined {
    return [...this.producers.values()].find((p) => p.appData.source === source);
  }

  /** Guards the downlink of a new receive transport (replacing the guard of an earlier one). */
  guardDownlink(transport: MediaWebRtcTransport, onChange: (videoPaused: boolean) => void): void {
    this.downlink?.close();
    const guard = new DownlinkGuard(onChange);
    guard.watch(transport);
    this.downlink = guard;
    transport.observer.once('close', () => {
      guard.close();
      if (this.downlink === guard) this.downlink = undefined;
    });
  }

  /** Closes every transport (and with them every producer and consumer). */
  closeMedia(): void {
    this.remote?.closePeer(this.peerId);
    this.remote = undefined;
    this.downlink?.close();
    this.downlink = undefined;
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }
}

/** Keeps a peer's consumer (here, or a listener's served for another node) while it lives, in its downlink guard. */
export function keepConsumer<C extends types.Consumer>(
  peer: { consumers: Map<string, C>; downlink?: DownlinkGuard },
  consumer: C,
): void {
  peer.consumers.set(consumer.id, consumer);
  const guard = peer.downlink;
  guard?.add(consumer);
  consumer.observer.once('close', () => {
    peer.consumers.delete(consumer.id);
    guard?.remove(consumer.id);
  });
}

/** The producers of `peers` but `exceptPeerId`, as a joining client is told them. */
export function producerInfos(peers: Iterable<MediaPeer>, exceptPeerId?: string): ProducerInfo[] {
  const out: ProducerInfo[] = [];
  for (const peer of peers) {
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
