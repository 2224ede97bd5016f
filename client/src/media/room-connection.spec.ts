import type { ConsumerInfo } from '@branchmeet/shared';
import { describe, expect, it, vi } from 'vitest';
import type { LocalMedia } from './local-media';
import { RoomConnection, type RoomDevice } from './room-connection';
import { prepareRoomDevice } from './room-device';
import type { RoomEvent } from './room-events';
import type { RtcSocket } from './signalling';
import { SignallingClient } from './signalling-client';

vi.mock('mediasoup-client', () => ({ Device: { factory: vi.fn() } })); // never the real one in unit tests

type Listener = (...args: unknown[]) => void;
const meetingId = '99999999-9999-4999-8999-999999999999';
const userId = '66666666-6666-4666-8666-666666666666';

/** A socket.io client stand-in: records requests, answers them from `handlers`, and emits server events. */
function fakeSocket(handlers: Record<string, (payload: Record<string, unknown>) => unknown>) {
  const listeners = new Map<string, Set<Listener>>();
  const requests: { event: string; payload: Record<string, unknown> }[] = [];
  const fire = (event: string, ...args: unknown[]) => listeners.get(event)?.forEach((l) => l(...args));
  const socket = {
    connected: false,
    active: false,
    on(event: string, listener: Listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)?.add(listener);
      return socket;
    },
    off(event: string, listener: Listener) {
      listeners.get(event)?.delete(listener);
      return socket;
    },
    removeAllListeners() {
      listeners.clear();
    },
    timeout: () => ({
      emit(event: string, payload: Record<string, unknown>, ack: (err: Error | null, res: unknown) => void) {
        requests.push({ event, payload });
        const handler = handlers[event];
        queueMicrotask(() => {
          // A handler that throws answers `{ ok: false }` with what it threw (an ApiError).
          void Promise.resolve()
            .then(() => (handler ? handler(payload) : null))
            .then(
              (data) => ack(null, { ok: true, data }),
              (error: unknown) => ack(null, { ok: false, error }),
            );
        });
      },
    }),
    /** Connection attempts fail at the network (a node that died), and socket.io keeps trying. */
    unreachable: false,
    connect() {
      socket.active = true;
      if (socket.unreachable) {
        queueMicrotask(() => fire('connect_error', new Error('websocket error')));
        return;
      }
      socket.connected = true;
      queueMicrotask(() => fire('connect'));
    },
    disconnect() {
      socket.connected = false;
      socket.active = false;
    },
    /** The network drops and socket.io reconnects. */
    drop() {
      socket.connected = false;
      fire('disconnect', 'transport close');
    },
    server: fire,
  };
  return { socket, requests };
}

function fakeTransport(id: string) {
  const listeners = new Map<string, Listener>();
  let connected = false;
  const ensureConnected = async () => {
    if (connected) return;
    connected = true;
    await new Promise<void>((resolve, reject) =>
      listeners.get('connect')?.({ dtlsParameters: { fingerprints: [] } }, resolve, reject),
    );
  };
  const producers: ReturnType<typeof fakeProducer>[] = [];
  return {
    id,
    producers,
    on: (event: string, listener: Listener) => listeners.set(event, listener),
    close: vi.fn(),
    async consume(o: { id: string; producerId: string; kind: string; appData: unknown }) {
      await ensureConnected();
      return {
        ...o,
        closed: false,
        track: { kind: o.kind },
        close: vi.fn(),
        getStats: async () => new Map(),
      };
    },
    async produce(o: { track: { kind: string }; appData: Record<string, unknown> }) {
      await ensureConnected();
      const id = await new Promise<string>((resolve, reject) =>
        listeners.get('produce')?.(
          { kind: o.track.kind, rtpParameters: { codecs: [] }, appData: o.appData },
          ({ id }: { id: string }) => resolve(id),
          reject,
        ),
      );
      const producer = fakeProducer(id, o.track);
      producers.push(producer);
      return producer;
    },
  };
}

function fakeProducer(id: string, track: unknown) {
  const producer = {
    id,
    track,
    paused: false,
    closed: false,
    pause: vi.fn(() => (producer.paused = true)),
    resume: vi.fn(() => (producer.paused = false)),
    close: vi.fn(() => (producer.closed = true)),
    on: vi.fn(),
  };
  return producer;
}

function fakeLocal(): LocalMedia {
  const tracks: Record<string, { kind: string; readyState: string } | undefined> = {
    mic: { kind: 'audio', readyState: 'live' },
    camera: { kind: 'video', readyState: 'live' },
  };
  return {
    track: (s: string) => tracks[s] ?? null,
    has: (s: string) => tracks[s] !== undefined,
    on: () => () => undefined,
    stop: (s: string) => delete tracks[s],
  } as unknown as LocalMedia;
}

function consumerInfo(n: number): ConsumerInfo {
  return {
    consumerId: `c${n}`,
    producerId: `remote-p${n}`,
    peerId: 'peer-2',
    kind: n === 1 ? 'audio' : 'video',
    source: n === 1 ? 'mic' : 'camera',
    rtpParameters: { codecs: [] },
    producerPaused: false,
  };
}

function setup(
  join: Record<string, unknown> = {},
  opts: {
    shared?: boolean;
    holdJoin?: boolean;
    redirectTo?: string;
    refuseFirstJoin?: string;
    capabilities?: Record<string, unknown>;
    connectAnswer?: () => Promise<unknown>;
  } = {},
) {
  let produced = 0;
  let joins = 0;
  let answerJoin: () => void = () => undefined;
  const joinHeld = opts.holdJoin ? new Promise<void>((resolve) => (answerJoin = resolve)) : null;
  const transports: ReturnType<typeof fakeTransport>[] = [];
  const { socket, requests } = fakeSocket({
    'room.join': async (payload) => {
      await joinHeld;
      if (opts.refuseFirstJoin && joins++ === 0)
        throw { code: opts.refuseFirstJoin, message: `refused: ${opts.refuseFirstJoin}` };
      // A join with the device's capabilities is also the ready: video listed first, the server sorts audio first
      return payload.rtpCapabilities
        ? { ...joined(), consumers: [consumerInfo(1), consumerInfo(2)] }
        : joined();
    },
    'room.ready': () => ({ consumers: [consumerInfo(2), consumerInfo(1)] }),
    'media.capabilities': () => ({ routerRtpCapabilities: opts.capabilities ?? { codecs: [] } }),
    ...(opts.connectAnswer ? { 'transport.connect': opts.connectAnswer } : {}),
    'media.produce': () => ({ producerId: `own-${++produced}` }),
    'consumer.renew': (payload) => ({
      ...consumerInfo(1),
      consumerId: `${String(payload.consumerId)}-renewed`,
    }),
  });
  function joined() {
    return {
      status: 'joined',
      self: { peerId: 'peer-1', userId, name: '李党员', role: 'member', handRaised: false, producers: [] },
      room: { meetingId, title: '支部党员大会', hostUserId: userId, locked: false, waitingRoom: false },
      routerRtpCapabilities: { codecs: [] },
      sendTransport: {
        id: 'send',
        iceParameters: { usernameFragment: 'u', password: 'p' },
        iceCandidates: [],
        dtlsParameters: { fingerprints: [] },
      },
      recvTransport: {
        id: 'recv',
        iceParameters: { usernameFragment: 'u', password: 'p' },
        iceCandidates: [],
        dtlsParameters: { fingerprints: [] },
      },
      iceServers: [],
      peers: [],
      chat: [],
      resumed: false,
      ...join,
    };
  }
  const device: RoomDevice = {
    load: vi.fn(async () => undefined),
    loaded: true,
    rtpCapabilities: { codecs: [] },
    canProduce: () => true,
    createSendTransport: vi.fn((o: { id: string }) => {
      const t = fakeTransport(o.id);
      transports.push(t);
      return t;
    }),
    createRecvTransport: vi.fn((o: { id: string }) => {
      const t = fakeTransport(o.id);
      transports.push(t);
      return t;
    }),
  } as unknown as RoomDevice;
  // With `redirectTo`: the page's node sends every join to the node at that URL, which serves the meeting.
  const home = fakeSocket({
    'room.join': () => ({ status: 'redirect', nodeId: 'node-2', url: opts.redirectTo }),
  });
  const urls: (string | undefined)[] = [];
  const socketFactory = (_auth: unknown, _options: unknown, url?: string) => {
    urls.push(url);
    return (opts.redirectTo && !url ? home.socket : socket) as unknown as RtcSocket;
  };
  const signalling = opts.shared
    ? new SignallingClient({ token: () => 'access-1', socketFactory })
    : undefined;
  const connection = new RoomConnection({
    meetingId,
    local: fakeLocal(),
    token: () => 'access-1',
    publish: { mic: true, camera: false },
    signalling,
    socketFactory,
    deviceFactory: async () => device,
  });
  const events: RoomEvent[] = [];
  connection.on('event', (e) => events.push(e));
  return {
    connection,
    socket,
    requests,
    events,
    transports,
    signalling,
    device,
    answerJoin: () => answerJoin(),
    home,
    urls,
  };
}

async function until(check: () => boolean) {
  await vi.waitFor(() => {
    if (!check()) throw new Error('not yet');
  });
}

describe('RoomConnection', () => {
  it('joins: room.join, room.ready, transport.connect, then consumer.resume for the audio and then the video; publishes the mic', async () => {
    const { connection, requests, events } = setup();
    connection.connect();
    await until(() => connection.state === 'joined');

    const names = requests.map((r) => r.event);
    expect(names[0]).toBe('room.join');
    expect(requests[0].payload).toEqual({ meetingId, resumePeerId: undefined });
    const resumes = requests.filter((r) => r.event === 'consumer.resume');
    expect(resumes.map((r) => r.payload.consumerIds)).toEqual([['c1'], ['c2']]);
    expect(names.indexOf('room.ready')).toBeLessThan(names.indexOf('consumer.resume'));
    expect(
      requests
        .filter((r) => r.event === 'transport.connect')
        .map((r) => r.payload.transportId)
        .sort(),
    ).toEqual(['recv', 'send']);
    expect(connection.consumerIds().sort()).toEqual(['c1', 'c2']);
    expect(events.filter((e) => e.type === 'consumer.created')).toHaveLength(2);

    await until(() => requests.some((r) => r.event === 'media.produce'));
    // the mic goes live, the camera (turned off before joining) is published paused
    const produce = requests
      .filter((r) => r.event === 'media.produce')
      .map((r) => [r.payload.source, r.payload.paused]);
    expect(produce.sort()).toEqual([
      ['camera', true],
      ['mic', false],
    ]);
  });

  it('with the router capabilities asked for ahead, the join carries the device’s and brings the consumers: no room.ready', async () => {
    const { connection, socket, requests, signalling, device } = setup({}, { shared: true });
    const notifications = signalling!.subscribe({});
    await until(() => socket.connected);
    prepareRoomDevice(signalling!, async () => device);
    prepareRoomDevice(signalling!, async () => device); // asked once
    connection.connect();
    await until(() => connection.state === 'joined');

    const names = requests.map((r) => r.event);
    expect(names.filter((n) => n === 'media.capabilities')).toHaveLength(1);
    expect(names.indexOf('media.capabilities')).toBeLessThan(names.indexOf('room.join'));
    expect(requests.find((r) => r.event === 'room.join')?.payload).toEqual({
      meetingId,
      resumePeerId: undefined,
      rtpCapabilities: { codecs: [] },
    });
    expect(names).not.toContain('room.ready');
    const resumes = requests.filter((r) => r.event === 'consumer.resume');
    expect(resumes.map((r) => r.payload.consumerIds)).toEqual([['c1'], ['c2']]);
    expect(connection.consumerIds().sort()).toEqual(['c1', 'c2']);
    connection.dispose();
    notifications.release();
  });

  it('capabilities asked for ahead that the server no longer has: joins again the longer way', async () => {
    const { connection, socket, requests, signalling, device } = setup(
      {},
      { shared: true, capabilities: { codecs: [{ mimeType: 'audio/old' }] } },
    );
    const notifications = signalling!.subscribe({});
    await until(() => socket.connected);
    prepareRoomDevice(signalling!, async () => device);
    connection.connect();
    await until(() => connection.state === 'joined');

    const joins = requests.filter((r) => r.event === 'room.join');
    expect(joins).toHaveLength(2);
    expect(joins[0].payload.rtpCapabilities).toEqual({ codecs: [] });
    expect(joins[1].payload).toEqual({ meetingId, resumePeerId: 'peer-1' });
    expect(requests.filter((r) => r.event === 'room.ready')).toHaveLength(1);
    expect(connection.consumerIds().sort()).toEqual(['c1', 'c2']);
    connection.dispose();
    notifications.release();
  });

  it('does not wait for the server to answer a transport connect before media is set up', async () => {
    const { connection, requests } = setup({}, { connectAnswer: () => new Promise(() => undefined) });
    connection.connect();
    await until(() => connection.state === 'joined');
    expect(requests.filter((r) => r.event === 'transport.connect')).toHaveLength(2);
    expect(connection.consumerIds().sort()).toEqual(['c1', 'c2']);
    connection.dispose();
  });

  it('after the socket drops, joins again with its peer id and republishes what was live', async () => {
    const { connection, socket, requests, events } = setup();
    connection.connect();
    await until(() => requests.filter((r) => r.event === 'media.produce').length === 2);

    socket.drop();
    expect(connection.state).toBe('reconnecting');
    socket.connect();
    await until(
      () => requests.filter((r) => r.event === 'room.join').length === 2 && connection.state === 'joined',
    );

    expect(requests.filter((r) => r.event === 'room.join')[1].payload).toEqual({
      meetingId,
      resumePeerId: 'peer-1',
    });
    expect(events.some((e) => e.type === 'media.reset')).toBe(true);
    await until(() => requests.filter((r) => r.event === 'media.produce').length === 4);
  });

  it('a join redirected to another node joins there; when that node goes, it asks its own node again', async () => {
    const { connection, socket, requests, home, urls } = setup({}, { redirectTo: 'http://node-2:3000' });
    connection.connect();
    await until(() => connection.state === 'joined');
    expect(home.requests.map((r) => r.event)).toEqual(['room.join']);
    expect(urls).toEqual([undefined, 'http://node-2:3000']);
    expect(requests[0]).toEqual({ event: 'room.join', payload: { meetingId, resumePeerId: undefined } });

    // The serving node dies: back to the page's node, which sends the room to the (new) owner again, where it
    // takes its seat back.
    socket.drop();
    expect(connection.state).toBe('reconnecting');
    await until(() => home.requests.length === 2);
    expect(home.requests[1].payload).toEqual({ meetingId, resumePeerId: 'peer-1' });
    await until(() => urls.length === 3 && connection.state === 'joined');
    expect(requests.filter((r) => r.event === 'room.join').map((r) => r.payload.resumePeerId)).toEqual([
      undefined,
      'peer-1',
    ]);
  });

  it('a room handed over by its stopping node (room.moved) joins at once on the new owner with its seat', async () => {
    const { connection, socket, requests, events, urls } = setup();
    connection.connect();
    await until(() => connection.state === 'joined');
    expect(urls).toEqual([undefined]);

    socket.server('room.moved', { meetingId, nodeId: 'node-3', url: 'http://node-3:3000' });
    expect(events.some((e) => e.type === 'room.moved')).toBe(true);
    // Straight to the new owner (no round trip through the page's node), taking the same seat back.
    await until(() => urls.length === 2 && connection.state === 'joined');
    expect(urls).toEqual([undefined, 'http://node-3:3000']);
    expect(requests.filter((r) => r.event === 'room.join').map((r) => r.payload.resumePeerId)).toEqual([
      undefined,
      'peer-1',
    ]);
  });

  it('a join redirected to a node that cannot be reached asks its own node again, and joins once it can', async () => {
    const { connection, socket, home, urls } = setup({}, { redirectTo: 'http://node-2:3000' });
    socket.unreachable = true;
    connection.connect();
    // Sent to node-2, which does not answer: back to the page's node, which sends it there again.
    await until(() => home.requests.length === 2);
    expect(urls.slice(0, 2)).toEqual([undefined, 'http://node-2:3000']);
    expect(connection.state).toBe('connecting');
    socket.unreachable = false;
    await vi.waitFor(
      () => {
        if (connection.state !== 'joined') throw new Error('not yet');
      },
      { timeout: 10_000 },
    );
    expect(urls.filter((u) => u === 'http://node-2:3000').length).toBeGreaterThanOrEqual(2);
  });

  it('a join refused as unavailable (the meeting between two nodes) is tried again; a forbidden one is not', async () => {
    const retried = setup({}, { refuseFirstJoin: 'unavailable' });
    retried.connection.connect();
    await vi.waitFor(
      () => {
        if (retried.connection.state !== 'joined') throw new Error('not yet');
      },
      { timeout: 3000 },
    );
    expect(retried.requests.filter((r) => r.event === 'room.join')).toHaveLength(2);

    const refused = setup({}, { refuseFirstJoin: 'forbidden' });
    refused.connection.connect();
    await until(() => refused.connection.state === 'failed');
  });

  it('pauses its own producer when the host mutes it and tells the UI who did it', async () => {
    const { connection, socket, requests, events, transports } = setup();
    connection.connect();
    await until(() => requests.filter((r) => r.event === 'media.produce').length === 2);
    const mic = transports
      .find((t) => t.id === 'send')
      ?.producers.find((p) => (p.track as { kind: string }).kind === 'audio');
    expect(mic?.paused).toBe(false);

    socket.server('producer.paused', { peerId: 'peer-1', producerId: mic?.id, source: 'mic', byHost: true });

    expect(mic?.paused).toBe(true);
    expect(events).toContainEqual({ type: 'local', source: 'mic', on: false, byHost: true });
    expect(connection.isOn('mic')).toBe(false);
  });

  it('stops for good when the host removes the person', async () => {
    const { connection, socket } = setup();
    connection.connect();
    await until(() => connection.state === 'joined');
    socket.server('self.removed', { by: 'host', reason: 'removed_by_host' });
    expect(connection.state).toBe('removed');
    expect(connection.consumerIds()).toEqual([]);
  });

  it('a lecture listener joins receive-only, publishes its mic once given the floor and stops when it is taken back', async () => {
    const lecture = { lecturerUserId: meetingId, coPresenterUserIds: [], floorPeerIds: [] };
    const { connection, socket, requests, events, transports } = setup({ sendTransport: null, lecture });
    connection.connect();
    await until(() => connection.state === 'joined');
    expect(events.find((e) => e.type === 'joined')).toMatchObject({ lecture });
    expect(transports.map((t) => t.id)).toEqual(['recv']);
    // nothing is sent, and the UI is told so (the wish to have the mic on is not what is live)
    await until(() => events.some((e) => e.type === 'local' && e.source === 'mic'));
    expect(requests.some((r) => r.event === 'media.produce')).toBe(false);
    expect(events.filter((e) => e.type === 'local' && e.on)).toEqual([]);

    const floor = {
      id: 'floor-send',
      iceParameters: { usernameFragment: 'u', password: 'p' },
      iceCandidates: [],
      dtlsParameters: { fingerprints: [] },
    };
    socket.server('lecture.send', { sendTransport: floor, audioOnly: true });
    await until(() => requests.some((r) => r.event === 'media.produce'));
    const produced = requests.filter((r) => r.event === 'media.produce').map((r) => r.payload);
    expect(produced).toEqual([
      expect.objectContaining({ transportId: 'floor-send', source: 'mic', paused: false }),
    ]);
    expect(events).toContainEqual({ type: 'local', source: 'mic', on: true });

    const send = transports.find((t) => t.id === 'floor-send');
    socket.server('lecture.send', { sendTransport: null, audioOnly: true });
    expect(send?.producers.every((p) => p.closed)).toBe(true);
    expect(send?.close).toHaveBeenCalled();
    expect(events.at(-2)).toEqual({ type: 'local', source: 'mic', on: false });
  });

  it('reports tiles in CSS pixels; audio only reports every video hidden at once, and the tiles’ sizes again after', async () => {
    const { connection, requests } = setup();
    connection.connect();
    await until(() => connection.state === 'joined');
    const tiles = () => requests.filter((r) => r.event === 'consumer.tile').map((r) => r.payload);
    connection.reportTile('c2', 220.4);
    await until(() => tiles().length === 1);
    expect(tiles()).toEqual([{ consumerId: 'c2', height: 220 }]);

    await connection.setAudioOnly(true);
    expect(connection.audioOnlyMode).toBe(true);
    // at once, not debounced; the audio consumer c1 is not a tile
    expect(tiles()).toEqual([
      { consumerId: 'c2', height: 220 },
      { consumerId: 'c2', height: 0 },
    ]);
    // the tile resizing meanwhile changes nothing while audio only
    connection.reportTile('c2', 400);
    await new Promise((r) => setTimeout(r, 400));
    expect(tiles()).toHaveLength(2);

    await connection.setAudioOnly(false);
    expect(tiles().at(-1)).toEqual({ consumerId: 'c2', height: 400 });
    connection.dispose();
  });

  it('renews an audio consumer: the old one closes, the new one of the same producer is consumed and resumed', async () => {
    const { connection, requests, events } = setup();
    connection.connect();
    await until(() => connection.state === 'joined');
    const oldTrack = connection.track('c1');
    expect(oldTrack).not.toBeNull();
    connection.renewAudio('c2'); // video: nothing to renew
    connection.renewAudio('c1');
    await until(() =>
      requests.some((r) => r.event === 'consumer.resume' && String(r.payload.consumerIds) === 'c1-renewed'),
    );
    expect(requests.filter((r) => r.event === 'consumer.renew').map((r) => r.payload)).toEqual([
      { consumerId: 'c1' },
    ]);
    expect(connection.track('c1')).toBeNull();
    expect(connection.track('c1-renewed')).not.toBeNull();
    expect(connection.consumerIds().sort()).toEqual(['c1-renewed', 'c2']);
    // The UI drops the old audio element before the new one plays.
    const closed = events.findIndex((e) => e.type === 'consumer.closed' && e.payload.consumerId === 'c1');
    const created = events.findIndex(
      (e) => e.type === 'consumer.created' && e.payload.consumerId === 'c1-renewed',
    );
    expect(closed).toBeGreaterThan(-1);
    expect(created).toBeGreaterThan(closed);
    connection.dispose();
  });

  it('on the app’s shared socket: joins on the open socket, and leaving tells the server but keeps it for the others', async () => {
    const { connection, socket, requests, signalling } = setup({}, { shared: true });
    const notifications = signalling!.subscribe({});
    await until(() => socket.connected);
    connection.connect();
    await until(() => connection.state === 'joined');
    expect(requests.filter((r) => r.event === 'room.join')).toHaveLength(1);

    await connection.leave();

    expect(requests.at(-1)?.event).toBe('room.leave');
    expect(connection.state).toBe('left');
    expect(socket.connected).toBe(true);
    expect(signalling!.subscriberCount).toBe(1);
    notifications.release();
    expect(socket.connected).toBe(false);
  });

  it('hands back a seat whose join was answered after leaving', async () => {
    const { connection, socket, requests, signalling, answerJoin } = setup(
      {},
      { shared: true, holdJoin: true },
    );
    signalling!.subscribe({});
    await until(() => socket.connected);
    connection.connect();
    await until(() => requests.some((r) => r.event === 'room.join'));
    const leaving = connection.leave(); // room.join is on its way
    await leaving;
    expect(connection.state).toBe('left');
    answerJoin(); // the server seated it meanwhile
    await until(() => requests.filter((r) => r.event === 'room.leave').length === 2);
    expect(requests.some((r) => r.event === 'room.ready')).toBe(false);
  });

  it('a room joining a socket another room just left waits until that one is gone on the server', async () => {
    const { connection, socket, requests, signalling, answerJoin } = setup(
      {},
      { shared: true, holdJoin: true },
    );
    signalling!.subscribe({});
    await until(() => socket.connected);
    connection.connect();
    await until(() => requests.some((r) => r.event === 'room.join'));
    void connection.leave(); // its room.join is on its way (a remount, or "join again")
    const next = new RoomConnection({
      meetingId,
      local: fakeLocal(),
      signalling,
      deviceFactory: async () => {
        throw new Error('not needed');
      },
    });
    next.connect();
    await new Promise((r) => setTimeout(r, 50));
    expect(requests.filter((r) => r.event === 'room.join')).toHaveLength(1); // the next room waits
    answerJoin();
    await until(() => requests.filter((r) => r.event === 'room.join').length === 2);

    // the first room's two leaves (at once, and once its join was answered) come before the next room's join
    expect(requests.map((r) => r.event).filter((e) => e.startsWith('room.'))).toEqual([
      'room.join',
      'room.leave',
      'room.leave',
      'room.join',
    ]);
    next.dispose();
  });
});
