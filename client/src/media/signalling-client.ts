import {
  RTC_NAMESPACE,
  RTC_PROTOCOL_VERSION,
  rtcServerEvents,
  type ApiError,
  type RtcServerEvents,
} from '@branchmeet/shared';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { ReconnectPolicy } from './reconnect-policy';
import {
  request,
  type RtcRequestName,
  type RtcRequestPayload,
  type RtcRequestResult,
  type RtcSocket,
} from './signalling';
import { TEST_HOOKS } from './test-hooks';

/**
 * Makes the socket (tests pass a fake); `auth` is read on every (re)connect. `url`: the server node to connect
 * to (a meeting served by another node); without it, the page's own origin.
 */
export type SocketFactory = (
  auth: () => Record<string, unknown>,
  options: Partial<ManagerOptions & SocketOptions>,
  url?: string,
) => RtcSocket;

export interface SignallingOptions {
  /** The current access token (read on every (re)connect). */
  token: () => string | null;
  /** Refreshes the access token after the socket was refused as unauthenticated; false if the session is gone. */
  refreshAuth?: () => Promise<boolean>;
  /** The UI language, for the messages of error acks (a browser's websocket cannot send headers). */
  language?: () => string;
  socketFactory?: SocketFactory;
  /** The server node to connect to (where a meeting's join was redirected); default: the page's origin. */
  url?: string;
  /** Waits between reconnect attempts the socket makes after a refusal or a server-side close. */
  reconnectDelaysMs?: readonly number[];
}

/** What a subscriber hears about the shared socket. */
export interface SignallingSubscriber {
  /** The socket (re)connected; called soon after subscribing when it is connected already. */
  connected?(): void;
  disconnected?(reason: string): void;
  /** The socket was refused for good (the session is gone, another protocol, forbidden). */
  failed?(error: ApiError): void;
  /** A connection attempt failed at the network (socket.io tries again by itself): the server is not reachable. */
  unreachable?(error: ApiError): void;
}

type ServerListener<K extends keyof RtcServerEvents> = RtcServerEvents[K];

/** One subscriber's view of the shared socket; `release` removes its listeners. */
export interface SignallingSubscription {
  /** Whether the shared socket is connected (also after `release`: a last request may still go out). */
  readonly connected: boolean;
  /** The socket itself (the room keys its request trace by it). */
  readonly socket: RtcSocket;
  request<E extends RtcRequestName>(
    event: E,
    payload: RtcRequestPayload<E>,
    timeoutMs?: number,
  ): Promise<RtcRequestResult<E>>;
  on<K extends keyof RtcServerEvents>(event: K, listener: ServerListener<K>): void;
  /** Tries to connect now if the socket is neither connected nor trying (after a refusal). */
  reconnect(): void;
  release(): void;
}

const MAX_AUTH_FAILURES = 3;

/**
 * In development and test builds, a listener first checks the payload against its event's schema in the wire
 * contract (`rtcServerEvents`) and reports a mismatch on the console; the listener gets the payload either way.
 */
export function checkedListener(
  event: keyof RtcServerEvents,
  listener: (...args: unknown[]) => void,
  checked = TEST_HOOKS,
): (...args: unknown[]) => void {
  if (!checked) return listener;
  const schema = rtcServerEvents[event];
  return (...args) => {
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) console.error(`/rtc ${event}: payload off the wire contract`, parsed.error.issues);
    listener(...args);
  };
}

/**
 * Where the `/rtc` socket of the server node at `url` (its NODE_URL) connects: the namespace at the URL's origin,
 * and socket.io's path under the URL's path. A node reached through a reverse proxy at
 * `https://meet.example/node/node-2` has its socket.io at `/node/node-2/socket.io/`; a node of its own origin
 * (`http://10.0.0.2:3000`) at `/socket.io/`.
 */
export function nodeSocketTarget(url: string): { uri: string; path: string } {
  const node = new URL(url);
  return {
    uri: new URL(RTC_NAMESPACE, node.origin).toString(),
    path: `${node.pathname.replace(/\/+$/, '')}/socket.io`,
  };
}

function defaultSocketFactory(
  auth: () => Record<string, unknown>,
  options: Partial<ManagerOptions & SocketOptions>,
  url?: string,
): RtcSocket {
  // Another node may be another origin: straight to a websocket, which needs no CORS (long-polling would).
  if (url) {
    const target = nodeSocketTarget(url);
    return io(target.uri, {
      ...options,
      path: target.path,
      transports: ['websocket'],
      auth: (cb) => cb(auth()),
    });
  }
  return io(RTC_NAMESPACE, { ...options, auth: (cb) => cb(auth()) });
}

/** What a refused socket connection says: the server puts an ApiError in `data`, or a code in the message. */
export function connectError(err: Error & { data?: unknown }): ApiError {
  const data = err.data as Partial<ApiError> | undefined;
  if (data && typeof data.code === 'string') {
    return { code: data.code, message: typeof data.message === 'string' ? data.message : err.message };
  }
  const code = /unauth|jwt|token/i.test(err.message)
    ? 'unauthenticated'
    : /protocol/i.test(err.message)
      ? 'protocol_mismatch'
      : /forbidden/i.test(err.message)
        ? 'forbidden'
        : 'connect_failed';
  return { code, message: err.message };
}

/**
 * The one `/rtc` socket of a sign-in (or of a guest's invite): the handshake's token, protocol and language, the
 * token refresh after an `unauthenticated` refusal, and reconnecting with backoff when socket.io does not
 * (a refusal, or a close by the server). The live room, the minutes and the notifications subscribe to it; it
 * opens with the first subscriber and closes after the last one leaves.
 */
export class SignallingClient {
  private socketValue: RtcSocket | null = null;
  private readonly subscribers = new Set<SignallingSubscriber>();
  private readonly policy: ReconnectPolicy;
  private authFailures = 0;

  constructor(private readonly options: SignallingOptions) {
    this.policy = new ReconnectPolicy(options.reconnectDelaysMs);
  }

  get connected(): boolean {
    return this.socketValue?.connected ?? false;
  }

  /** A client of the same sign-in (token, language, socket factory) to the server node at `url`. */
  at(url: string): SignallingClient {
    return new SignallingClient({ ...this.options, url });
  }

  /** How many subscribers share the socket now. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  subscribe(subscriber: SignallingSubscriber = {}): SignallingSubscription {
    const socket = this.ensureSocket();
    this.subscribers.add(subscriber);
    const listeners: [string, (...args: unknown[]) => void][] = [];
    let released = false;
    const open = () => this.open();
    const leave = () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.close();
    };
    if (socket.connected) {
      queueMicrotask(() => {
        if (!released && socket.connected) subscriber.connected?.();
      });
    } else this.open();
    return {
      get connected() {
        return socket.connected;
      },
      socket,
      request: (event, payload, timeoutMs) => request(socket, event, payload, timeoutMs),
      on: (event, listener) => {
        if (released) return;
        // The payload's type follows from the event name; the untyped form of `on` takes any listener.
        const l = checkedListener(event, listener as (...args: unknown[]) => void);
        listeners.push([event as string, l]);
        (socket as Socket).on(event as string, l);
      },
      reconnect: () => {
        if (!released) open();
      },
      release: () => {
        if (released) return;
        released = true;
        for (const [event, l] of listeners) (socket as Socket).off(event, l);
        leave();
      },
    };
  }

  private ensureSocket(): RtcSocket {
    if (this.socketValue) return this.socketValue;
    const socket = (this.options.socketFactory ?? defaultSocketFactory)(
      () => ({
        token: this.options.token() ?? '',
        protocol: RTC_PROTOCOL_VERSION,
        lang: this.options.language?.().startsWith('en') ? 'en' : 'zh-CN',
      }),
      { autoConnect: false, reconnectionDelay: 500, reconnectionDelayMax: 4000 },
      this.options.url,
    );
    this.socketValue = socket;
    socket.on('connect', () => {
      this.authFailures = 0;
      this.policy.reset();
      this.policy.cancel();
      for (const s of [...this.subscribers]) s.connected?.();
    });
    socket.on('disconnect', (reason) => {
      for (const s of [...this.subscribers]) s.disconnected?.(reason);
      // The server closed the socket (not a network drop): socket.io will not retry by itself.
      if (reason === 'io server disconnect') this.retryLater();
    });
    socket.on('connect_error', (err: Error & { data?: unknown }) => {
      if (socket.active) {
        // A network problem: socket.io retries by itself.
        for (const s of [...this.subscribers]) s.unreachable?.(connectError(err));
        return;
      }
      if (this.subscribers.size === 0) return;
      const error = connectError(err);
      const refresh = this.options.refreshAuth;
      if (error.code === 'unauthenticated' && refresh && this.authFailures < MAX_AUTH_FAILURES) {
        this.authFailures += 1;
        void refresh().then(
          (ok) => (ok ? this.retryLater() : this.fail(error)),
          () => this.fail(error),
        );
        return;
      }
      this.fail(error);
    });
    return socket;
  }

  /** Connects unless connected, trying (socket.io's own retries: `active`) or waiting to retry. */
  private open(): void {
    const socket = this.socketValue;
    if (!socket || socket.connected || socket.active || this.policy.pending) return;
    socket.connect();
  }

  private retryLater(): void {
    if (this.subscribers.size === 0) return;
    this.policy.schedule(() => {
      if (this.subscribers.size > 0 && !this.socketValue?.connected) this.socketValue?.connect();
    });
  }

  private fail(error: ApiError): void {
    for (const s of [...this.subscribers]) s.failed?.(error);
  }

  private close(): void {
    this.policy.cancel();
    this.policy.reset();
    this.authFailures = 0;
    this.socketValue?.disconnect();
  }
}
