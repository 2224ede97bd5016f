import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import {
  lectureSources,
  type ConsumerInfo,
  type MediaCapabilities,
  type RoomReadyResult,
} from '@branchmeet/shared';
import type { types } from 'mediasoup';
import { Forbidden } from '../common/domain-error';
import { SocketHub } from '../common/socket-hub';
import type { MediaEvents } from '../media/media-events';
import { MediaService } from '../media/media.service';
import { MediaError, type ConsumerInfo as MediaConsumerInfo, type MediaSource } from '../media/media.types';
import { RoomRegistry } from './room-registry';
import { roleOf, type LiveRoom, type RtcCaller, type Seat } from './room-state';

/** mediasoup's parameter objects arrive as opaque JSON checked for shape by the shared schemas. */
type Opaque = Record<string, unknown>;
const asMedia = <T>(value: Opaque): T => value as T;

const AUDIO_LEVELS_MIN_INTERVAL_MS = 400;

/** A consumer as the client is told of it. */
const wireConsumer = (c: MediaConsumerInfo): ConsumerInfo => ({
  consumerId: c.id,
  producerId: c.producerId,
  peerId: c.producerPeerId,
  kind: c.kind,
  source: c.source,
  rtpParameters: { ...c.rtpParameters } as Opaque as ConsumerInfo['rtpParameters'],
  producerPaused: c.producerPaused,
});

export interface ProduceRequest {
  transportId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  rtpParameters: Opaque;
  paused: boolean;
}

/**
 * Between the seats and the SFU: a seat's transports, producers and consumers on its requests (ready, produce,
 * consume, tile layers), and the SFU's events forwarded to the room (producers coming and going, speakers,
 * levels, the downlink's state, a room moved to another worker). Every new producer is consumed for each ready
 * seat as it appears.
 */
@Injectable()
export class MediaRelay implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(MediaRelay.name);
  /** Producers the host is pausing/closing: their paused/closed event says byHost. */
  private readonly byHost = new Set<string>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly registry: RoomRegistry,
    private readonly hub: SocketHub,
    private readonly media: MediaService,
  ) {}

  onModuleInit(): void {
    const ev = this.media.events;
    const seats = (meetingId: string) => this.registry.room(meetingId)?.seats.values() ?? [];
    // Whose producer an event is about, as the room is told.
    const producerOf = (e: MediaEvents['producerClosed']) => ({
      peerId: e.peerId,
      producerId: e.producerId,
      source: e.source,
    });
    const socketOf = (meetingId: string, peerId: string) =>
      this.registry.room(meetingId)?.seats.get(peerId)?.socketId;
    this.unsubscribe.push(
      ev.on(
        'producerAdded',
        (e) =>
          void this.onProducerAdded(e.meetingId, e.peerId, e.producerId).catch((err: unknown) =>
            this.log.error(`consuming new producer ${e.producerId}: ${String(err)}`),
          ),
      ),
      ev.on('producerClosed', (e) => {
        for (const seat of seats(e.meetingId)) seat.consumed.delete(e.producerId);
        this.hub.toMeeting(e.meetingId, 'producer.closed', {
          ...producerOf(e),
          byHost: this.byHost.delete(e.producerId),
        });
      }),
      ev.on('producerPaused', (e) =>
        this.hub.toMeeting(e.meetingId, 'producer.paused', {
          ...producerOf(e),
          byHost: this.byHost.delete(e.producerId),
        }),
      ),
      ev.on('producerResumed', (e) => this.hub.toMeeting(e.meetingId, 'producer.resumed', producerOf(e))),
      ev.on('consumerClosed', (e) => {
        const socketId = socketOf(e.meetingId, e.peerId);
        if (socketId)
          this.hub.toSocket(socketId, 'consumer.closed', {
            consumerId: e.consumerId,
            producerId: e.producerId,
          });
      }),
      ev.on('downlinkChanged', (e) => {
        const socketId = socketOf(e.meetingId, e.peerId);
        if (socketId) this.hub.toSocket(socketId, 'media.downlink', { videoPaused: e.videoPaused });
      }),
      ev.on('layersWanted', (e) => {
        const socketId = socketOf(e.meetingId, e.peerId);
        const { producerId, maxSpatialLayer } = e;
        if (socketId) this.hub.toSocket(socketId, 'media.layers', { producerId, maxSpatialLayer });
      }),
      ev.on('activeSpeaker', (e) => this.hub.toMeeting(e.meetingId, 'speaker.changed', { peerId: e.peerId })),
      ev.on('audioLevels', (e) => {
        const room = this.registry.room(e.meetingId);
        if (!room) return;
        const now = Date.now();
        if (e.levels.length > 0 && now - room.lastLevelsAt < AUDIO_LEVELS_MIN_INTERVAL_MS) return;
        room.lastLevelsAt = now;
        this.hub.toMeeting(e.meetingId, 'audio.levels', {
          levels: e.levels.map((l) => ({ peerId: l.peerId, volume: l.volume })),
        });
      }),
      ev.on('roomMoved', (e) => {
        // Every transport is gone: clients rejoin with resumePeerId and set up their media again.
        for (const seat of seats(e.meetingId)) {
          seat.ready = false;
          seat.consumed.clear();
        }
        this.hub.toMeeting(e.meetingId, 'media.moved', { meetingId: e.meetingId });
      }),
      ev.on('mediaLost', (e) => {
        // Only these seats' media is gone: each of them sets it up again, as after a move.
        const lost = new Set(e.peerIds);
        for (const seat of seats(e.meetingId)) {
          if (!lost.has(seat.peerId)) continue;
          seat.ready = false;
          seat.consumed.clear();
          if (seat.socketId) this.hub.toSocket(seat.socketId, 'media.moved', { meetingId: e.meetingId });
        }
      }),
    );
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe) off();
  }

  /** Runs a host's pause or close of a producer: its event says byHost, however the action ends. */
  async asHost(producerId: string, action: () => Promise<void>): Promise<void> {
    this.byHost.add(producerId);
    try {
      await action();
    } finally {
      this.byHost.delete(producerId);
    }
  }

  /** What a client loads its device with before it joins (any signed-in socket may ask: nothing of a room). */
  async capabilities(): Promise<MediaCapabilities> {
    return { routerRtpCapabilities: { ...(await this.media.routerCapabilities()) } };
  }

  /**
   * The client's RTP capabilities: a consumer (paused) for every producer already in the room, audio first (the
   * client sets them up in this order, and a weak link carries the first audio before any video).
   */
  async ready(caller: RtcCaller, rtpCapabilities: Opaque): Promise<RoomReadyResult> {
    const { room, seat } = this.registry.seated(caller);
    await this.media.setRtpCapabilities(
      room.meetingId,
      seat.peerId,
      asMedia<types.RtpCapabilities>(rtpCapabilities),
    );
    seat.ready = true;
    const producers = (await this.media.room(room.meetingId)).producers(seat.peerId);
    const audioFirst = [...producers].sort((a, b) => Number(a.kind === 'video') - Number(b.kind === 'video'));
    const consumers = await Promise.all(audioFirst.map((p) => this.consumeFor(room, seat, p.producerId)));
    return { consumers: consumers.filter((c): c is ConsumerInfo => c !== null) };
  }

  async connectTransport(caller: RtcCaller, transportId: string, dtlsParameters: Opaque): Promise<null> {
    const { room, seat } = this.registry.seated(caller);
    await this.media.connectTransport(
      room.meetingId,
      seat.peerId,
      transportId,
      asMedia<types.DtlsParameters>(dtlsParameters),
    );
    return null;
  }

  async restartIce(caller: RtcCaller, transportId: string) {
    const { room, seat } = this.registry.seated(caller);
    const ice = await this.media.restartIce(room.meetingId, seat.peerId, transportId);
    return { iceParameters: { ...ice } };
  }

  async produce(caller: RtcCaller, req: ProduceRequest): Promise<{ producerId: string }> {
    const { room, seat } = this.registry.seated(caller);
    const role = roleOf(room, seat);
    if (role && !lectureSources[role].includes(req.source))
      throw Forbidden(role === 'listener' ? 'lecture.listenerNoFloor' : 'lecture.floorAudioOnly');
    const producer = await this.media.produce(room.meetingId, seat.peerId, {
      transportId: req.transportId,
      kind: req.kind,
      source: req.source,
      rtpParameters: asMedia<types.RtpParameters>(req.rtpParameters),
    });
    if (req.paused) await this.media.pauseProducer(room.meetingId, producer.producerId);
    return { producerId: producer.producerId };
  }

  /** Pause (mute), resume or close one of the caller's own producers. */
  async ownProducer(
    caller: RtcCaller,
    producerId: string,
    action: 'pause' | 'resume' | 'close',
  ): Promise<null> {
    const { room, seat } = this.registry.seated(caller);
    (await this.media.room(room.meetingId)).producerOf(seat.peerId, producerId); // is it the caller's?
    if (action === 'pause') await this.media.pauseProducer(room.meetingId, producerId);
    else if (action === 'resume') await this.media.resumeProducer(room.meetingId, producerId);
    else await this.media.closeProducer(room.meetingId, seat.peerId, producerId);
    return null;
  }

  /** The client has attached its consumers: media starts. A consumer closed meanwhile is skipped. */
  async resumeConsumers(caller: RtcCaller, consumerIds: string[]): Promise<null> {
    const { room, seat } = this.registry.seated(caller);
    const results = await Promise.allSettled(
      consumerIds.map((id) => this.media.resumeConsumer(room.meetingId, seat.peerId, id)),
    );
    const failed = results.find(
      (r): r is PromiseRejectedResult =>
        r.status === 'rejected' &&
        !(r.reason instanceof MediaError && r.reason.code === 'consumer_not_found'),
    );
    if (failed) throw failed.reason;
    return null;
  }

  /** The size the client shows a video in: the SFU picks the simulcast layer for it. */
  async tile(caller: RtcCaller, consumerId: string, height: number): Promise<null> {
    const { room, seat } = this.registry.seated(caller);
    await this.media.setConsumerTileSize(room.meetingId, seat.peerId, consumerId, height);
    return null;
  }

  /**
   * The receiver's audio from one sender arrives in time again but its jitter buffer still holds the delay grown
   * while the link was congested: a fresh consumer in place of the old one (closed), paused until resumed.
   */
  async renewConsumer(caller: RtcCaller, consumerId: string): Promise<ConsumerInfo> {
    const { room, seat } = this.registry.seated(caller);
    const media = await this.media.room(room.meetingId);
    return wireConsumer(await media.renewConsumer(seat.peerId, consumerId, seat.recvTransportId));
  }

  /** The receiver's own view of its downlink (its audio broken, or clean again): video gives way or is tried. */
  async downlinkReport(caller: RtcCaller, congested: boolean): Promise<{ videoPaused: boolean }> {
    const { room, seat } = this.registry.seated(caller);
    return { videoPaused: await this.media.reportDownlink(room.meetingId, seat.peerId, congested) };
  }

  private async onProducerAdded(
    meetingId: string,
    producerPeerId: string,
    producerId: string,
  ): Promise<void> {
    const room = this.registry.room(meetingId);
    if (!room) return;
    await Promise.all(
      [...room.seats.values()]
        .filter((s) => s.peerId !== producerPeerId && s.ready && s.socketId)
        .map(async (seat) => {
          const consumer = await this.consumeFor(room, seat, producerId);
          if (consumer && seat.socketId) this.hub.toSocket(seat.socketId, 'consumer.created', consumer);
        }),
    );
  }

  /** A paused consumer of `producerId` for the seat, once; null when it cannot be made (logged). */
  private async consumeFor(room: LiveRoom, seat: Seat, producerId: string): Promise<ConsumerInfo | null> {
    if (seat.consumed.has(producerId)) return null;
    seat.consumed.add(producerId);
    try {
      const c = await this.media.consume(room.meetingId, seat.peerId, {
        transportId: seat.recvTransportId,
        producerId,
      });
      return wireConsumer(c);
    } catch (e) {
      seat.consumed.delete(producerId);
      this.log.warn(`no consumer of ${producerId} for peer ${seat.peerId}: ${String(e)}`);
      return null;
    }
  }
}
