import {
  guardFloods,
  refuseTokenWhileCoolingDown,
  refuseWhileCoolingDown,
  RTC_FLOOD_COOLDOWN_MS,
} from './flood-guard';
import { RateLimited, RTC_FLOOD_DISCONNECT, RTC_LIMITS, RTC_USER_SHARE, takeToken } from './rtc-limits';

type Middleware = (packet: [string, ...unknown[]], next: (err?: Error) => void) => void;

/** A stand-in for a socket.io socket: its middleware, and whether its connection was closed. */
function fakeSocket(id: string) {
  const s = { id, closed: false, mw: null as Middleware | null };
  return Object.assign(s, {
    use: (fn: Middleware) => (s.mw = fn),
    conn: { close: () => (s.closed = true) },
  });
}

describe('rate limits per socket and per person', () => {
  it('gives one person twice one socket’s budget, however many sockets they open', () => {
    const user = `u-${Math.random()}`;
    const sockets = [{}, {}, {}, {}];
    let ok = 0;
    const now = Date.now();
    for (const s of sockets)
      for (let i = 0; i < 30; i++)
        try {
          takeToken(s, 'chat.send', user, now);
          ok++;
        } catch (e) {
          expect(e).toBeInstanceOf(RateLimited);
        }
    expect(ok).toBe(RTC_LIMITS.say.burst * RTC_USER_SHARE);
    // Another class has its own budget.
    expect(() => takeToken(sockets[0], 'minutes.open', user, now)).not.toThrow();
  });

  it('refuses at the packet with a rate_limited ack, cuts a flooding socket off and shuts its person out', () => {
    const user = `u-${Math.random()}`;
    const socket = fakeSocket('s1');
    guardFloods(socket, user, () => 'en');
    const passed: string[] = [];
    const acks: unknown[] = [];
    for (let i = 0; i < RTC_LIMITS.say.burst + RTC_FLOOD_DISCONNECT + 5; i++)
      socket.mw!(['chat.send', { text: 'x' }, (a: unknown) => acks.push(a)], () => passed.push('chat.send'));
    expect(passed).toHaveLength(RTC_LIMITS.say.burst);
    // Refused until the cut-off; what comes after it is dropped without an answer.
    expect(acks).toHaveLength(RTC_FLOOD_DISCONNECT);
    expect(acks[0]).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(socket.closed).toBe(true);
    expect(() => refuseWhileCoolingDown(user)).toThrow(RateLimited);
    const token = (sub: string) => `h.${Buffer.from(JSON.stringify({ sub })).toString('base64url')}.sig`;
    expect(() => refuseTokenWhileCoolingDown(token(user))).toThrow(RateLimited);
    expect(() => refuseTokenWhileCoolingDown(token('someone-else'))).not.toThrow();
    expect(() => refuseTokenWhileCoolingDown('not a jwt')).not.toThrow();
    expect(() => refuseWhileCoolingDown(user, Date.now() + RTC_FLOOD_COOLDOWN_MS + 1)).not.toThrow();
  });
});
