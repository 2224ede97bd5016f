import { Logger } from '@nestjs/common';
import {
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import {
  ErrorCodes,
  pickLocale,
  RTC_NAMESPACE,
  RTC_PROTOCOL_VERSION,
  rtcRequestNames,
  RtcHandshake,
  type Ack,
  type ApiError,
  type RtcClientEvents,
  type RtcParsedRequest,
  type RtcRequestName,
  type RtcRequestResult,
  type RtcServerEvents,
  type RoomJoined,
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
import { RoomAudience } from './room-audience';
import { RoomChat } from './room-chat';
import { RoomLobby } from './room-lobby';
import { RoomRegistry } from './room-registry';
import { RoomSeating } from './room-seating';
import type { RtcCaller } from './room-state';
import { errorAck } from './rtc-errors';
import { guardFloods, refuseTokenWhileCoolingDown } from './flood-guard';
import { safeSchema } from './rtc-limits';

type RtcSocket = Socket<RtcClientEvents, RtcServerEvents, Record<string, never>, RtcSocketData>;

/**
 * What serves each request of the wire contract (`rtcRequests` in shared/src/rtc.ts): the caller and the payload
 * as its schema parsed it in, the data of the answer out. The type asks for exactly one entry per event.
 */
export type RtcHandlers = {
  [E in RtcRequestName]: (
    caller: RtcCaller,
    req: RtcParsedRequest<E>,
  ) => Promise<RtcRequestResult<E>> | RtcRequestResult<E>;
};

/**
 * A dead seat (network cut without a goodbye) is noticed within RTC_PING_INTERVAL_MS + RTC_PING_TIMEOUT_MS (24 s;
 * socket.io's defaults, 25 s + 20 s, took up to 45 s); its presence ends at its last activity, not then, and its
 * reconnect grace is counted from then too (RoomSeating), so it leaves the room no later than with the 4 s + 5 s
 * this was before (notice ≤ 9 s + 15 s grace). The timeout is that long for a weak mobile link: a 10 s spell at
 * 50 kbit/s holds the ping and its pong for seconds behind the media queued in the network (each way), and with
 * 5 s the socket timed out in most such spells, which tore the member's whole media session down to build it
 * again once the link was back (the seat kept, but every producer and consumer new).
 */
export const RTC_PING_INTERVAL_MS = 4000;
export const RTC_PING_TIMEOUT_MS = 20_000;

/**
 * WebSocket frames of 1 KB and more are deflated (permessage-deflate, when the browser offers it): a join's answer
 * (~9.5 KB of JSON: the router's capabilities, two transports, the consumers) took ~0.5 s of a 150 kbit/s link
 * before the first audio could start. Without context takeover and with a 1 KB window the deflater a socket keeps
 * once it sent a large frame is small (~40 KB with memLevel 6; the inflater for the browser's frames ~40 KB more);
 * pings, levels and chat stay as they are.
 */
const RTC_DEFLATE = {
  threshold: 1024,
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  serverMaxWindowBits: 10,
  zlibDeflateOptions: { memLevel: 6 },
};

/**
 * Signalling of the live rooms on `/rtc`. The handshake carries the access token and the protocol version;
 * every request is validated by its shared schema, authorised, and handed to the room unit that serves it.
 */
@WebSocketGateway({
  namespace: RTC_NAMESPACE,
  pingInterval: RTC_PING_INTERVAL_MS,
  pingTimeout: RTC_PING_TIMEOUT_MS,
  perMessageDeflate: RTC_DEFLATE,
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
    private readonly audience: RoomAudience,
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

  /** Every request is served from the moment the socket connects; a signed-in person's notifications too. */
  handleConnection(socket: RtcSocket): void {
    // Rate limits per socket and per person, before the handlers below (refused floods cost no parsing).
    guardFloods(socket, socket.data.user.id, () => socket.data.locale ?? 'zh-CN');
    this.listen(socket);
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

  // ── requests: each validated against the wire contract (serve), then handed to its room unit ─────────────
  private readonly handlers: RtcHandlers = {
    'room.join': (caller, req) => this.join(caller, req),
    'room.ready': (caller, req) => this.relay.ready(caller, req.rtpCapabilities),
    'room.leave': (caller) => this.seating.leave(caller),
    'media.capabilities': () => this.relay.capabilities(),
    'transport.connect': (caller, req) =>
      this.relay.connectTransport(caller, req.transportId, req.dtlsParameters),
    'transport.restartIce': (caller, req) => this.relay.restartIce(caller, req.transportId),
    'media.produce': (caller, req) => this.relay.produce(caller, req),
    'media.pause': (caller, req) => this.relay.ownProducer(caller, req.producerId, 'pause'),
    'media.resume': (caller, req) => this.relay.ownProducer(caller, req.producerId, 'resume'),
    'media.close': (caller, req) => this.relay.ownProducer(caller, req.producerId, 'close'),
    'consumer.resume': (caller, req) => this.relay.resumeConsumers(caller, req.consumerIds),
    'consumer.tile': (caller, req) => this.relay.tile(caller, req.consumerId, req.height),
    'media.downlinkReport': (caller, req) => this.relay.downlinkReport(caller, req.congested),
    'consumer.renew': (caller, req) => this.relay.renewConsumer(caller, req.consumerId),
    'chat.send': (caller, req) => this.chatRoom.chat(caller, req.text),
    'hand.raise': (caller) => this.chatRoom.hand(caller, true),
    'hand.lower': (caller) => this.chatRoom.hand(caller, false),
    'host.mute': (caller, req) => this.host.mute(caller, req.peerId),
    'host.stopVideo': (caller, req) => this.host.stopVideo(caller, req.peerId),
    'host.remove': (caller, req) => this.host.remove(caller, req.peerId),
    'host.lock': (caller, req) => this.host.lock(caller, req.locked),
    'host.end': (caller) => this.host.end(caller),
    'host.transfer': (caller, req) => this.host.transfer(caller, req.peerId),
    'host.lowerHand': (caller, req) => this.host.lowerHand(caller, req.peerId),
    'lobby.admit': (caller, req) => this.lobby.decide(caller, req.peerId, true),
    'lobby.deny': (caller, req) => this.lobby.decide(caller, req.peerId, false),
    // lecture mode (微课堂): the floor, co-presenters, the listeners' list, Q&A
    'lecture.giveFloor': (caller, req) => this.lecture.giveFloor(caller, req.peerId),
    'lecture.takeFloor': (caller, req) => this.lecture.takeFloor(caller, req.peerId),
    'lecture.addPresenter': (caller, req) => this.lecture.addPresenter(caller, req.peerId),
    'lecture.removePresenter': (caller, req) => this.lecture.removePresenter(caller, req.peerId),
    'lecture.listeners': (caller, req) => this.audience.page(caller, req),
    'qa.ask': (caller, req) => this.qa.ask(this.registry.qaSeat(caller), req.text),
    'qa.upvote': (caller, req) => this.qa.upvote(this.registry.qaSeat(caller), req.questionId),
    'qa.answer': (caller, req) => this.qa.answer(this.registry.qaSeat(caller), req.questionId),
    'qa.list': (caller) => this.qa.questions(this.registry.qaSeat(caller)),
    // minutes (会议记录): the Yjs sync and votes, served by MinutesLiveService
    'minutes.open': (caller, req) => this.minutes.openMinutes(caller, req),
    'minutes.update': (caller, req) => this.minutes.update(caller, req),
    'minutes.close': (caller, req) => this.minutes.close(caller, req),
    'vote.open': (caller, req) => this.minutes.openVote(caller, req),
    'vote.cast': (caller, req) => this.minutes.castVote(caller, req),
    'vote.close': (caller, req) => this.minutes.closeVote(caller, req),
  };

  /** A join that carries the device's capabilities is also the `room.ready`: the answer brings the consumers. */
  private async join(caller: RtcCaller, req: RtcParsedRequest<'room.join'>): Promise<RoomJoined> {
    const joined = await this.seating.join(caller, req);
    if (joined.status !== 'joined' || !req.rtpCapabilities) return joined;
    const { consumers } = await this.relay.ready(caller, req.rtpCapabilities);
    return { ...joined, consumers };
  }

  /**
   * Listens for every request of the wire contract on the socket. As with socket.io's usual calling convention,
   * the last argument, when a function, is the acknowledgement; one argument before it is the payload (none: an
   * empty one), more than one is passed on as an array (and fails its schema).
   */
  private listen(socket: RtcSocket): void {
    const on = socket.on.bind(socket) as (event: string, listener: (...args: unknown[]) => void) => unknown;
    for (const event of rtcRequestNames)
      on(event, (...args) => {
        const ack = typeof args.at(-1) === 'function' ? (args.pop() as (answer: unknown) => void) : undefined;
        void this.serve(socket, event, args.length > 1 ? args : args[0]).then((answer) => ack?.(answer));
      });
  }

  /**
   * The one request mechanism of the namespace: the payload is parsed with the event's schema in `rtcRequests`,
   * its handler gets the caller and the parsed request, and its result — or any error, mapped like the HTTP
   * filter does (a payload that fails its schema: `validation_failed` with the issues) — is the `Ack`.
   */
  async serve<E extends RtcRequestName>(
    socket: Pick<RtcSocket, 'id' | 'data'>,
    event: E,
    raw: unknown,
  ): Promise<Ack<RtcRequestResult<E>>> {
    const locale = socket.data.locale ?? 'zh-CN';
    try {
      const parsed = safeSchema(event).safeParse(raw ?? {}, { reportInput: true });
      if (!parsed.success) throw parsed.error;
      const caller: RtcCaller = { socketId: socket.id, user: socket.data.user };
      const handler = this.handlers[event] as (
        caller: RtcCaller,
        req: unknown,
      ) => Promise<RtcRequestResult<E>> | RtcRequestResult<E>;
      return { ok: true, data: await handler(caller, parsed.data) };
    } catch (e) {
      return errorAck(e, locale, event);
    }
  }
}
