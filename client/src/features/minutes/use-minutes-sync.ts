import { useEffect, useState, useSyncExternalStore } from 'react';
import { sessionSignalling } from '../../api/session-signalling';
import { MinutesSync, type MinutesSyncState } from './minutes-sync';

const idle = (): MinutesSyncState => ({
  connected: false,
  synced: false,
  status: null,
  writer: false,
  host: false,
  voter: false,
  votes: [],
  myVotes: {},
  error: null,
});
const IDLE = idle();

/** The live minutes of a meeting while the component is mounted (over the app's one /rtc socket). */
export function useMinutesSync(meetingId: string): { sync: MinutesSync | null; state: MinutesSyncState } {
  const [sync, setSync] = useState<MinutesSync | null>(null);
  useEffect(() => {
    const s = new MinutesSync({ meetingId, signalling: sessionSignalling() });
    setSync(s);
    s.connect();
    return () => {
      s.dispose();
      setSync(null);
    };
  }, [meetingId]);
  const state = useSyncExternalStore(
    (cb) => sync?.subscribe(cb) ?? (() => undefined),
    () => sync?.state ?? IDLE,
  );
  return { sync, state };
}
