import type { types } from 'mediasoup';
import type { MediaEvents } from './media-events';
import {
  MediaError,
  type ConsumerInfo,
  type MediaProducer,
  type MediaRouter,
  type TransportInfo,
} from './media.types';

/** One end of a pipe between two nodes: where its PipeTransport listens and its SRTP key. */
export interface PipeEnd {
  ip: string;
  port: number;
  srtpParameters: types.SrtpParameters;
}

/**
 * What the node that owns a lecture asks of a node serving part of its audience (audience-host.ts answers).
 * The owner stays the room's signalling authority: it only forwards its listeners' requests.
 */
export type AudienceRequest =
  | { op: 'open'; meetingId: string; pipe: PipeEnd }
  | {
      op: 'produce';
      meetingId: string;
      producerId: string;
      kind: types.MediaKind;
      rtpParameters: types.RtpParameters;
      paused: boolean;
      appData: { peerId: string; source: string };
    }
  | { op: 'producer'; meetingId: string; producerId: string; action: 'pause' | 'resume' | 'close' }
  | { op: 'transport'; meetingId: string; peerId: string }
  | {
      op: 'connect';
      meetingId: string;
      peerId: string;
      transportId: string;
      dtlsParameters: types.DtlsParameters;
    }
  | { op: 'restartIce'; meetingId: string; peerId: string; transportId: string }
  | {
      op: 'consume';
      meetingId: string;
      peerId: string;
      transportId: string;
      producerId: string;
      producerPeerId: string;
      rtpCapabilities: types.RtpCapabilities;
    }
  | { op: 'resumeConsumer'; meetingId: string; peerId: string; consumerId: string }
  | { op: 'tile'; meetingId: string; peerId: string; consumerId: string; height: number }
  | { op: 'closeTransport'; meetingId: string; peerId: string; transportId: string }
  | { op: 'closePeer'; meetingId: string; peerId: string }
  | { op: 'close'; meetingId: string };

/** What a serving node tells the owner about one of the owner's listeners (the owner emits it as its own). */
export type AudienceEvent =
  | { op: 'event'; name: 'transportConnected'; payload: MediaEvents['transportConnected'] }
  | { op: 'event'; name: 'consumerClosed'; payload: MediaEvents['consumerClosed'] }
  | { op: 'event'; name: 'downlinkChanged'; payload: MediaEvents['downlinkChanged'] };

export type PipeMessage = AudienceRequest | AudienceEvent;

type WithoutMeeting<T> = T extends unknown ? Omit<T, 'meetingId'> : never;
/** A request about one of the meeting's listeners (the route fills in the meeting). */
export type ListenerRequest = WithoutMeeting<
  Extract<AudienceRequest, { op: 'connect' | 'restartIce' | 'resumeConsumer' | 'tile' }>
>;

/** How this node reaches the other nodes (cluster/media-pipe.ts, on Redis); absent on a single node. */
export interface MediaCluster {
  readonly nodeId: string;
  /** The least-loaded other live node, not draining and none of `avoid`; undefined when there is none. */
  pickNode(avoid: string[]): Promise<string | undefined>;
  /** Sends a message to a node; resolves with its answer, rejects with its error or after a timeout. */
  request<T = unknown>(nodeId: string, message: PipeMessage): Promise<T>;
}

/**
 * A lecture's router on another node, seen from the owner: a PipeTransport on the owner's primary router
 * connected (SRTP, RTX) to one on the other node's router. The lecture's producers are consumed on it and produced
 * there under the same id; their pause, resume and close follow. The listeners placed there have their receive
 * transport and consumers on that node, created through `request`.
 */
export class RemoteRoute {
  /** Producers piped there (settled once the remote producer exists). */
  readonly piped = new Map<string, Promise<void>>();
  closed = false;

  private constructor(
    readonly nodeId: string,
    readonly meetingId: string,
    private readonly transport: types.PipeTransport,
    private readonly cluster: MediaCluster,
    private readonly onClose: () => void,
  ) {}

  /** Opens a pipe from `router` (the owner's primary) to a router of the meeting on `nodeId`. */
  static async open(
    nodeId: string,
    meetingId: string,
    router: MediaRouter,
    listen: { ip: string; announcedAddress: string },
    cluster: MediaCluster,
    onClose: () => void,
  ): Promise<RemoteRoute> {
    const transport = await router.createPipeTransport({
      listenInfo: { protocol: 'udp', ip: listen.ip, announcedAddress: listen.announcedAddress },
      enableSrtp: true,
      enableRtx: true,
      appData: { remoteNode: nodeId },
    });
    try {
      const there = await cluster.request<PipeEnd>(nodeId, {
        op: 'open',
        meetingId,
        pipe: pipeEnd(transport),
      });
      await transport.connect(there);
    } catch (e) {
      transport.close();
      void cluster.request(nodeId, { op: 'close', meetingId }).catch(() => undefined);
      throw e;
    }
    const route = new RemoteRoute(nodeId, meetingId, transport, cluster, onClose);
    // The primary router closed (room closed, worker died): the other node drops its part.
    transport.observer.once('close', () => route.close());
    return route;
  }

  /** Sends a request about this meeting to the serving node. */
  request<T = unknown>(req: AudienceRequest): Promise<T> {
    return this.cluster.request<T>(this.nodeId, req).catch((e: unknown) => {
      // The other node no longer serves the meeting (its worker died, it restarted): stop using it.
      if (e instanceof MediaError && e.code === 'room_not_found') this.close();
      throw e;
    });
  }

  /** Forwards a listener's request to the node serving it. */
  ask<T = unknown>(req: ListenerRequest): Promise<T> {
    return this.request<T>({ ...req, meetingId: this.meetingId } as AudienceRequest);
  }

  createTransport(peerId: string): Promise<TransportInfo> {
    return this.request<TransportInfo>({ op: 'transport', meetingId: this.meetingId, peerId });
  }

  consume(
    peerId: string,
    req: {
      transportId: string;
      producerId: string;
      producerPeerId: string;
      rtpCapabilities: types.RtpCapabilities;
    },
  ): Promise<ConsumerInfo> {
    return this.request<ConsumerInfo>({ op: 'consume', meetingId: this.meetingId, peerId, ...req });
  }

  closePeer(peerId: string): void {
    if (!this.closed)
      void this.request({ op: 'closePeer', meetingId: this.meetingId, peerId }).catch(() => undefined);
  }

  /**
   * Pipes a producer of the primary router there (same id), once; its pause, resume and close are forwarded.
   * Messages to one node arrive in the order they were sent, and the node handles a meeting's one at a time.
   */
  pipe(producer: MediaProducer): Promise<void> {
    const known = this.piped.get(producer.id);
    if (known) return known;
    const done = (async () => {
      const consumer = await this.transport.consume({ producerId: producer.id });
      const forward = (action: 'pause' | 'resume' | 'close') =>
        void this.request({
          op: 'producer',
          meetingId: this.meetingId,
          producerId: producer.id,
          action,
        }).catch(() => undefined);
      consumer.observer.on('pause', () => forward('pause'));
      consumer.observer.on('resume', () => forward('resume'));
      consumer.observer.once('close', () => {
        this.piped.delete(producer.id);
        if (!this.closed) forward('close');
      });
      try {
        await this.request({
          op: 'produce',
          meetingId: this.meetingId,
          producerId: producer.id,
          kind: consumer.kind,
          rtpParameters: consumer.rtpParameters,
          paused: consumer.producerPaused,
          appData: { peerId: producer.appData.peerId, source: producer.appData.source },
        });
      } catch (e) {
        consumer.close();
        throw e;
      }
      // Paused or resumed while the request was on its way: the forwarded change followed it in order.
    })();
    this.piped.set(producer.id, done);
    void done.catch(() => this.piped.delete(producer.id));
    return done;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.close();
    void this.request({ op: 'close', meetingId: this.meetingId }).catch(() => undefined);
    this.onClose();
  }
}

export function pipeEnd(transport: types.PipeTransport): PipeEnd {
  const srtpParameters = transport.srtpParameters;
  if (!srtpParameters) throw new Error('the pipe transport has no SRTP parameters');
  return { ip: transport.tuple.localAddress, port: transport.tuple.localPort, srtpParameters };
}
