import { Logger } from '@nestjs/common';
import type { Locale } from '@branchmeet/shared';
import { errorAck } from './rtc-errors';
import { RateLimited, takeToken } from './rtc-limits';

/** What the guard needs of a socket.io socket. */
interface GuardedSocket {
  id: string;
  use(fn: (packet: [string, ...unknown[]], next: (err?: Error) => void) => void): unknown;
  conn: { close(discard?: boolean): unknown };
}

const log = new Logger('FloodGuard');
/** Sockets cut off for flooding: what they still send is dropped without an answer. */
const dropped = new WeakSet<object>();

/** How long a person cut off for flooding may not connect again (checked in the handshake, before the database). */
export const RTC_FLOOD_COOLDOWN_MS = 5_000;
const coolingDown = new Map<string, number>();

/** Refuses the handshake of a person cut off for flooding a moment ago (`rate_limited`, naming the seconds). */
export function refuseWhileCoolingDown(userId: string, now = Date.now()): void {
  const until = coolingDown.get(userId);
  if (until === undefined) return;
  if (until <= now) coolingDown.delete(userId);
  else throw new RateLimited(Math.ceil((until - now) / 1000), false);
}

/**
 * The same check from the handshake's token, before verifying it (a shut-out flooder knocking many times a second
 * costs no signature check): only the unverified `sub` is read, so a forged token naming someone shut out is
 * refused as rate-limited instead of as invalid — either way refused.
 */
export function refuseTokenWhileCoolingDown(token: string, now = Date.now()): void {
  if (coolingDown.size === 0) return;
  let sub: unknown;
  try {
    sub = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sub?: unknown })
      .sub;
  } catch {
    return; // not a JWT: verification refuses it
  }
  if (typeof sub === 'string') refuseWhileCoolingDown(sub, now);
}

/** The refusal's ack, rendered once per locale and wait (a flood gets thousands of them). */
const refusals = new Map<string, unknown>();
function refusal(e: RateLimited, locale: Locale, event: string): unknown {
  const key = `${locale} ${String(e.params?.seconds)}`;
  let ack = refusals.get(key);
  if (!ack) refusals.set(key, (ack = errorAck(e, locale, event)));
  return ack;
}

/**
 * Refuses floods at the packet, before anything else runs: a socket.io middleware on each `/rtc` socket takes a
 * token of the event's class (RTC_LIMITS) from the socket's bucket and from its person's (shared by all their
 * sockets). A refused request is answered at once with a `rate_limited` ack and goes no further — no Nest handler,
 * no schema parsing, no database. After RTC_FLOOD_DISCONNECT refusals in a row the connection is closed and the
 * rest of the flood, already received, is dropped unread, and the person may not connect again for
 * RTC_FLOOD_COOLDOWN_MS (their handshakes are refused before any database work).
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
      if (typeof ack === 'function') (ack as (a: unknown) => void)(refusal(e, locale(), event));
      if (e.drop) {
        dropped.add(socket);
        coolingDown.set(userId, Date.now() + RTC_FLOOD_COOLDOWN_MS);
        log.warn(`socket ${socket.id} of user ${userId} kept flooding ${event}: disconnected`);
        socket.conn.close(true); // at once: not after flushing the refusals, while more of the flood is read
      }
      return;
    }
    next();
  });
}
