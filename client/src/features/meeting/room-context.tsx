import { createContext, useContext, useEffect, useReducer, useRef, useState, type Dispatch } from 'react';
import { api } from '../../api/client';
import { sessionSignalling } from '../../api/session-signalling';
import { currentLanguage } from '../../i18n';
import { exposeRoomForTests, RoomConnection, type LocalMedia, type SignallingClient } from '../../media';
import {
  initialRoomState,
  roomReducer,
  type LocalFlags,
  type RoomAction,
  type RoomViewState,
} from './room-store';

export interface RoomContextValue {
  state: RoomViewState;
  dispatch: Dispatch<RoomAction>;
  /** The media layer's connection; null before it is created. UI actions call it. */
  room: RoomConnection | null;
}

export const RoomContext = createContext<RoomContextValue | null>(null);

export function useRoom(): RoomContextValue {
  const ctx = useContext(RoomContext);
  if (!ctx) throw new Error('useRoom must be used inside a room');
  return ctx;
}

/**
 * Where the room's socket gets its token: the signed-in session (whose one socket the room shares), or a guest's
 * token for one meeting (a socket of the room's own).
 */
export interface RoomAuth {
  token: () => string | null;
  refreshAuth: () => Promise<boolean>;
  signalling?: () => SignallingClient;
}
const sessionAuth: RoomAuth = {
  token: () => api.accessToken(),
  refreshAuth: () => api.refreshSession(),
  signalling: sessionSignalling,
};

export type RoomConnectionFactory = (
  options: ConstructorParameters<typeof RoomConnection>[0],
) => RoomConnection;

/**
 * Creates the connection for one meeting, connects, and keeps the view state in step with its events. The
 * connection leaves the room when the component unmounts (or `attempt` changes, to join again).
 */
export function useRoomConnection(
  meetingId: string,
  local: LocalMedia,
  publish: Pick<LocalFlags, 'mic' | 'camera'>,
  attempt = 0,
  factory: RoomConnectionFactory = (o) => new RoomConnection(o),
  auth: RoomAuth = sessionAuth,
): RoomContextValue {
  const [state, dispatch] = useReducer(roomReducer, publish, (p) => initialRoomState(p));
  const [room, setRoom] = useState<RoomConnection | null>(null);
  const publishRef = useRef(publish);
  const factoryRef = useRef(factory);
  const authRef = useRef(auth);

  useEffect(() => {
    const connection = factoryRef.current({
      meetingId,
      local,
      token: () => authRef.current.token(),
      refreshAuth: () => authRef.current.refreshAuth(),
      signalling: authRef.current.signalling?.(),
      language: currentLanguage,
      publish: publishRef.current,
    });
    const off = connection.on('event', dispatch);
    const unexpose = exposeRoomForTests(connection);
    setRoom(connection);
    dispatch({ type: 'connection', state: 'connecting' });
    connection.connect();
    return () => {
      off();
      unexpose();
      void connection.leave().finally(() => connection.dispose());
    };
  }, [meetingId, local, attempt]);

  return { state, dispatch, room };
}
