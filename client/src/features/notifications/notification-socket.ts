import type { Notification } from '@branchmeet/shared';
import { sessionSignalling } from '../../api/session-signalling';
import type { SignallingClient } from '../../media/signalling-client';

export interface NotificationSocketOptions {
  onNotification: (n: Notification) => void;
  /** The socket (re)connected: what was pushed while it was away is to be fetched. */
  onConnected: () => void;
  /** The socket to listen on (default: the signed-in person's one `/rtc` socket). */
  signalling?: SignallingClient;
}

/**
 * The person's notifications over their `/rtc` socket, wherever they are in the app (this module is loaded on
 * demand, so socket.io stays out of the first page load). The socket is the app's one: it reconnects and refreshes
 * the token by itself. Returns the function that stops listening.
 */
export function connectNotifications(opts: NotificationSocketOptions): () => void {
  const subscription = (opts.signalling ?? sessionSignalling()).subscribe({
    connected: () => opts.onConnected(),
  });
  subscription.on('notification.created', (n) => opts.onNotification(n));
  return () => subscription.release();
}
