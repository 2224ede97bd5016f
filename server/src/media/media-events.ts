import { EventEmitter } from 'node:events';
import type { MediaSource, TransportDirection } from './media.types';

/**
 * Why a peer left: on purpose, dropped (grace period over), removed by the host, meeting ended, app shutdown,
 * or its room moved to another node (it takes its seat back there).
 */
export type PeerLeaveReason = 'left' | 'disconnected' | 'removed' | 'ended' | 'shutdown' | 'moved';

/**
 * Domain events of the media layer. Signalling relays them to clients; attendance records presence from
 * transportConnected/peerLeft. Listeners run synchronously; one that throws is reported on `listenerError`, never to
 * the emitter.
 */
export interface MediaEvents {
  peerJoined: { meetingId: string; peerId: string; userId: string };
  /**
   * The peer is gone from the room. `reason` is the caller's (the media layer only passes it on); `at` is
   * when the peer really went, which is earlier than now for a client that dropped and never came back.
   */
  peerLeft: { meetingId: string; peerId: string; userId: string; reason: PeerLeaveReason; at: Date };
  /** A transport's DTLS handshake completed: media can flow on it (again, after an ICE restart or a move). */
  transportConnected: {
    meetingId: string;
    peerId: string;
    userId: string;
    transportId: string;
    direction: TransportDirection;
  };
  producerAdded: {
    meetingId: string;
    peerId: string;
    producerId: string;
    kind: 'audio' | 'video';
    source: MediaSource;
  };
  producerClosed: { meetingId: string; peerId: string; producerId: string; source: MediaSource };
  producerPaused: { meetingId: string; peerId: string; producerId: string; source: MediaSource };
  producerResumed: { meetingId: string; peerId: string; producerId: string; source: MediaSource };
  /** A consumer closed because its producer went away; the consuming client drops the track. */
  consumerClosed: { meetingId: string; peerId: string; consumerId: string; producerId: string };
  /** A receiver's video was paused because its downlink cannot carry it (true), or resumed (false). */
  downlinkChanged: { meetingId: string; peerId: string; videoPaused: boolean };
  /** Dynacast: the highest simulcast layer any receiver wants of a publisher's producer changed. */
  layersWanted: { meetingId: string; peerId: string; producerId: string; maxSpatialLayer: number };
  /** The dominant speaker changed (ActiveSpeakerObserver). */
  activeSpeaker: { meetingId: string; peerId: string; producerId: string };
  /** Audio levels every interval while someone speaks (dBov, -127..0); `levels` is empty on silence. */
  audioLevels: { meetingId: string; levels: { peerId: string; producerId: string; volume: number }[] };
  /** A worker process died; `meetingIds` had their router there and are being moved to a live worker. */
  workerDied: { workerIndex: number; pid: number; error: string; meetingIds: string[] };
  workerReplaced: { workerIndex: number; pid: number };
  /**
   * A meeting's router was recreated on another worker after its worker died. Peers stay members; every
   * transport, producer and consumer is gone, so each listed peer must create transports and produce again.
   */
  roomMoved: { meetingId: string; workerIndex: number; peerIds: string[] };
  /**
   * Some peers' media was on a router that is gone (a lecture's listeners served by a node that died): they stay
   * members and must create their transports again; the others are not touched.
   */
  mediaLost: { meetingId: string; peerIds: string[] };
  roomClosed: { meetingId: string };
  listenerError: { event: string; error: unknown };
}

export type MediaEventName = keyof MediaEvents;

export class MediaEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  on<E extends MediaEventName>(event: E, listener: (payload: MediaEvents[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  once<E extends MediaEventName>(event: E, listener: (payload: MediaEvents[E]) => void): () => void {
    this.emitter.once(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** Resolves with the next payload of `event` that matches `filter`. */
  next<E extends MediaEventName>(event: E, filter: (payload: MediaEvents[E]) => boolean = () => true) {
    return new Promise<MediaEvents[E]>((resolve) => {
      const off = this.on(event, (payload) => {
        if (!filter(payload)) return;
        off();
        resolve(payload);
      });
    });
  }

  emit<E extends MediaEventName>(event: E, payload: MediaEvents[E]): void {
    for (const listener of this.emitter.rawListeners(event)) {
      try {
        (listener as (p: MediaEvents[E]) => void)(payload);
      } catch (error) {
        if (event !== 'listenerError') this.emit('listenerError', { event, error });
      }
    }
  }
}
