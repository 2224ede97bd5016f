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
 * Test hooks are on in development, in builds made with `VITE_BM_TEST_HOOKS=1`, and when the page's
 * localStorage has `branchmeet.testHooks=1` (set by a browser test before it opens the page).
 */
export function testHooksEnabled(): boolean {
  if (import.meta.env.DEV || import.meta.env.VITE_BM_TEST_HOOKS === '1') return true;
  try {
    return window.localStorage.getItem('branchmeet.testHooks') === '1';
  } catch {
    return false;
  }
}

/** Exposes `window.__bmRoom` for this room; returns the function that removes it. */
export function exposeRoomForTests(room: RoomConnection): () => void {
  if (!testHooksEnabled()) return () => undefined;
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
 * With test hooks on, `localStorage['branchmeet.iceTransportPolicy'] = 'relay'` makes this page's transports use
 * TURN relays only (the TURN browser tests); anything else leaves the browser's default ('all').
 */
export function testIceTransportPolicy(): RTCIceTransportPolicy | undefined {
  if (!testHooksEnabled()) return undefined;
  try {
    return window.localStorage.getItem('branchmeet.iceTransportPolicy') === 'relay' ? 'relay' : undefined;
  } catch {
    return undefined;
  }
}
