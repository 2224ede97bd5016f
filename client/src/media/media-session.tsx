import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { LocalMedia, LocalSource } from './local-media';
import type { RoomConnection } from './room-connection';

export interface MediaSession {
  local: LocalMedia;
  room: RoomConnection | null;
}

const MediaSessionContext = createContext<MediaSession | null>(null);

export function MediaSessionProvider({ value, children }: { value: MediaSession; children: ReactNode }) {
  return <MediaSessionContext.Provider value={value}>{children}</MediaSessionContext.Provider>;
}

export function useMediaSession(): MediaSession {
  const ctx = useContext(MediaSessionContext);
  if (!ctx) throw new Error('useMediaSession must be used inside <MediaSessionProvider>');
  return ctx;
}

/** The key of a local track for `useMediaElement`. */
export function localTrackKey(source: LocalSource): string {
  return `local:${source}`;
}

function resolveTrack(session: MediaSession, key: string): MediaStreamTrack | null {
  if (key.startsWith('local:')) return session.local.track(key.slice(6) as LocalSource);
  return session.room?.track(key) ?? null;
}

/**
 * Attaches the track with this key (a consumer id, or `local:<source>`) to a <video>/<audio> element and keeps it
 * attached as tracks come and go. Returns the ref callback for the element.
 */
export function useMediaElement<T extends HTMLMediaElement>(key: string | null): (element: T | null) => void {
  const session = useMediaSession();
  const [element, setElement] = useState<T | null>(null);

  useEffect(() => {
    if (!element) return;
    const attach = () => {
      const track = key ? resolveTrack(session, key) : null;
      const current = element.srcObject instanceof MediaStream ? element.srcObject.getTracks()[0] : undefined;
      if ((current ?? null) === track) return;
      element.srcObject = track ? new MediaStream([track]) : null;
      if (track) void element.play?.()?.catch(() => undefined);
    };
    attach();
    const offLocal = session.local.on('change', attach);
    const offRoom = session.room?.on('tracks', attach);
    return () => {
      offLocal();
      offRoom?.();
      element.srcObject = null;
    };
  }, [element, key, session]);

  return useCallback((el: T | null) => setElement(el), []);
}
