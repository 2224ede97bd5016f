import { Logger } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user';
import type { Revocation } from '../auth/sessions.service';
import type { RoomSeating } from './room-seating';

const log = new Logger('RtcRevocation');

interface RevocableSocket {
  id: string;
  data: { user?: AuthUser };
  disconnect(close?: boolean): unknown;
}

/**
 * Someone's access ended or changed (SessionsService.announce): each of their sockets (of the one session, or
 * all but one, or all) leaves its room at once — the seat or lobby place freed, no reconnect grace — and is
 * closed. A reconnect then meets the handshake's and room.join's checks as they are now.
 */
export function closeRevokedSockets(
  sockets: Iterable<RevocableSocket>,
  rooms: Pick<RoomSeating, 'leave'>,
  r: Revocation,
): void {
  for (const socket of sockets) {
    const user = socket.data.user;
    if (user?.id !== r.userId) continue;
    if (r.sessionId && user.sessionId !== r.sessionId) continue;
    if (r.exceptSessionId && user.sessionId === r.exceptSessionId) continue;
    void rooms
      .leave({ socketId: socket.id, user })
      .catch((e: unknown) => log.error(`freeing the seat of ${user.id}: ${String(e)}`))
      .finally(() => socket.disconnect(true));
  }
}
