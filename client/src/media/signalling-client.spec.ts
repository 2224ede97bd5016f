import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkedListener, nodeSocketTarget, SignallingClient, type SocketFactory } from './signalling-client';
import type { RtcSocket } from './signalling';

type Listener = (...args: unknown[]) => void;

/** A socket.io client stand-in: `connect()` succeeds unless the test refuses it; events are fired by hand. */
function fakeSocket() {
  const listeners = new Map<string, Set<Listener>>();
  const fire = (event: string, ...args: unknown[]) =>
    [...(listeners.get(event) ?? [])].forEach((l) => l(...args));
  let refuse: (Error & { data?: unknown }) | null = null;
  const socket = {
    connected: false,
    active: false,
    connects: 0,
    disconnects: 0,
    on(event: string, l: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)?.add(l);
      return socket;
    },
    off(event: string, l: Listener) {
      listeners.get(event)?.delete(l);
      return socket;
    },
    listenerCount: (event: string) => listeners.get(event)?.size ?? 0,
    connect() {
      socket.connects += 1;
      socket.active = true;
      const refusal = refuse;
      queueMicrotask(() => {
        if (refusal) {
          socket.active = false; // a refusal by the server is final for socket.io
          fire('connect_error', refusal);
        } else {
          socket.connected = true;
          fire('connect');
        }
      });
    },
    disconnect() {
      socket.disconnects += 1;
      socket.active = false;
      if (!socket.connected) return;
      socket.connected = false;
      fire('disconnect', 'io client disconnect');
    },
    refuseWith(err: (Error & { data?: unknown }) | null) {
      refuse = err;
    },
    /** The server closes the socket. */
    serverClose() {
      socket.connected = false;
      socket.active = false;
      fire('disconnect', 'io server disconnect');
    },
    fire,
  };
  return socket;
}

const unauthenticated = () =>
  Object.assign(new Error('token expired'), { data: { code: 'unauthenticated', message: 'token expired' } });

afterEach(() => {
  vi.useRealTimers();
});

describe('SignallingClient', () => {
  it('shares one socket between subscribers and opens it once', async () => {
    const socket = fakeSocket();
    const factory = vi.fn<SocketFactory>(() => socket as unknown as RtcSocket);
    const client = new SignallingClient({ token: () => 't', socketFactory: factory });
    const room = { connected: vi.fn() };
    const minutes = { connected: vi.fn() };

    const a = client.subscribe(room);
    const b = client.subscribe(minutes);
    await vi.waitFor(() => expect(room.connected).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(minutes.connected).toHaveBeenCalledTimes(1));

    expect(factory).toHaveBeenCalledTimes(1);
    expect(socket.connects).toBe(1);
    expect(a.socket).toBe(b.socket);
    expect(client.subscriberCount).toBe(2);
  });

  it('tells a late subscriber at once that the socket is connected, and closes after the last one leaves', async () => {
    const socket = fakeSocket();
    const client = new SignallingClient({
      token: () => 't',
      socketFactory: () => socket as unknown as RtcSocket,
    });
    const first = client.subscribe({});
    await vi.waitFor(() => expect(socket.connected).toBe(true));
    const late = { connected: vi.fn() };
    const second = client.subscribe(late);
    await vi.waitFor(() => expect(late.connected).toHaveBeenCalledTimes(1));
    expect(socket.connects).toBe(1);

    first.release();
    expect(socket.connected).toBe(true); // someone still listens
    second.release();
    expect(socket.connected).toBe(false);
    expect(socket.disconnects).toBe(1);
  });

  it('removes only the released subscriber’s listeners', async () => {
    const socket = fakeSocket();
    const client = new SignallingClient({
      token: () => 't',
      socketFactory: () => socket as unknown as RtcSocket,
    });
    const heardByA = vi.fn();
    const heardByB = vi.fn();
    const a = client.subscribe({});
    const b = client.subscribe({});
    a.on('notification.created', heardByA);
    b.on('notification.created', heardByB);

    a.release();
    socket.fire('notification.created', { id: 'n1' });

    expect(heardByA).not.toHaveBeenCalled();
    expect(heardByB).toHaveBeenCalledWith({ id: 'n1' });
    expect(socket.listenerCount('notification.created')).toBe(1);
  });

  it('sends the token, protocol and language in the handshake, read on every connect', async () => {
    const socket = fakeSocket();
    let token = 'access-1';
    let auth: () => Record<string, unknown> = () => ({});
    const client = new SignallingClient({
      token: () => token,
      language: () => 'en-US',
      socketFactory: (a) => {
        auth = a;
        return socket as unknown as RtcSocket;
      },
    });
    client.subscribe({});
    expect(auth()).toMatchObject({ token: 'access-1', lang: 'en', protocol: expect.any(Number) });
    token = 'access-2';
    expect(auth()).toMatchObject({ token: 'access-2' });
  });

  it('refreshes the token after an unauthenticated refusal and connects again after a backoff', async () => {
    const socket = fakeSocket();
    socket.refuseWith(unauthenticated());
    const refreshAuth = vi.fn(async () => {
      socket.refuseWith(null); // the new token is accepted
      return true;
    });
    const client = new SignallingClient({
      token: () => 't',
      refreshAuth,
      socketFactory: () => socket as unknown as RtcSocket,
      reconnectDelaysMs: [10],
    });
    const subscriber = { connected: vi.fn(), failed: vi.fn() };
    client.subscribe(subscriber);

    await vi.waitFor(() => expect(subscriber.connected).toHaveBeenCalledTimes(1));
    expect(refreshAuth).toHaveBeenCalledTimes(1);
    expect(socket.connects).toBe(2);
    expect(subscriber.failed).not.toHaveBeenCalled();
  });

  it('fails every subscriber when the session is gone, and after three refreshes that did not help', async () => {
    const gone = fakeSocket();
    gone.refuseWith(unauthenticated());
    const noSession = new SignallingClient({
      token: () => 't',
      refreshAuth: async () => false,
      socketFactory: () => gone as unknown as RtcSocket,
    });
    const a = { failed: vi.fn() };
    const b = { failed: vi.fn() };
    noSession.subscribe(a);
    noSession.subscribe(b);
    await vi.waitFor(() => expect(b.failed).toHaveBeenCalledTimes(1));
    expect(a.failed).toHaveBeenCalledWith({ code: 'unauthenticated', message: 'token expired' });

    const stale = fakeSocket();
    stale.refuseWith(unauthenticated());
    const refreshAuth = vi.fn(async () => true); // a refresh that never helps
    const looping = new SignallingClient({
      token: () => 't',
      refreshAuth,
      socketFactory: () => stale as unknown as RtcSocket,
      reconnectDelaysMs: [1],
    });
    const c = { failed: vi.fn() };
    looping.subscribe(c);
    await vi.waitFor(() => expect(c.failed).toHaveBeenCalledTimes(1));
    expect(refreshAuth).toHaveBeenCalledTimes(3);
    expect(stale.connects).toBe(4);
  });

  it('fails at once on a refusal that a refresh cannot fix (another protocol)', async () => {
    const socket = fakeSocket();
    socket.refuseWith(Object.assign(new Error('protocol mismatch'), { data: { code: 'protocol_mismatch' } }));
    const refreshAuth = vi.fn(async () => true);
    const client = new SignallingClient({
      token: () => 't',
      refreshAuth,
      socketFactory: () => socket as unknown as RtcSocket,
    });
    const s = { failed: vi.fn() };
    client.subscribe(s);
    await vi.waitFor(() => expect(s.failed).toHaveBeenCalled());
    expect(s.failed.mock.calls[0][0]).toMatchObject({ code: 'protocol_mismatch' });
    expect(refreshAuth).not.toHaveBeenCalled();
  });

  it('reconnects after a backoff when the server closes the socket, and starts short again once connected', async () => {
    vi.useFakeTimers();
    const socket = fakeSocket();
    const client = new SignallingClient({
      token: () => 't',
      socketFactory: () => socket as unknown as RtcSocket,
      reconnectDelaysMs: [100, 200, 400],
    });
    const s = { connected: vi.fn(), disconnected: vi.fn() };
    client.subscribe(s);
    await vi.advanceTimersByTimeAsync(0);
    expect(s.connected).toHaveBeenCalledTimes(1);

    socket.serverClose();
    expect(s.disconnected).toHaveBeenCalledWith('io server disconnect');
    await vi.advanceTimersByTimeAsync(99);
    expect(socket.connects).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.connects).toBe(2);
    expect(s.connected).toHaveBeenCalledTimes(2);

    // connected again: the next close waits the shortest delay again
    socket.serverClose();
    await vi.advanceTimersByTimeAsync(100);
    expect(socket.connects).toBe(3);
  });

  it('does not reconnect a socket nobody listens to', async () => {
    vi.useFakeTimers();
    const socket = fakeSocket();
    const client = new SignallingClient({
      token: () => 't',
      socketFactory: () => socket as unknown as RtcSocket,
      reconnectDelaysMs: [100],
    });
    const sub = client.subscribe({});
    await vi.advanceTimersByTimeAsync(0);
    socket.serverClose();
    sub.release();
    await vi.advanceTimersByTimeAsync(1000);
    expect(socket.connects).toBe(1);
  });
});

describe('checkedListener', () => {
  it('reports a server event off the wire contract and still hands it on (dev and test builds)', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const got: unknown[] = [];
    const listener = checkedListener('hand.changed', (p) => got.push(p), true);

    listener({ peerId: 'p1', raised: true });
    expect(error).not.toHaveBeenCalled();
    listener({ peerId: 'p1' });
    expect(error).toHaveBeenCalledWith(expect.stringContaining('hand.changed'), [
      expect.objectContaining({ path: ['raised'] }),
    ]);
    expect(got).toEqual([{ peerId: 'p1', raised: true }, { peerId: 'p1' }]);
  });

  it('is the listener itself when unchecked (production builds)', () => {
    const listener = () => undefined;
    expect(checkedListener('hand.changed', listener, false)).toBe(listener);
  });
});

describe('nodeSocketTarget', () => {
  it("puts socket.io under the path of a node's URL behind a proxy, the namespace at its origin", () => {
    expect(nodeSocketTarget('https://meet.example.org/node/node-2')).toEqual({
      uri: 'https://meet.example.org/rtc',
      path: '/node/node-2/socket.io',
    });
    expect(nodeSocketTarget('https://meet.example.org/node/node-2/')).toEqual({
      uri: 'https://meet.example.org/rtc',
      path: '/node/node-2/socket.io',
    });
  });

  it('keeps socket.io at its usual path for a node of its own origin', () => {
    expect(nodeSocketTarget('http://10.0.0.2:3000')).toEqual({
      uri: 'http://10.0.0.2:3000/rtc',
      path: '/socket.io',
    });
  });
});
