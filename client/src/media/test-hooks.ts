import type { ConsumerStats, RoomConnection, SignalTrace } from './room-connection';

/** The read-only view of the room that browser tests poll from Node (`window.__bmRoom`). */
export interface RoomTestHandle {
  readonly peerId: string | null;
  consumerIds(): string[];
  stats(): Promise<ConsumerStats[]>;
  /** Signalling requests since the socket last connected (performance.now() times): the join benchmark's clock. */
  signalTrace(): SignalTrace;
}

declare global {
  interface Window {
    __bmRoom?: RoomTestHandle;
  }
}

/**
 * Whether this build has test hooks: development, and builds made with `VITE_BM_TEST_HOOKS=1` (the browser tests'
 * build, `vite build --mode e2e`). Decided when the client is built: a production build has none, and nothing a
 * page or a person does switches them on.
 */
export const TEST_HOOKS: boolean = import.meta.env.DEV || import.meta.env.VITE_BM_TEST_HOOKS === '1';

export function testHooksEnabled(): boolean {
  return TEST_HOOKS;
}

/** Exposes `window.__bmRoom` for this room; returns the function that removes it. */
export function exposeRoomForTests(room: RoomConnection): () => void {
  if (!TEST_HOOKS) return () => undefined;
  const handle: RoomTestHandle = Object.freeze({
    get peerId() {
      return room.peerId;
    },
    consumerIds: () => room.consumerIds(),
    stats: () => room.stats(),
    signalTrace: () => room.signalTrace(),
  });
  Object.defineProperty(window, '__bmRoom', {
    value: handle,
    configurable: true,
    enumerable: false,
    writable: false,
  });
  return () => {
    if (window.__bmRoom === handle) delete window.__bmRoom;
  };
}

/**
 * In a build with test hooks, `localStorage['branchmeet.iceTransportPolicy'] = 'relay'` makes this page's
 * transports use TURN relays only (the TURN browser tests); anything else leaves the browser's default ('all').
 */
export function testIceTransportPolicy(): RTCIceTransportPolicy | undefined {
  if (!TEST_HOOKS) return undefined;
  try {
    return window.localStorage.getItem('branchmeet.iceTransportPolicy') === 'relay' ? 'relay' : undefined;
  } catch {
    return undefined;
  }
}
