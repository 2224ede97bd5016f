import { createHmac } from 'node:crypto';

/** One entry of RTCConfiguration.iceServers, as the browser takes it. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/**
 * Time-limited TURN credentials (the "TURN REST API" scheme coturn checks with `use-auth-secret`):
 * username `<unix expiry>:<userId>`, credential base64(HMAC-SHA1(secret, username)).
 */
export function turnCredentials(
  secret: string,
  userId: string,
  ttlSeconds: number,
  nowMs: number = Date.now(),
): { username: string; credential: string; expiresAt: number } {
  const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiresAt}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt };
}

/** The ICE servers a client gets: STUN URLs as they are, TURN URLs with credentials for this user. */
export function iceServersFor(
  turn: { urls: string[]; secret?: string; ttlSeconds: number },
  userId: string,
  nowMs: number = Date.now(),
): IceServer[] {
  const stun = turn.urls.filter((u) => u.startsWith('stun'));
  const relay = turn.urls.filter((u) => u.startsWith('turn'));
  const servers: IceServer[] = [];
  if (stun.length) servers.push({ urls: stun });
  if (relay.length && turn.secret) {
    const { username, credential } = turnCredentials(turn.secret, userId, turn.ttlSeconds, nowMs);
    servers.push({ urls: relay, username, credential });
  }
  return servers;
}
