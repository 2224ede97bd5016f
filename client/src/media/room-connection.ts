import type { ApiError } from '@branchmeet/shared';
import type { LocalMedia } from './local-media';
import { ReconnectPolicy } from './reconnect-policy';
import type { ConnectionState, RoomEvent } from './room-events';
import { FINAL_STATES, FORWARDED_SERVER_EVENTS } from './room-events';
import type { RoomDevice } from './room-link';
import { RoomMedia } from './room-media';
import { depart, departed } from './room-departures';
import { forgetPreparedDevice, loadRoomDevice, preparedRoomDevice } from './room-device';
import {
  RtcRequestError,
  type RtcRequestName,
  type RtcRequestPayload,
  type RtcRequestResult,
} from './signalling';
import { SignallingClient, type SignallingSubscription, type SocketFactory } from './signalling-client';

export { CAMERA_ENCODINGS } from './room-publisher';
export type { ConsumerStats, SignalTrace } from './room-diagnostics';
export type { RoomDevice } from './room-link';

export interface RoomConnectionOptions {
  meetingId: string;
  local: LocalMedia;
  /** The app's shared `/rtc` socket; without it the room opens its own from `token`, `refreshAuth`, `language`. */
  signalling?: SignallingClient;
  /** The current access token (read on every (re)connect). */
  token?: () => string | null;
  /** Refreshes the access token after the socket was refused as unauthenticated; false if the session is gone. */
  refreshAuth?: () => Promise<boolean>;
  language?: () => string;
  /** Whether mic and camera go live on join (otherwise they are published paused, or not at all). */
  publish?: { mic: boolean; camera: boolean };
  socketFactory?: SocketFactory;
  deviceFactory?: () => Promise<RoomDevice>;
  /** Delay before a tile-size report is sent (ms). */
  tileDebounceMs?: number;
}

/**
 * One person's connection to one live room over the app's `/rtc` socket: the mediasoup Device, a publisher
 * (send transport, producers of the local mic/camera/screen) and a receiver (receive transport, a consumer per
 * remote producer). The UI sees `RoomEvent`s and asks for tracks by id (`track(key)`); it never holds a
 * MediaStreamTrack in its state.
 *
 * Reconnects on its own: when the socket drops, ICE fails, or the room moved to another media worker, it joins
 * again with `resumePeerId` (the server gives the same seat back) and republishes what was live.
 *
 * Several server nodes: a join answered `redirect` moves the room to a socket of the node that serves the
 * meeting, and joins there; when that socket drops, the room goes back to the app's socket (its node knows
 * where the meeting is served now, after a node died) and joins again with `resumePeerId`. A node that stops
 * (SIGTERM) hands its meetings over first and says where (`room.moved`): the room joins there at once.
 */
export class RoomConnection extends RoomMedia {
  readonly meetingId: string;
  private readonly options: RoomConnectionOptions;
  /** The app's socket (or the room's own): where every join starts. */
  private readonly home: SignallingClient;
  /** The socket the room uses now: `home`, or one to the node that serves the meeting. */
  private signalling: SignallingClient;
  /** Redirects followed since the last answered join (the owner moving: the next ones wait a little). */
  private redirects = 0;
  private link: SignallingSubscription | null = null;
  private generationValue = 0;
  private peerIdValue: string | null = null;
  private stateValue: ConnectionState = 'connecting';
  private everJoined = false;
  /** leave() or dispose() began: a join answered from now on is handed back (by `depart`). */
  private leaving = false;
  /** The room.join on its way, if any. */
  private joining: Promise<unknown> | null = null;
  /** Whether a device prepared ahead (`prepareRoomDevice`) may be used: not after it turned out out of date. */
  private usePrepared = true;
  /** Joining again after a failed join (the socket's own reconnects are the signalling client's). */
  private readonly rejoin = new ReconnectPolicy();
  private readonly offLocal: () => void;

  constructor(options: RoomConnectionOptions) {
    super(options.local, options.publish, () => options.tileDebounceMs ?? 300);
    this.options = options;
    this.meetingId = options.meetingId;
    this.home =
      options.signalling ??
      new SignallingClient({
        token: options.token ?? (() => null),
        refreshAuth: options.refreshAuth,
        language: options.language,
        socketFactory: options.socketFactory,
      });
    this.signalling = this.home;
    this.offLocal = this.local.on('change', () => this.followLocalTracks());
  }

  protected get generation(): number {
    return this.generationValue;
  }

  protected get joined(): boolean {
    return this.stateValue === 'joined';
  }

  protected get socketConnected(): boolean {
    return this.link?.connected ?? false;
  }

  get peerId(): string | null {
    return this.peerIdValue;
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Subscribes to the socket and joins; progress arrives as `connection` events. */
  connect(): void {
    if (this.link || this.isFinal()) return;
    this.setState(this.everJoined ? 'reconnecting' : 'connecting');
    const link = this.signalling.subscribe({
      connected: () => {
        this.diagnostics.connected();
        this.rejoin.reset();
        void this.join(this.everJoined);
      },
      disconnected: () => {
        if (this.isFinal()) return;
        this.setState(this.everJoined ? 'reconnecting' : 'connecting');
        // The node that served the meeting went away (or gave it up): ask the app's node where it is now.
        if (this.signalling !== this.home) this.switchTo(this.home);
      },
      // The node a join was sent to cannot be reached (it died meanwhile): the same.
      unreachable: () => {
        if (!this.isFinal() && this.signalling !== this.home) this.switchTo(this.home);
      },
      failed: (error) => this.fail(error),
    });
    this.link = link;

    for (const name of FORWARDED_SERVER_EVENTS) {
      // Forwarded as they are; the payload's type follows from the event name.
      link.on(name, ((payload: unknown) => this.emitEvent({ type: name, payload } as RoomEvent)) as never);
    }
    this.followMediaEvents(link);
    link.on('lobby.admitted', (p) => {
      this.emitEvent({ type: 'lobby.admitted', payload: p });
      void this.join(false);
    });
    link.on('lobby.denied', (p) => {
      this.emitEvent({ type: 'lobby.denied', payload: p });
      this.finish('denied');
    });
    link.on('room.ended', (p) => {
      this.emitEvent({ type: 'room.ended', payload: p });
      this.finish('ended');
    });
    link.on('self.removed', (p) => {
      this.emitEvent({ type: 'self.removed', payload: p });
      this.finish('removed');
    });
    link.on('media.moved', (p) => {
      this.emitEvent({ type: 'media.moved', payload: p });
      this.recover();
    });
    // The serving node is stopping and handed the meeting over: take the seat back on the new owner at once.
    link.on('room.moved', (p) => {
      this.emitEvent({ type: 'room.moved', payload: p });
      this.follow(p.url);
    });
  }

  /** Leaves the room (tells the server, best effort) and releases everything but the local tracks. */
  async leave(): Promise<void> {
    if (this.isFinal()) return;
    this.leaving = true;
    // The socket stays open for the rest of the app: the server hears of the leaving from room.leave alone
    // (joined, waiting in the lobby, or joining).
    await depart(this.signalling, this.link, this.joining);
    this.finish('left');
  }

  /** Sends a request in the room (chat, hand, host controls…); rejects with the server's error. */
  send<E extends RtcRequestName>(event: E, payload: RtcRequestPayload<E>): Promise<RtcRequestResult<E>> {
    if (!this.link?.connected) {
      return Promise.reject(new RtcRequestError(event, { code: 'network_error', message: 'not connected' }));
    }
    return this.request(event, payload);
  }

  async sendChat(text: string) {
    const message = await this.send('chat.send', { text });
    this.emitEvent({ type: 'chat.received', payload: message });
    return message;
  }

  async setHand(raised: boolean): Promise<void> {
    await this.send(raised ? 'hand.raise' : 'hand.lower', {});
    if (this.peerIdValue)
      this.emitEvent({ type: 'hand.changed', payload: { peerId: this.peerIdValue, raised } });
  }

  /** Releases the room's part of the socket and its media; the local tracks stay with LocalMedia. */
  dispose(): void {
    if (!this.isFinal()) {
      this.leaving = true;
      void depart(this.signalling, this.link, this.joining);
      this.finish('left');
    }
    this.offLocal();
    this.removeAllListeners();
  }

  // ── joining ────────────────────────────────────────────────────────────────────────────────────────────
  private async join(resume: boolean): Promise<void> {
    const link = this.link;
    if (!link || this.isFinal()) return;
    const gen = ++this.generationValue;
    this.teardownMedia();
    await departed(this.signalling); // a room that left this socket is gone on the server first
    if (gen !== this.generationValue || this.isFinal() || this.leaving) return;
    // A device loaded ahead (from `media.capabilities`) lets the join bring the consumers at once.
    const prepared = this.usePrepared ? await preparedRoomDevice(this.signalling) : null;
    if (gen !== this.generationValue || this.isFinal() || this.leaving) return;
    let answer;
    const joining = this.request('room.join', {
      meetingId: this.meetingId,
      resumePeerId: resume && this.peerIdValue ? this.peerIdValue : undefined,
      ...(prepared ? { rtpCapabilities: prepared.device.rtpCapabilities } : {}),
    });
    this.joining = joining;
    try {
      answer = await joining;
    } catch (err) {
      if (gen !== this.generationValue) return;
      const error = err instanceof RtcRequestError ? { code: err.code, message: err.message } : undefined;
      // `unavailable`: the meeting is between two server nodes (its owner died); it is served again shortly.
      if (error && !['timeout', 'network_error', 'unavailable'].includes(error.code)) this.fail(error);
      else this.recoverLater();
      return;
    } finally {
      if (this.joining === joining) this.joining = null;
    }
    if (this.leaving) return; // left while the join was on its way: `depart` hands the seat back
    if (gen !== this.generationValue || this.isFinal()) return;
    if (answer.status === 'redirect') {
      this.follow(answer.url);
      return;
    }
    this.redirects = 0;
    if (answer.status === 'waiting') {
      this.setState('waiting');
      this.emitEvent({ type: 'waiting', room: answer.room });
      return;
    }
    this.peerIdValue = answer.self.peerId;
    this.emitEvent({
      type: 'joined',
      self: answer.self,
      room: answer.room,
      peers: answer.peers.filter((p) => p.peerId !== answer.self.peerId),
      chat: answer.chat,
      resumed: answer.resumed,
      lecture: answer.lecture,
      audience: answer.audience,
      recording: answer.recording,
    });

    const joinConsumed = prepared !== null && answer.consumers !== undefined;
    if (joinConsumed && prepared.routerRtpCapabilities !== JSON.stringify(answer.routerRtpCapabilities)) {
      // The server's codecs changed since they were asked for: take the seat again, the longer way.
      this.usePrepared = false;
      forgetPreparedDevice(this.signalling);
      void this.join(true);
      return;
    }
    try {
      this.receiver.begin();
      const device = joinConsumed
        ? prepared.device
        : await loadRoomDevice(answer.routerRtpCapabilities, this.options.deviceFactory);
      if (gen !== this.generationValue) return;
      const session = await this.openSession(
        answer,
        device,
        joinConsumed ? answer.consumers : undefined,
        gen,
      );
      if (!session) return;
      this.everJoined = true;
      this.setState('joined');
      await session.publishing;
      this.followLocalTracks(); // devices that opened while joining
    } catch (err) {
      if (gen !== this.generationValue || this.isFinal()) return;
      console.warn('[room] joining the media session failed', err);
      this.recoverLater();
    }
  }

  /** A request on the room's socket, recorded in the signal trace (`send` checks the socket is up first). */
  protected request<E extends RtcRequestName>(
    event: E,
    payload: RtcRequestPayload<E>,
    timeoutMs?: number,
  ): Promise<RtcRequestResult<E>> {
    if (!this.link) return Promise.reject(new Error('no socket'));
    return this.diagnostics.record(event, this.link.request(event, payload, timeoutMs));
  }

  /** LocalMedia switched a device or lost a track: follow it in the producers. */
  private followLocalTracks(): void {
    this.publisher.followLocalTracks(!this.isFinal());
    this.emit('tracks');
  }

  // ── other server nodes ─────────────────────────────────────────────────────────────────────────────────
  /** The meeting is served by the node at `url`: join there (after a pause when redirected again and again). */
  private follow(url: string): void {
    const go = () => this.switchTo(this.home.at(url));
    this.redirects += 1;
    if (this.redirects === 1) go();
    else {
      this.setState(this.everJoined ? 'reconnecting' : 'connecting');
      this.rejoin.schedule(go, { replace: true });
    }
  }

  /** Moves the room to another socket (its own to a node, or back to `home`) and joins over it. */
  private switchTo(target: SignallingClient): void {
    if (this.isFinal() || this.leaving) return;
    this.generationValue += 1; // what the old socket still answers is stale
    this.teardownMedia();
    const link = this.link;
    this.link = null;
    link?.release();
    this.signalling = target;
    this.connect();
  }

  // ── reconnecting ───────────────────────────────────────────────────────────────────────────────────────
  /** Rebuilds the media session over the current socket (ICE failed, or the room moved to another worker). */
  protected recover(): void {
    if (this.isFinal()) return;
    this.setState('reconnecting');
    if (this.link?.connected) void this.join(true);
    // Otherwise the socket's reconnect will join again.
  }

  /** Joins again after a backoff (a join that timed out or whose media session could not be built). */
  private recoverLater(): void {
    if (this.isFinal()) return;
    this.setState(this.everJoined ? 'reconnecting' : 'connecting');
    this.rejoin.schedule(
      () => {
        if (this.link?.connected) void this.join(this.everJoined);
        else this.link?.reconnect();
      },
      { replace: true },
    );
  }

  private finish(state: ConnectionState): void {
    if (this.isFinal()) return;
    this.generationValue += 1;
    this.rejoin.cancel();
    this.teardownMedia();
    this.local.stop('screen');
    const link = this.link;
    this.link = null;
    link?.release();
    this.setState(state);
  }

  private fail(error: ApiError): void {
    if (this.isFinal()) return;
    this.finish('failed');
    this.emitEvent({ type: 'connection', state: 'failed', error });
  }

  protected isFinal(): boolean {
    return FINAL_STATES.includes(this.stateValue);
  }

  private setState(state: ConnectionState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    if (state !== 'failed') this.emitEvent({ type: 'connection', state });
  }
}
