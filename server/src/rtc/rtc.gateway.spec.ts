import { randomUUID } from 'node:crypto';
import { ErrorCodes, rtcRequestNames, rtcRequests, type Ack } from '@branchmeet/shared';
import type { SessionsService } from '../auth/sessions.service';
import type { MinutesLiveService } from '../minutes/minutes-live.service';
import { rtcUnits } from '../test-support/rtc-fakes';
import { RtcGateway } from './rtc.gateway';

type Listener = (...args: unknown[]) => void;

/** A connected `/rtc` socket as the gateway sees it; `send` plays a client's emit and resolves with the ack. */
function fakeSocket(id: string, userId: string) {
  const listeners = new Map<string, Listener>();
  const socket = {
    id,
    data: { user: { id: userId, isAdmin: false }, locale: 'en' as const },
    on: (event: string, l: Listener) => listeners.set(event, l),
    once: () => undefined,
    use: () => undefined,
    conn: { on: () => undefined },
  };
  const send = (event: string, ...args: unknown[]) =>
    new Promise<Ack<unknown>>((resolve) => {
      const listener = listeners.get(event);
      if (!listener) throw new Error(`nothing listens for ${event}`);
      listener(...args, resolve);
    });
  return { socket, listeners, send };
}

describe('RtcGateway and the wire contract', () => {
  let u: ReturnType<typeof rtcUnits>;
  let gateway: RtcGateway;
  afterEach(() => u.teardown());

  beforeEach(() => {
    u = rtcUnits();
    gateway = new RtcGateway(
      u.registry,
      u.seating,
      u.relay,
      u.host,
      u.lobby,
      u.chat,
      u.lecture,
      u.qa,
      { disconnected: () => undefined } as unknown as MinutesLiveService,
      u.hub,
      {} as SessionsService,
      u.audience,
    );
  });

  const connect = (id: string, userId: string) => {
    const s = fakeSocket(id, userId);
    gateway.handleConnection(s.socket as never);
    return s;
  };

  it('serves every request of the contract, and only those', () => {
    const { listeners } = connect('s1', 'u1');
    expect([...listeners.keys()].sort()).toEqual([...rtcRequestNames].sort());
    expect(Object.keys(rtcRequests).sort()).toEqual([...rtcRequestNames].sort());
  });

  it.each(rtcRequestNames)('%s: a payload off its schema gets the validation error ack', async (event) => {
    const { send } = connect('s1', 'u1');
    const ack = await send(event, 42);
    expect(ack).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: ErrorCodes.validation,
        issues: [expect.objectContaining({ path: '' })],
      }),
    });
  });

  it('hands a valid request to its room unit and answers with its result', async () => {
    const meetingId = randomUUID();
    u.meetings.add({ id: meetingId, hostId: 'host' });
    const { send } = connect('s1', 'host');
    const joined = await send('room.join', { meetingId });
    expect(joined).toMatchObject({ ok: true, data: { status: 'joined', room: { meetingId } } });
    // A request without a payload (only the acknowledgement) is an empty one.
    await expect(send('hand.raise')).resolves.toEqual({ ok: true, data: null });
    expect(u.eventsTo(`meeting:${meetingId}`)).toContain('hand.changed');
  });

  it('names the field that failed, and refuses what the room unit refuses with its own error', async () => {
    const { send } = connect('s1', 'u1');
    const bad = await send('chat.send', { text: '' });
    expect(bad).toMatchObject({ ok: false, error: { code: ErrorCodes.validation } });
    expect(!bad.ok && bad.error.issues?.map((i) => i.path)).toEqual(['text']);
    // Valid, but the caller has no seat: the unit's error, not the schema's.
    await expect(send('chat.send', { text: 'hello' })).resolves.toMatchObject({
      ok: false,
      error: { code: expect.not.stringMatching(ErrorCodes.validation) },
    });
  });
});
