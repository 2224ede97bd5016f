import { Logger } from '@nestjs/common';
import {
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import {
  ErrorCodes,
  pickLocale,
  RTC_NAMESPACE,
  RTC_PROTOCOL_VERSION,
  RtcHandshake,
  type Ack,
  type ApiError,
  type ChatMessage,
  type ChatSend,
  type ConsumerResume,
  type ConsumerTile,
  type Empty,
  type HostLock,
  type HostMute,
  type MediaCapabilities,
  type MediaProduce,
  type MinutesClose,
  type MinutesOpen,
  type MinutesOpened,
  type MinutesUpdate,
  type MinutesVote,
  type PeerRef,
  type ProducerRef,
  type QaAsk,
  type QaList,
  type QaQuestion,
  type QaRef,
  type RoomJoin,
  type RoomJoined,
  type RoomReady,
  type RoomReadyResult,
  type RtcClientEvents,
  type RtcServerEvents,
  type TransportConnect,
  type TransportRestartIce,
  type VoteCast,
  type VoteClose,
  type VoteOpen,
} from '@branchmeet/shared';
import type { Socket } from 'socket.io';
import { AuthUser } from '../auth/auth-user';
import { isGuestToken } from '../auth/jwt-auth.guard';
import { SessionsService } from '../auth/sessions.service';
import { closeRevokedSockets } from './revoked-sockets';
import { DomainError } from '../common/domain-error';
import { SocketHub, type RtcNamespace, type RtcSocketData } from '../common/socket-hub';
import { MinutesLiveService } from '../minutes/minutes-live.service';
import { LectureQaLive } from '../lectures/lecture-qa-live';
import { HostControls } from './host-controls';
import { LectureRolesService } from './lecture-roles';
import { MediaRelay } from './media-relay';
import { RoomChat } from './room-chat';
import { RoomLobby } from './room-lobby';
import { RoomRegistry } from './room-registry';
import { RoomSeating } from './room-seating';
import type { RtcCaller } from './room-state';
import { errorAck } from './rtc-errors';
import { guardFloods, refuseTokenWhileCoolingDown } from './flood-guard';
import { safeSchema } from './rtc-limits';

type RtcSocket = Socket<RtcClientEvents, RtcServerEvents, Record<string, never>, RtcSocketData>;
type RequestOf<E extends keyof RtcClientEvents> = Parameters<RtcClientEvents[E]>[0];
type ResultOf<E extends keyof RtcClientEvents> =
  Parameters<Parameters<RtcClientEvents[E]>[1]>[0] extends Ack<infer T> ? T : never;

/**
 * `@RtcEvent('room.join')`: subscribes the method to the event and wraps it in the one request mechanism of
 * the namespace: the payload is parsed with `rtcRequestSchemas[event]`, the method gets the caller and the
 * parsed request, and its result — or any error, mapped like the HTTP filter does — is the `Ack`.
 */
function RtcEvent<E extends keyof RtcClientEvents>(event: E) {
  return <M extends (caller: RtcCaller, req: RequestOf<E>) => Promise<ResultOf<E>> | ResultOf<E>>(
    target: RtcGateway,
    key: string,
    descriptor: TypedPropertyDescriptor<M>,
  ) => {
    const handler = descriptor.value!;
    const wrapped = async function (
      this: RtcGateway,
      socket: RtcSocket,
      raw: unknown,
    ): Promise<Ack<ResultOf<E>>> {
      const locale = socket.data.locale ?? 'zh-CN';
      try {
        const parsed = safeSchema(event).safeParse(raw ?? {}, { reportInput: true });
        if (!parsed.success) throw parsed.error;
        const caller = { socketId: socket.id, user: socket.data.user };
        return { ok: true, data: await handler.call(this, caller, parsed.data as RequestOf<E>) };
      } catch (e) {
        return errorAck(e, locale, event);
      }
    };
    Object.defineProperty(wrapped, 'name', { value: key });
    descriptor.value = wrapped as unknown as M;
    SubscribeMessage(event)(target, key, descriptor);
  };
}

/**
 * A dead seat (network cut without a goodbye) is noticed within RTC_PING_INTERVAL_MS + RTC_PING_TIMEOUT_MS (~9 s;
 * socket.io's defaults, 25 s + 20 s, took up to 45 s); its presence ends at its last activity, not then.
 */
export const RTC_PING_INTERVAL_MS = 4000;
export const RTC_PING_TIMEOUT_MS = 5000;

/**
 * Signalling of the live rooms on `/rtc`. The handshake carries the access token and the protocol version;
 * every request is validated by its shared schema, authorised, and handed to the room unit that serves it.
 */
@WebSocketGateway({
  namespace: RTC_NAMESPACE,
  pingInterval: RTC_PING_INTERVAL_MS,
  pingTimeout: RTC_PING_TIMEOUT_MS,
})
export class RtcGateway
  implements OnGatewayInit<RtcNamespace>, OnGatewayConnection<RtcSocket>, OnGatewayDisconnect<RtcSocket>
{
  private readonly log = new Logger(RtcGateway.name);
  @WebSocketServer() private readonly ns: RtcNamespace;

  constructor(
    private readonly registry: RoomRegistry,
    private readonly seating: RoomSeating,
    private readonly relay: MediaRelay,
    private readonly host: HostControls,
    private readonly lobby: RoomLobby,
    private readonly chatRoom: RoomChat,
    private readonly lecture: LectureRolesService,
    private readonly qa: LectureQaLive,
    private readonly minutes: MinutesLiveService,
    private readonly hub: SocketHub,
    private readonly sessions: SessionsService,
  ) {}

  afterInit(ns: RtcNamespace): void {
    ns.use((socket, next) => {
      // The language asked for in the handshake, else the Accept-Language of its HTTP request.
      const lang = RtcHandshake.shape.lang.safeParse(
        (socket.handshake.auth as { lang?: unknown } | undefined)?.lang,
      );
      const locale = (lang.success && lang.data) || pickLocale(socket.handshake.headers['accept-language']);
      this.authenticate(socket.handshake.auth).then(
        (user) => {
          socket.data = { user, locale };
          next();
        },
        (e: unknown) => {
          const { error } = errorAck(e, locale, 'handshake');
          next(Object.assign(new Error(error.message), { data: error satisfies ApiError }));
        },
      );
    });
    this.hub.bind(ns);
    this.sessions.onRevoked((r) => closeRevokedSockets(this.ns.sockets.values(), this.seating, r));
    this.log.log(`signalling on ${RTC_NAMESPACE} (protocol ${RTC_PROTOCOL_VERSION})`);
  }

  /** A signed-in person's socket hears their notifications from the moment it connects. */
  handleConnection(socket: RtcSocket): void {
    // Rate limits per socket and per person, before the handlers below (refused floods cost no parsing).
    guardFloods(socket, socket.data.user.id, () => socket.data.locale ?? 'zh-CN');
    if (!socket.data.user.guest) this.hub.enterPerson(socket.id, socket.data.user.id);
    let seen = Date.now();
    socket.conn.on('packet', () => (seen = Date.now()));
    socket.once('disconnect', (reason) =>
      // A silent drop (ping timeout) went away at its last activity (a request, a pong); a closed one, now.
      this.seating.disconnected(socket.id, reason === 'ping timeout' ? new Date(seen) : new Date()),
    );
  }

  handleDisconnect(socket: RtcSocket): void {
    this.minutes.disconnected(socket.id);
  }

  /** The handshake: a valid access token and the protocol this server speaks. */
  private async authenticate(auth: unknown): Promise<AuthUser> {
    const protocol = (auth as { protocol?: unknown } | null)?.protocol;
    if (protocol !== undefined && protocol !== RTC_PROTOCOL_VERSION)
      throw new DomainError('protocol_mismatch', 400, 'rtc.protocolMismatch', {
        got: String(protocol),
        want: RTC_PROTOCOL_VERSION,
      });
    const parsed = RtcHandshake.safeParse(auth ?? {});
    if (!parsed.success)
      throw new DomainError(ErrorCodes.validation, 400, 'rtc.badHandshake', {
        reason: parsed.error.issues.map((i) => i.path.join('.') || 'auth').join(', '),
      });
    refuseTokenWhileCoolingDown(parsed.data.token); // cut off for flooding a moment ago
    const payload = await this.sessions.verify(parsed.data.token);
    // A guest: scoped to the one meeting of their invite (MeetingsService.entry enforces it).
    if (isGuestToken(payload))
      return { id: payload.sub, isAdmin: false, guest: { meetingId: payload.mtg, name: payload.nam } };
    // A signed-in person: only while the session is live, and not with a temporary password.
    const user = await this.sessions.user(payload);
    if (user.mustChangePassword)
      throw new DomainError('password_change_required', 403, 'auth.mustChangePassword');
    return user;
  }

  // ── requests: each validated (RtcEvent), then handed to its room unit ─────────────────────────────────
  /** A join that carries the device's capabilities is also the `room.ready`: the answer brings the consumers. */
  @RtcEvent('room.join')
  async join(caller: RtcCaller, req: RoomJoin): Promise<RoomJoined> {
    const joined = await this.seating.join(caller, req);
    if (joined.status !== 'joined' || !req.rtpCapabilities) return joined;
    const { consumers } = await this.relay.ready(caller, req.rtpCapabilities);
    return { ...joined, consumers };
  }

  @RtcEvent('media.capabilities')
  capabilities(_caller: RtcCaller, _req: Empty): Promise<MediaCapabilities> {
    return this.relay.capabilities();
  }

  @RtcEvent('room.ready')
  ready(caller: RtcCaller, req: RoomReady): Promise<RoomReadyResult> {
    return this.relay.ready(caller, req.rtpCapabilities);
  }

  @RtcEvent('room.leave')
  leave(caller: RtcCaller, _req: Empty): Promise<null> {
    return this.seating.leave(caller);
  }

  @RtcEvent('transport.connect')
  connect(caller: RtcCaller, req: TransportConnect): Promise<null> {
    return this.relay.connectTransport(caller, req.transportId, req.dtlsParameters);
  }

  @RtcEvent('transport.restartIce')
  restartIce(caller: RtcCaller, req: TransportRestartIce) {
    return this.relay.restartIce(caller, req.transportId);
  }

  @RtcEvent('media.produce')
  produce(caller: RtcCaller, req: MediaProduce): Promise<{ producerId: string }> {
    return this.relay.produce(caller, req);
  }

  @RtcEvent('media.pause')
  pause(caller: RtcCaller, req: ProducerRef): Promise<null> {
    return this.relay.ownProducer(caller, req.producerId, 'pause');
  }

  @RtcEvent('media.resume')
  resume(caller: RtcCaller, req: ProducerRef): Promise<null> {
    return this.relay.ownProducer(caller, req.producerId, 'resume');
  }

  @RtcEvent('media.close')
  close(caller: RtcCaller, req: ProducerRef): Promise<null> {
    return this.relay.ownProducer(caller, req.producerId, 'close');
  }

  @RtcEvent('consumer.resume')
  resumeConsumers(caller: RtcCaller, req: ConsumerResume): Promise<null> {
    return this.relay.resumeConsumers(caller, req.consumerIds);
  }

  @RtcEvent('consumer.tile')
  tile(caller: RtcCaller, req: ConsumerTile): Promise<null> {
    return this.relay.tile(caller, req.consumerId, req.height);
  }

  @RtcEvent('chat.send')
  chat(caller: RtcCaller, req: ChatSend): Promise<ChatMessage> {
    return this.chatRoom.chat(caller, req.text);
  }

  @RtcEvent('hand.raise')
  raiseHand(caller: RtcCaller, _req: Empty): null {
    return this.chatRoom.hand(caller, true);
  }

  @RtcEvent('hand.lower')
  lowerHand(caller: RtcCaller, _req: Empty): null {
    return this.chatRoom.hand(caller, false);
  }

  @RtcEvent('host.mute')
  hostMute(caller: RtcCaller, req: HostMute): Promise<null> {
    return this.host.mute(caller, req.peerId);
  }

  @RtcEvent('host.stopVideo')
  hostStopVideo(caller: RtcCaller, req: PeerRef): Promise<null> {
    return this.host.stopVideo(caller, req.peerId);
  }

  @RtcEvent('host.remove')
  hostRemove(caller: RtcCaller, req: PeerRef): Promise<null> {
    return this.host.remove(caller, req.peerId);
  }

  @RtcEvent('host.lock')
  hostLock(caller: RtcCaller, req: HostLock): Promise<null> {
    return this.host.lock(caller, req.locked);
  }

  @RtcEvent('host.end')
  hostEnd(caller: RtcCaller, _req: Empty): Promise<null> {
    return this.host.end(caller);
  }

  @RtcEvent('host.transfer')
  hostTransfer(caller: RtcCaller, req: PeerRef): Promise<null> {
    return this.host.transfer(caller, req.peerId);
  }

  @RtcEvent('host.lowerHand')
  hostLowerHand(caller: RtcCaller, req: PeerRef): null {
    return this.host.lowerHand(caller, req.peerId);
  }

  @RtcEvent('lobby.admit')
  admit(caller: RtcCaller, req: PeerRef): null {
    return this.lobby.decide(caller, req.peerId, true);
  }

  @RtcEvent('lobby.deny')
  deny(caller: RtcCaller, req: PeerRef): null {
    return this.lobby.decide(caller, req.peerId, false);
  }

  // ── lecture mode (微课堂): the floor, co-presenters, Q&A ──────────────────────────────────────────────────
  @RtcEvent('lecture.giveFloor')
  giveFloor(caller: RtcCaller, req: PeerRef): Promise<null> {
    return this.lecture.giveFloor(caller, req.peerId);
  }

  @RtcEvent('lecture.takeFloor')
  takeFloor(caller: RtcCaller, req: PeerRef): Promise<null> {
    return this.lecture.takeFloor(caller, req.peerId);
  }

  @RtcEvent('lecture.addPresenter')
  addPresenter(caller: RtcCaller, req: PeerRef): Promise<null> {
    return this.lecture.addPresenter(caller, req.peerId);
  }

  @RtcEvent('lecture.removePresenter')
  removePresenter(caller: RtcCaller, req: PeerRef): Promise<null> {
    return this.lecture.removePresenter(caller, req.peerId);
  }

  @RtcEvent('qa.ask')
  ask(caller: RtcCaller, req: QaAsk): Promise<QaQuestion> {
    return this.qa.ask(this.registry.qaSeat(caller), req.text);
  }

  @RtcEvent('qa.upvote')
  upvote(caller: RtcCaller, req: QaRef): Promise<QaQuestion> {
    return this.qa.upvote(this.registry.qaSeat(caller), req.questionId);
  }

  @RtcEvent('qa.answer')
  answer(caller: RtcCaller, req: QaRef): Promise<QaQuestion> {
    return this.qa.answer(this.registry.qaSeat(caller), req.questionId);
  }

  @RtcEvent('qa.list')
  questions(caller: RtcCaller, _req: Empty): Promise<QaList> {
    return this.qa.questions(this.registry.qaSeat(caller));
  }

  // ── minutes (会议记录): the Yjs sync and votes, served by MinutesLiveService ─────────────────────────────
  @RtcEvent('minutes.open')
  openMinutes(caller: RtcCaller, req: MinutesOpen): Promise<MinutesOpened> {
    return this.minutes.openMinutes(caller, req);
  }

  @RtcEvent('minutes.update')
  updateMinutes(caller: RtcCaller, req: MinutesUpdate): Promise<null> {
    return this.minutes.update(caller, req);
  }

  @RtcEvent('minutes.close')
  closeMinutes(caller: RtcCaller, req: MinutesClose): Promise<null> {
    return this.minutes.close(caller, req);
  }

  @RtcEvent('vote.open')
  openVote(caller: RtcCaller, req: VoteOpen): Promise<MinutesVote> {
    return this.minutes.openVote(caller, req);
  }

  @RtcEvent('vote.cast')
  castVote(caller: RtcCaller, req: VoteCast): Promise<MinutesVote> {
    return this.minutes.castVote(caller, req);
  }

  @RtcEvent('vote.close')
  closeVote(caller: RtcCaller, req: VoteClose): Promise<MinutesVote> {
    return this.minutes.closeVote(caller, req);
  }
}
