import { Logger } from '@nestjs/common';
import type { types } from 'mediasoup';
import type { MediaConfig } from './media.config';
import type { MediaEventBus } from './media-events';
import { loadMediasoup } from './mediasoup-loader';
import {
  MEDIA_CODECS,
  MediaError,
  type MediaRouter,
  type MediaWebRtcServer,
  type MediaWorker,
  type RouterAppData,
  type WorkerAppData,
} from './media.types';

type PoolConfig = Pick<
  MediaConfig,
  'workerBin' | 'workers' | 'rtcPortBase' | 'listenIp' | 'announcedAddress' | 'logLevel'
>;

/** One worker process and its WebRtcServer (one UDP and one TCP port: rtcPortBase + index). */
export interface WorkerSlot {
  readonly index: number;
  readonly port: number;
  worker: MediaWorker;
  webRtcServer: MediaWebRtcServer;
  /** Meetings whose router lives on this worker. */
  readonly meetings: Set<string>;
  /** WebRtcTransports currently on this worker's WebRtcServer. */
  transports: number;
}

const REPLACE_ATTEMPTS = 20;
const REPLACE_DELAY_MS = 250;

/**
 * mediasoup workers, one per configured count. Routers go to the least-loaded live worker. A worker that dies
 * is replaced (same index, same port) and `workerDied` lists the meetings it held, so the service moves them.
 */
export class WorkerPool {
  private readonly log = new Logger(WorkerPool.name);
  private readonly slots: (WorkerSlot | undefined)[] = [];
  private readonly replacing = new Map<number, Promise<WorkerSlot>>();
  private closed = false;

  constructor(
    private readonly config: PoolConfig,
    private readonly events: MediaEventBus,
  ) {}

  async start(): Promise<void> {
    const started = await Promise.allSettled(
      Array.from({ length: this.config.workers }, (_, i) => this.startSlot(i)),
    );
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await this.close();
      throw failed.reason;
    }
    this.log.log(
      `${this.config.workers} mediasoup worker(s) on ports ${this.config.rtcPortBase}..` +
        `${this.config.rtcPortBase + this.config.workers - 1} (announced ${this.config.announcedAddress})`,
    );
  }

  /** Live slots, in index order. */
  get live(): WorkerSlot[] {
    return this.slots.filter((s): s is WorkerSlot => !!s && !s.worker.died && !s.worker.closed);
  }

  slotOf(meetingId: string): WorkerSlot | undefined {
    return this.live.find((s) => s.meetings.has(meetingId));
  }

  /** Creates a meeting's router on the least-loaded live worker (waiting for a replacement if none is live). */
  async createRouter(meetingId: string): Promise<{ router: MediaRouter; slot: WorkerSlot }> {
    return this.routerOn(meetingId, await this.leastLoaded());
  }

  /**
   * Lecture mode: one more router for a meeting, on the least-loaded live worker that holds none of its routers
   * yet (`avoid`: their indexes). Undefined when every live worker already has one.
   */
  async createRouterAway(
    meetingId: string,
    avoid: readonly number[],
  ): Promise<{ router: MediaRouter; slot: WorkerSlot } | undefined> {
    if (this.closed) throw new MediaError('no_worker', 'media workers are closed');
    const free = this.live.filter((s) => !avoid.includes(s.index));
    if (free.length === 0) return undefined;
    const load = (s: WorkerSlot) => s.meetings.size + s.transports;
    return this.routerOn(
      meetingId,
      free.reduce((best, s) => (load(s) < load(best) ? s : best)),
    );
  }

  /** The RTP capabilities of a router with this server's codecs (every router has the same). */
  async routerCapabilities(): Promise<types.RtpCapabilities> {
    const slot = await this.leastLoaded();
    const router = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    try {
      return router.rtpCapabilities;
    } finally {
      router.close();
    }
  }

  private async routerOn(
    meetingId: string,
    slot: WorkerSlot,
  ): Promise<{ router: MediaRouter; slot: WorkerSlot }> {
    const router = await slot.worker.createRouter<RouterAppData>({
      mediaCodecs: MEDIA_CODECS,
      appData: { meetingId },
    });
    slot.meetings.add(meetingId);
    // A dying worker closes its routers before it emits 'died': keep those meetings listed for onDied.
    router.observer.once('close', () => {
      if (!slot.worker.died) slot.meetings.delete(meetingId);
    });
    return { router, slot };
  }

  /** Closes every worker and waits for their processes to exit. */
  async close(): Promise<void> {
    this.closed = true;
    const exits = this.slots.map((slot) => {
      if (!slot || slot.worker.subprocessClosed) return undefined;
      const exited = new Promise<void>((resolve) => slot.worker.once('subprocessclose', () => resolve()));
      slot.worker.close();
      return exited;
    });
    this.slots.length = 0;
    // A replacement still starting sees `closed` and closes its worker (startSlot): wait for that too.
    await Promise.all([...exits, ...[...this.replacing.values()].map((r) => r.catch(() => undefined))]);
  }

  private async leastLoaded(): Promise<WorkerSlot> {
    if (this.closed) throw new MediaError('no_worker', 'media workers are closed');
    const live = this.live;
    if (live.length === 0) {
      if (this.replacing.size === 0) throw new MediaError('no_worker', 'no live mediasoup worker');
      return Promise.any(this.replacing.values()).catch(() => {
        throw new MediaError('no_worker', 'no mediasoup worker could be replaced');
      });
    }
    const load = (s: WorkerSlot) => s.meetings.size + s.transports;
    return live.reduce((best, s) => (load(s) < load(best) ? s : best));
  }

  private async startSlot(index: number): Promise<WorkerSlot> {
    const mediasoup = loadMediasoup(this.config.workerBin);
    const port = this.config.rtcPortBase + index;
    const worker = await mediasoup.createWorker<WorkerAppData>({
      logLevel: this.config.logLevel,
      appData: { index },
    });
    let webRtcServer: MediaWebRtcServer;
    try {
      const listen = { ip: this.config.listenIp, announcedAddress: this.config.announcedAddress, port };
      webRtcServer = await worker.createWebRtcServer<WorkerAppData>({
        listenInfos: [
          { protocol: 'udp', ...listen },
          { protocol: 'tcp', ...listen },
        ],
        appData: { index },
      });
    } catch (e) {
      worker.close();
      throw e;
    }
    if (this.closed) {
      // The pool closed while this worker started (a replacement racing a shutdown): it must not outlive it.
      const exited = new Promise<void>((resolve) => worker.once('subprocessclose', () => resolve()));
      worker.close();
      await exited;
      throw new MediaError('no_worker', 'media workers are closed');
    }
    const slot: WorkerSlot = { index, port, worker, webRtcServer, meetings: new Set(), transports: 0 };
    webRtcServer.observer.on('webrtctransporthandled', () => (slot.transports += 1));
    webRtcServer.observer.on('webrtctransportunhandled', () => (slot.transports -= 1));
    worker.on('died', (error) => this.onDied(slot, error));
    this.slots[index] = slot;
    return slot;
  }

  private onDied(slot: WorkerSlot, error: Error): void {
    if (this.closed || this.slots[slot.index] !== slot) return;
    const meetingIds = [...slot.meetings];
    slot.meetings.clear();
    this.log.error(
      `mediasoup worker ${slot.index} (pid ${slot.worker.pid}) died: ${error.message}; ${meetingIds.length} meeting(s) affected`,
    );
    const replacement = this.replace(slot.index);
    this.replacing.set(slot.index, replacement);
    void replacement.then(
      (s) => {
        this.replacing.delete(slot.index);
        this.events.emit('workerReplaced', { workerIndex: s.index, pid: s.worker.pid });
      },
      (e: unknown) => {
        this.replacing.delete(slot.index);
        this.log.error(`mediasoup worker ${slot.index} could not be replaced: ${String(e)}`);
      },
    );
    this.events.emit('workerDied', {
      workerIndex: slot.index,
      pid: slot.worker.pid,
      error: error.message,
      meetingIds,
    });
  }

  /** A new worker and WebRtcServer at the same index; the port may take a moment to be released. */
  private async replace(index: number): Promise<WorkerSlot> {
    let lastError: unknown;
    for (let attempt = 0; attempt < REPLACE_ATTEMPTS && !this.closed; attempt++) {
      try {
        return await this.startSlot(index);
      } catch (e) {
        lastError = e;
        await new Promise((r) => setTimeout(r, REPLACE_DELAY_MS));
      }
    }
    throw lastError ?? new MediaError('no_worker', 'media workers are closed');
  }
}
