import { RTC_NAMESPACE, RTC_PROTOCOL_VERSION, type ApiError, type Notification } from '@branchmeet/shared';
import { io } from 'socket.io-client';
import type { RtcSocket } from '../../media/signalling';

export interface NotificationSocketOptions {
  /** The current access token (read on every (re)connect). */
  token: () => string | null;
  /** Gets a new access token after the socket was refused as unauthenticated; false if the session is gone. */
  refreshAuth: () => Promise<boolean>;
  language: () => string;
  onNotification: (n: Notification) => void;
  /** The socket (re)connected: what was pushed while it was away is to be fetched. */
  onConnected: () => void;
}

const MAX_AUTH_FAILURES = 3;

/**
 * The person's `/rtc` socket for notifications, open wherever they are in the app (loaded on demand, so
 * socket.io stays out of the first page load). Reconnects by itself; an expired token is refreshed once per
 * refusal. Returns the function that closes it.
 */
export function connectNotifications(opts: NotificationSocketOptions): () => void {
  const socket: RtcSocket = io(RTC_NAMESPACE, {
    auth: (cb) => cb({ token: opts.token() ?? '', protocol: RTC_PROTOCOL_VERSION, lang: opts.language() }),
    transports: ['websocket'],
  });
  let authFailures = 0;
  let closed = false;
  socket.on('connect', () => {
    authFailures = 0;
    opts.onConnected();
  });
  socket.on('notification.created', (n) => opts.onNotification(n));
  socket.on('connect_error', (err: Error & { data?: ApiError }) => {
    // A refusal by the server's handshake is final for socket.io: reconnect after a token refresh.
    if (err.data?.code !== 'unauthenticated' || closed) return;
    if (++authFailures > MAX_AUTH_FAILURES) return;
    void opts.refreshAuth().then((ok) => {
      if (ok && !closed) socket.connect();
    });
  });
  return () => {
    closed = true;
    socket.disconnect();
  };
}
