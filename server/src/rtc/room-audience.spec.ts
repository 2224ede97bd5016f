import type { RoomJoined } from '@branchmeet/shared';
import { caller, rtcUnits } from '../test-support/rtc-fakes';
import { AUDIENCE_COUNT_INTERVAL_MS } from './room-audience';

type Joined = Extract<RoomJoined, { status: 'joined' }>;

describe('RoomAudience: a lecture announces its stage and counts its listeners', () => {
  let u: ReturnType<typeof rtcUnits>;
  beforeEach(() => {
    jest.useFakeTimers();
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host', type: 'lecture', lecturerId: 'lec' });
  });
  afterEach(() => {
    u.teardown();
    jest.useRealTimers();
  });

  async function joined(socketId: string, userId: string): Promise<Joined> {
    const r = await u.seating.join(caller(socketId, userId), { meetingId: 'm1' });
    if (r.status !== 'joined') throw new Error(`expected joined, got ${r.status}`);
    return r;
  }
  const sent = (event: string) => u.wire.sent.filter((s) => s.event === event);
  const counts = () => sent('lecture.audience').map((s) => (s.payload as { listeners: number }).listeners);
  /** What went to one listener's socket or to the whole room (what it receives), from `from` on. */
  const atListener = (socketId: string, from: number) =>
    u.wire.sent
      .slice(from)
      .filter((s) => (s.to === socketId || s.to === 'meeting:m1') && s.except !== socketId);

  it('60 listeners joining: no peer.joined for any of them, the count coalesced, each answer the stage and the count', async () => {
    const host = await joined('s-host', 'host');
    const lecturer = await joined('s-lec', 'lec');
    expect(lecturer.peers.map((p) => p.peerId)).toEqual([host.self.peerId]);
    expect(sent('peer.joined').map((s) => (s.payload as { peerId: string }).peerId)).toEqual([
      host.self.peerId,
      lecturer.self.peerId,
    ]);
    const before = u.wire.sent.length;
    const answers: Joined[] = [];
    for (let i = 0; i < 60; i++) answers.push(await joined(`s${i}`, `u${i}`));

    expect(sent('peer.joined')).toHaveLength(2); // the two presenters only
    for (const [i, a] of answers.entries()) {
      expect(a.peers.map((p) => p.peerId).sort()).toEqual([host.self.peerId, lecturer.self.peerId].sort());
      expect(a.audience).toEqual({ listeners: i + 1 });
    }
    // Within one interval, at most one count went out; the final one follows when it is over.
    const during = u.wire.sent.slice(before);
    expect(during.filter((s) => s.event === 'lecture.audience').length).toBeLessThanOrEqual(1);
    jest.advanceTimersByTime(AUDIENCE_COUNT_INTERVAL_MS);
    expect(counts().at(-1)).toBe(60);
    expect(counts().length).toBeLessThanOrEqual(3); // 0 (the presenters'), maybe 1, then 60
    // What the first listener received about others since it joined: count updates only.
    const first = atListener('s0', before);
    expect(new Set(first.map((s) => s.event))).toEqual(new Set(['lecture.audience']));
    // Nothing changes: nothing more is sent.
    const total = u.wire.sent.length;
    jest.advanceTimersByTime(10 * AUDIENCE_COUNT_INTERVAL_MS);
    expect(u.wire.sent.length).toBe(total);
  });

  it('a listener leaves unannounced (the count follows); one that was on stage leaves with peer.left', async () => {
    await joined('s-lec', 'lec');
    const a = await joined('s-a', 'a');
    const b = await joined('s-b', 'b');
    await u.lecture.giveFloor(caller('s-lec', 'lec'), b.self.peerId);
    // On stage for the first time: announced to everyone but itself, before the new roles.
    const announced = u.wire.sent.findIndex(
      (s) => s.event === 'peer.joined' && (s.payload as { peerId: string }).peerId === b.self.peerId,
    );
    expect(u.wire.sent[announced]).toMatchObject({ to: 'meeting:m1', except: 's-b' });
    expect(u.wire.sent.findIndex((s) => s.event === 'lecture.changed')).toBeGreaterThan(announced);
    await u.lecture.takeFloor(caller('s-lec', 'lec'), b.self.peerId);

    jest.advanceTimersByTime(AUDIENCE_COUNT_INTERVAL_MS);
    await u.seating.leave(caller('s-a', 'a'));
    await u.seating.leave(caller('s-b', 'b'));
    const left = sent('peer.left').map((s) => (s.payload as { peerId: string }).peerId);
    expect(left).toEqual([b.self.peerId]); // b was on stage once; a never was
    expect(left).not.toContain(a.self.peerId);
    jest.advanceTimersByTime(AUDIENCE_COUNT_INTERVAL_MS);
    expect(counts().at(-1)).toBe(0);
  });

  it('a listener’s hand reaches the presenters and itself only; a presenter’s everyone', async () => {
    await joined('s-host', 'host');
    await joined('s-lec', 'lec');
    await joined('s-a', 'a');
    await joined('s-b', 'b');
    u.wire.sent.length = 0;
    u.chat.hand(caller('s-a', 'a'), true);
    expect(
      sent('hand.changed')
        .map((s) => s.to)
        .sort(),
    ).toEqual(['s-a', 's-host', 's-lec']);
    u.wire.sent.length = 0;
    u.chat.hand(caller('s-host', 'host'), true);
    expect(sent('hand.changed').map((s) => s.to)).toEqual(['meeting:m1']);
  });

  it('the presenters page through the listeners: raised hands first, search, paging; a listener may not', async () => {
    await joined('s-lec', 'lec');
    for (let i = 0; i < 12; i++) await joined(`s${i}`, `u${i}`);
    u.chat.hand(caller('s7', 'u7'), true);
    const lec = caller('s-lec', 'lec');
    const first = u.audience.page(lec, { offset: 0, limit: 5 });
    expect(first.total).toBe(12);
    expect(first.listeners.map((p) => p.userId)).toEqual(['u7', 'u0', 'u1', 'u2', 'u3']);
    expect(first.listeners[0].handRaised).toBe(true);
    const last = u.audience.page(lec, { offset: 10, limit: 5 });
    expect(last.listeners.map((p) => p.userId)).toEqual(['u10', 'u11']);
    const found = u.audience.page(lec, { offset: 0, limit: 50, search: 'OF-U1' });
    expect(found.listeners.map((p) => p.userId)).toEqual(['u1', 'u10', 'u11']);
    expect(found.total).toBe(3);
    expect(() => u.audience.page(caller('s0', 'u0'), { offset: 0, limit: 5 })).toThrow(
      expect.objectContaining({ messageKey: 'lecture.presentersOnly' }),
    );
  });

  it('an ordinary meeting announces everyone and sends no count', async () => {
    u.meetings.add({ id: 'm2', hostId: 'host' });
    await u.seating.join(caller('s-host', 'host'), { meetingId: 'm2' });
    const r = await u.seating.join(caller('s-a', 'a'), { meetingId: 'm2' });
    if (r.status !== 'joined') throw new Error('not joined');
    expect(r.peers).toHaveLength(1);
    expect(r.audience).toBeUndefined();
    expect(sent('peer.joined')).toHaveLength(2);
    jest.advanceTimersByTime(AUDIENCE_COUNT_INTERVAL_MS);
    expect(sent('lecture.audience')).toEqual([]);
    expect(() => u.audience.page(caller('s-host', 'host'), { offset: 0, limit: 5 })).toThrow(
      expect.objectContaining({ messageKey: 'lecture.notLecture' }),
    );
  });
});
