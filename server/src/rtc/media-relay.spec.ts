import { caller, rtcUnits } from '../test-support/rtc-fakes';

describe('MediaRelay', () => {
  let u: ReturnType<typeof rtcUnits>;
  afterEach(() => u.teardown());

  async function seats(type = 'other') {
    u = rtcUnits();
    u.meetings.add({ id: 'm1', hostId: 'host', type });
    const a = await u.join('s-a', 'host');
    const b = await u.join('s-b', 'u');
    return { a: a.self.peerId, b: b.self.peerId };
  }

  it('ready: a consumer for every producer already there; later producers are consumed as they appear', async () => {
    const peers = await seats();
    const early = u.media.addProducer('m1', peers.a, 'mic');
    const ready = await u.relay.ready(caller('s-b', 'u'), {});
    expect(ready.consumers.map((c) => c.producerId)).toEqual([early]);
    const late = u.media.addProducer('m1', peers.a, 'camera');
    await new Promise((r) => setImmediate(r));
    const created = u.wire.sent.filter((s) => s.to === 's-b' && s.event === 'consumer.created');
    expect(created.map((s) => (s.payload as { producerId: string }).producerId)).toEqual([late]);
    expect(u.eventsTo('s-a')).not.toContain('consumer.created'); // not ready: nothing pushed
  });

  it('ready lists the audio before the video, whatever order the producers came in', async () => {
    const peers = await seats();
    const camera = u.media.addProducer('m1', peers.a, 'camera');
    const mic = u.media.addProducer('m1', peers.a, 'mic');
    const ready = await u.relay.ready(caller('s-b', 'u'), {});
    expect(ready.consumers.map((c) => c.producerId)).toEqual([mic, camera]);
  });

  it('a consumer that cannot be made is skipped and tried again next time', async () => {
    const peers = await seats();
    const p = u.media.addProducer('m1', peers.a, 'mic');
    u.media.failNext[`consume:${peers.b}:${p}`] = new Error('no');
    expect((await u.relay.ready(caller('s-b', 'u'), {})).consumers).toEqual([]);
    expect((await u.relay.ready(caller('s-b', 'u'), {})).consumers).toHaveLength(1);
  });

  it('a failure while relaying a new producer is logged, never an unhandled rejection', async () => {
    const peers = await seats();
    await u.relay.ready(caller('s-b', 'u'), {});
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const toSocket = u.hub.toSocket.bind(u.hub);
      u.hub.toSocket = () => {
        throw new Error('socket layer broke');
      };
      u.media.addProducer('m1', peers.a, 'mic');
      await new Promise((r) => setTimeout(r, 10));
      u.hub.toSocket = toSocket;
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('forwards the SFU events: closed and paused to the room, the downlink state to its seat', async () => {
    const peers = await seats();
    const p = u.media.addProducer('m1', peers.a, 'camera');
    await u.relay.ownProducer(caller('s-a', 'host'), p, 'close');
    u.media.events.emit('downlinkChanged', { meetingId: 'm1', peerId: peers.b, videoPaused: true });
    u.media.events.emit('activeSpeaker', { meetingId: 'm1', peerId: peers.a, producerId: p });
    expect(u.eventsTo('meeting:m1')).toEqual(expect.arrayContaining(['producer.closed', 'speaker.changed']));
    expect(u.wire.sent).toContainEqual({
      to: 's-b',
      except: undefined,
      event: 'media.downlink',
      payload: { videoPaused: true },
    });
  });

  it('a room moved to another worker makes every seat set up its media again', async () => {
    await seats();
    await u.relay.ready(caller('s-b', 'u'), {});
    u.media.events.emit('roomMoved', { meetingId: 'm1', workerIndex: 1, peerIds: [] });
    expect([...u.registry.room('m1')!.seats.values()].every((s) => !s.ready && s.consumed.size === 0)).toBe(
      true,
    );
    expect(u.eventsTo('meeting:m1')).toContain('media.moved');
  });

  it('media lost by some seats (their serving node died) makes only those seats set up their media again', async () => {
    const peers = await seats('lecture');
    await u.relay.ready(caller('s-a', 'host'), {});
    await u.relay.ready(caller('s-b', 'u'), {});
    u.wire.sent.length = 0;
    u.media.events.emit('mediaLost', { meetingId: 'm1', peerIds: [peers.b] });
    const seatOf = (peerId: string) => u.registry.room('m1')!.seats.get(peerId)!;
    expect(seatOf(peers.b).ready).toBe(false);
    expect(seatOf(peers.a).ready).toBe(true);
    expect(u.wire.sent.map((s) => [s.to, s.event])).toEqual([['s-b', 'media.moved']]);
  });

  it("one's own producers only; a lecture's listener produces only with the floor, and only audio", async () => {
    const peers = await seats('lecture');
    const mine = u.media.addProducer('m1', peers.a, 'mic');
    await expect(u.relay.ownProducer(caller('s-b', 'u'), mine, 'pause')).rejects.toThrow('not yours');
    const produce = (source: 'mic' | 'camera') =>
      u.relay.produce(caller('s-b', 'u'), {
        transportId: 't',
        kind: 'audio',
        source,
        rtpParameters: {},
        paused: false,
      });
    await expect(produce('mic')).rejects.toMatchObject({ messageKey: 'lecture.listenerNoFloor' });
    u.registry.room('m1')!.lecture!.floorPeerIds.add(peers.b);
    await expect(produce('camera')).rejects.toMatchObject({ messageKey: 'lecture.floorAudioOnly' });
    expect(await produce('mic')).toEqual({ producerId: expect.any(String) });
  });
});
