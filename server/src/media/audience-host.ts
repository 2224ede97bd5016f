import { Logger } from '@nestjs/common';
import type { types } from 'mediasoup';
import { DownlinkGuard } from './downlink-guard';
import { INITIAL_OUTGOING_BPS } from './media-room';
import { keepConsumer } from './media-peer';
import {
  MediaError,
  consumerInfo,
  peerRequest,
  type ConsumerInfo,
  type MediaRouter,
  type MediaSource,
  type MediaWebRtcServer,
  type TransportInfo,
} from './media.types';
import { pipeEnd, type AudienceEvent, type AudienceRequest } from './remote-route';

/** A listener of another node's lecture served here: its receive transport(s) and consumers. */
interface HostedPeer {
  transports: Map<string, types.WebRtcTransport>;
  consumers: Map<string, types.Consumer>;
  downlink?: DownlinkGuard;
}

/** Part of another node's lecture served by this node: a router, the pipe from the owner, its listeners. */
interface HostedAudience {
  ownerNodeId: string;
  router: MediaRouter;
  webRtcServer: MediaWebRtcServer;
  pipe: types.PipeTransport;
  producers: Map<string, types.Producer>;
  peers: Map<string, HostedPeer>;
  /** The meeting's requests run one at a time, in the order they arrived. */
  queue: Promise<unknown>;
}

/** What the host needs of this node's SFU. */
export interface AudienceHostDeps {
  /** A router for the meeting on the least-loaded worker, with that worker's WebRtcServer. */
  createRouter(meetingId: string): Promise<{ router: MediaRouter; webRtcServer: MediaWebRtcServer }>;
  listen: { ip: string; announcedAddress: string };
  /** Tells the owner node something about one of its listeners. */
  notify(ownerNodeId: string, event: AudienceEvent): void;
}

/**
 * The serving side of a lecture across nodes: on the owner's request, a router of the meeting with a
 * PipeTransport (SRTP, RTX) connected to the owner's, the lecture's producers produced on it, and the owner's
 * listeners' receive transports and consumers. The owner keeps the room, the seats and the signalling.
 */
export class AudienceHost {
  private readonly log = new Logger(AudienceHost.name);
  private readonly hosted = new Map<string, HostedAudience>();

  constructor(private readonly deps: AudienceHostDeps) {}

  /** Meetings served here, with the node that owns each. */
  owners(): { meetingId: string; ownerNodeId: string }[] {
    return [...this.hosted].map(([meetingId, h]) => ({ meetingId, ownerNodeId: h.ownerNodeId }));
  }

  /** Listeners served here for other nodes (this node's load). */
  peers(): number {
    let n = 0;
    for (const h of this.hosted.values()) n += h.peers.size;
    return n;
  }

  /** The router serving part of a meeting here (benchmarks). */
  router(meetingId: string): MediaRouter | undefined {
    return this.hosted.get(meetingId)?.router;
  }

  async handle(from: string, req: AudienceRequest): Promise<unknown> {
    if (req.op === 'open') return this.open(from, req.meetingId, req.pipe);
    const hosted = this.hosted.get(req.meetingId);
    if (!hosted || hosted.ownerNodeId !== from)
      throw new MediaError('room_not_found', `meeting ${req.meetingId} is not served here for ${from}`);
    if (req.op === 'close') {
      this.close(req.meetingId);
      return null;
    }
    const run = hosted.queue.then(() => this.run(hosted, req));
    hosted.queue = run.catch(() => undefined);
    return run;
  }

  /** Closes what this node serves of a meeting (the owner closed it, or left the cluster). */
  close(meetingId: string): void {
    const hosted = this.hosted.get(meetingId);
    if (!hosted) return;
    this.hosted.delete(meetingId);
    for (const peer of hosted.peers.values()) peer.downlink?.close();
    hosted.router.close();
  }

  closeAll(): void {
    for (const meetingId of [...this.hosted.keys()]) this.close(meetingId);
  }

  private async open(
    from: string,
    meetingId: string,
    owner: { ip: string; port: number; srtpParameters: types.SrtpParameters },
  ) {
    this.close(meetingId); // a second open (the owner reopened the room) starts afresh
    const { router, webRtcServer } = await this.deps.createRouter(meetingId);
    try {
      const pipe = await router.createPipeTransport({
        listenInfo: { protocol: 'udp', ...this.deps.listen },
        enableSrtp: true,
        enableRtx: true,
      });
      await pipe.connect(owner);
      const hosted: HostedAudience = {
        ownerNodeId: from,
        router,
        webRtcServer,
        pipe,
        producers: new Map(),
        peers: new Map(),
        queue: Promise.resolve(),
      };
      this.hosted.set(meetingId, hosted);
      router.observer.once('close', () => {
        if (this.hosted.get(meetingId) === hosted) this.hosted.delete(meetingId);
      });
      this.log.log(`lecture ${meetingId}: serving listeners of node ${from} on router ${router.id}`);
      return pipeEnd(pipe);
    } catch (e) {
      router.close();
      throw e;
    }
  }

  private async run(
    h: HostedAudience,
    req: Exclude<AudienceRequest, { op: 'open' | 'close' }>,
  ): Promise<unknown> {
    switch (req.op) {
      case 'produce': {
        const producer = await h.pipe.produce({
          id: req.producerId,
          kind: req.kind,
          rtpParameters: req.rtpParameters,
          paused: req.paused,
          appData: req.appData,
        });
        h.producers.set(producer.id, producer);
        producer.observer.once('close', () => h.producers.delete(producer.id));
        return null;
      }
      case 'producer': {
        const producer = h.producers.get(req.producerId);
        if (req.action === 'pause') await producer?.pause();
        else if (req.action === 'resume') await producer?.resume();
        else producer?.close();
        return null;
      }
      case 'transport':
        return this.createTransport(h, req.meetingId, req.peerId);
      case 'connect':
        await peerRequest(() =>
          this.transport(h, req.peerId, req.transportId).connect({ dtlsParameters: req.dtlsParameters }),
        );
        return null;
      case 'restartIce':
        return peerRequest(() => this.transport(h, req.peerId, req.transportId).restartIce());
      case 'consume':
        return this.consume(h, req);
      case 'resumeConsumer': {
        const peer = this.peer(h, req.peerId);
        const consumer = peer.consumers.get(req.consumerId);
        if (!consumer) throw new MediaError('consumer_not_found', `no consumer ${req.consumerId}`);
        if (peer.downlink) await peer.downlink.resume(req.consumerId);
        else await consumer.resume();
        return null;
      }
      case 'tile':
        await this.peer(h, req.peerId).downlink?.setTile(req.consumerId, req.height);
        return null;
      case 'closeTransport':
        this.transport(h, req.peerId, req.transportId).close();
        return null;
      case 'closePeer': {
        const peer = h.peers.get(req.peerId);
        h.peers.delete(req.peerId);
        peer?.downlink?.close();
        for (const t of peer?.transports.values() ?? []) t.close();
        return null;
      }
      default:
        throw new MediaError('bad_request', `unknown request ${(req as { op: unknown }).op}`);
    }
  }

  private peer(h: HostedAudience, peerId: string): HostedPeer {
    const peer = h.peers.get(peerId);
    if (!peer) throw new MediaError('peer_not_found', `peer ${peerId} is not served here`);
    return peer;
  }

  private transport(h: HostedAudience, peerId: string, transportId: string): types.WebRtcTransport {
    const t = this.peer(h, peerId).transports.get(transportId);
    if (!t) throw new MediaError('transport_not_found', `no transport ${transportId} for peer ${peerId}`);
    return t;
  }

  private async createTransport(
    h: HostedAudience,
    meetingId: string,
    peerId: string,
  ): Promise<TransportInfo> {
    let peer = h.peers.get(peerId);
    if (!peer) h.peers.set(peerId, (peer = { transports: new Map(), consumers: new Map() }));
    const transport = await h.router.createWebRtcTransport({
      webRtcServer: h.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BPS,
    });
    const served = peer;
    served.transports.set(transport.id, transport);
    transport.observer.once('close', () => served.transports.delete(transport.id));
    served.downlink?.close();
    const guard = new DownlinkGuard((videoPaused) =>
      this.deps.notify(h.ownerNodeId, {
        op: 'event',
        name: 'downlinkChanged',
        payload: { meetingId, peerId, videoPaused },
      }),
    );
    guard.watch(transport);
    served.downlink = guard;
    transport.observer.once('close', () => {
      guard.close();
      if (served.downlink === guard) served.downlink = undefined;
    });
    transport.on('dtlsstatechange', (state) => {
      if (state === 'connected')
        this.deps.notify(h.ownerNodeId, {
          op: 'event',
          name: 'transportConnected',
          payload: { meetingId, peerId, userId: '', transportId: transport.id, direction: 'recv' },
        });
    });
    return {
      id: transport.id,
      direction: 'recv',
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  private async consume(
    h: HostedAudience,
    req: Extract<AudienceRequest, { op: 'consume' }>,
  ): Promise<ConsumerInfo> {
    const peer = this.peer(h, req.peerId);
    const producer = h.producers.get(req.producerId);
    if (!producer) throw new MediaError('producer_not_found', `producer ${req.producerId} is not piped here`);
    if (!h.router.canConsume({ producerId: producer.id, rtpCapabilities: req.rtpCapabilities }))
      throw new MediaError('cannot_consume', `peer ${req.peerId} cannot decode producer ${producer.id}`);
    const transport = this.transport(h, req.peerId, req.transportId);
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: req.rtpCapabilities,
      paused: true,
    });
    keepConsumer(peer, consumer);
    consumer.on('producerclose', () =>
      this.deps.notify(h.ownerNodeId, {
        op: 'event',
        name: 'consumerClosed',
        payload: {
          meetingId: req.meetingId,
          peerId: req.peerId,
          consumerId: consumer.id,
          producerId: producer.id,
        },
      }),
    );
    const source = (producer.appData as { source?: MediaSource }).source ?? 'mic';
    return consumerInfo(consumer, req.producerPeerId, source);
  }
}
