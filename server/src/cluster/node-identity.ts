import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AppConfig } from '../config/config';
import type { MediaConfig } from '../media/media.config';
import type { NodeIdentity } from './cluster.types';

/** This process in the cluster: NODE_ID (else host name and a random suffix), NODE_URL, the SFU's address. */
export function nodeIdentity(
  config: Pick<AppConfig, 'NODE_ID' | 'NODE_URL' | 'PORT'>,
  media: Pick<MediaConfig, 'announcedAddress' | 'rtcPortBase'>,
): NodeIdentity {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9.-]/g, '-')
      .slice(0, 48) || 'node';
  return {
    id: config.NODE_ID ?? `${host}-${randomBytes(3).toString('hex')}`,
    url: config.NODE_URL ?? `http://${host}:${config.PORT}`,
    media: { address: media.announcedAddress, portBase: media.rtcPortBase },
  };
}

/** A Redis URL fit for a log line (no password). */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'REDIS_URL';
  }
}
