import { useEffect, useRef } from 'react';
import { DownlinkWatch, QualityTracker, StaleAudioWatch, type QualitySnapshot } from '../../media';
import { useRoom } from './room-context';
import type { RoomViewState } from './room-store';

const POLL_MS = 1000;

/**
 * The consumers whose media should be arriving now: a producer not paused (muted, camera off), and for video not
 * held back (audio only by hand, or paused by the server for a weak downlink). Video counts only for a peer whose
 * microphone is off: a live microphone already tells whether that peer's media arrives.
 */
export function expectedConsumers(state: RoomViewState): Set<string> {
  const out = new Set<string>();
  const liveMic = new Set<string>();
  const producerLive = (peerId: string, producerId: string) => {
    const p = state.peers[peerId]?.producers[producerId];
    return !!p && !p.paused;
  };
  for (const c of Object.values(state.consumers))
    if (c.kind === 'audio' && producerLive(c.peerId, c.producerId)) {
      out.add(c.consumerId);
      liveMic.add(c.peerId);
    }
  if (state.audioOnly || state.videoPausedForNetwork) return out;
  for (const c of Object.values(state.consumers))
    if (c.kind === 'video' && !liveMic.has(c.peerId) && producerLive(c.peerId, c.producerId))
      out.add(c.consumerId);
  return out;
}

const same = (a: QualitySnapshot, b: QualitySnapshot) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Polls the room's receive statistics once a second while joined and keeps `state.quality` up to date; when the
 * remote audio arrives broken (or clean again after that) the server is told, so video gives way at once; remote
 * audio still played late after a congested spell gets a fresh receiver.
 */
export function useConnectionQuality(): void {
  const { state, dispatch, room } = useRoom();
  const stateRef = useRef(state);
  stateRef.current = state;
  const joined = state.connection === 'joined';

  useEffect(() => {
    if (!room || !joined) return;
    const tracker = new QualityTracker();
    const watch = new DownlinkWatch();
    const stale = new StaleAudioWatch();
    let stopped = false;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void Promise.all([room.stats(), room.linkStats()])
        .then(([consumers, link]) => {
          if (stopped) return;
          const now = Date.now();
          const expected = expectedConsumers(stateRef.current);
          const quality = tracker.update(now, consumers, link, expected);
          if (!same(quality, stateRef.current.quality)) dispatch({ type: 'ui.quality', quality });
          const congested = watch.update(now, consumers, expected);
          if (congested !== null) room.reportDownlink(congested);
          // Audio in time again but still played seconds late (a grown jitter buffer): a fresh receiver.
          for (const consumerId of stale.update(now, consumers, link)) room.renewAudio(consumerId);
        })
        .catch(() => undefined)
        .finally(() => (busy = false));
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
      dispatch({ type: 'ui.quality', quality: { self: 'good', peers: {} } });
    };
  }, [room, joined, dispatch]);
}
