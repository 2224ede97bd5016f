import type { SignallingClient, SignallingSubscription } from './signalling-client';

const noop = () => undefined;
const departures = new WeakMap<SignallingClient, Promise<void>>();

/**
 * Resolves once every room that left this socket is gone on the server too. The server seats one room per socket,
 * and the socket outlives its rooms: a room joining again on it (a remount, "join again") waits for this.
 */
export function departed(signalling: SignallingClient): Promise<void> {
  return departures.get(signalling) ?? Promise.resolve();
}

/**
 * A room leaves the shared socket: `room.leave` now and, if a `room.join` is still on its way, again once it is
 * answered (the server seated it, or put it in the lobby, meanwhile). Resolves with the first leave; the socket's
 * next room waits for both (`departed`).
 */
export function depart(
  signalling: SignallingClient,
  link: SignallingSubscription | null,
  joining: Promise<unknown> | null,
): Promise<void> {
  const leave = () =>
    link?.connected ? link.request('room.leave', {}, 1500).then(noop, noop) : Promise.resolve();
  const first = leave();
  const gone = first.then(async () => {
    if (
      joining &&
      (await joining.then(
        () => true,
        () => false,
      ))
    )
      await leave();
  });
  const before = departures.get(signalling);
  departures.set(signalling, before ? Promise.all([before, gone]).then(noop) : gone);
  return first;
}
