import { Logger } from '@nestjs/common';
import type { Locale } from '@branchmeet/shared';
import { errorAck } from './rtc-errors';
import { RateLimited, takeToken } from './rtc-limits';

/** What the guard needs of a socket.io socket. */
interface GuardedSocket {
  id: string;
  use(fn: (packet: [string, ...unknown[]], next: (err?: Error) => void) => void): unknown;
  conn: { close(): unknown };
}

const log = new Logger('FloodGuard');
/** Sockets cut off for flooding: what they still send is dropped without an answer. */
const dropped = new WeakSet<object>();

/**
 * Refuses floods at the packet, before anything else runs: a socket.io middleware on each `/rtc` socket takes a
 * token of the event's class (RTC_LIMITS) from the socket's bucket and from its person's (shared by all their
 * sockets). A refused request is answered at once with a `rate_limited` ack and goes no further — no Nest handler,
 * no schema parsing, no database. After RTC_FLOOD_DISCONNECT refusals in a row the connection is closed and the
 * rest of the flood, already received, is dropped unread.
 */
export function guardFloods(socket: GuardedSocket, userId: string, locale: () => Locale): void {
  socket.use((packet, next) => {
    if (dropped.has(socket)) return;
    const event = String(packet[0]);
    try {
      takeToken(socket, event, userId);
    } catch (e) {
      if (!(e instanceof RateLimited)) return next(e instanceof Error ? e : new Error(String(e)));
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function') (ack as (a: unknown) => void)(errorAck(e, locale(), event));
      if (e.drop) {
        dropped.add(socket);
        log.warn(`socket ${socket.id} of user ${userId} kept flooding ${event}: disconnected`);
        socket.conn.close();
      }
      return;
    }
    next();
  });
}
