import {
  DownlinkGuard,
  PROBE_FLOOR_BPS,
  type GuardedConsumer,
  type GuardedTransport,
} from './downlink-guard';

class FakeConsumer implements GuardedConsumer {
  paused = true; // mediasoup consumers are created paused
  closed = false;
  layers: { spatialLayer: number; temporalLayer?: number }[] = [];
  private scoreListener?: (s: { score: number; producerScore: number }) => void;
  constructor(
    readonly id: string,
    readonly kind: 'audio' | 'video',
    readonly type = kind === 'video' ? 'simulcast' : 'simple',
  ) {}
  async pause() {
    this.paused = true;
  }
  async resume() {
    this.paused = false;
  }
  async setPreferredLayers(l: { spatialLayer: number; temporalLayer?: number }) {
    this.layers.push(l);
  }
  on(_event: 'score', listener: (s: { score: number; producerScore: number }) => void) {
    this.scoreListener = listener;
  }
  score(score: number, producerScore = 10) {
    this.scoreListener?.({ score, producerScore });
  }
}

class FakeTransport implements GuardedTransport {
  traced: string[] = [];
  floors: number[] = [];
  async setMinOutgoingBitrate(bps: number) {
    this.floors.push(bps);
  }
  private listener?: (t: { type: string; direction: string; info: unknown }) => void;
  async enableTraceEvent(types: 'bwe'[]) {
    this.traced.push(...types);
  }
  on(_e: 'trace', listener: (t: { type: string; direction: string; info: unknown }) => void) {
    this.listener = listener;
  }
  bwe(availableBitrate: number, desiredBitrate = 1_000_000) {
    this.listener?.({ type: 'bwe', direction: 'out', info: { availableBitrate, desiredBitrate } });
  }
}

const flush = () => new Promise((r) => setImmediate(r));

function setup() {
  let now = 0;
  const changes: boolean[] = [];
  const guard = new DownlinkGuard(
    (paused) => changes.push(paused),
    () => now,
  );
  const transport = new FakeTransport();
  guard.watch(transport, 60_000);
  const audio = new FakeConsumer('a', 'audio');
  const video = new FakeConsumer('v', 'video');
  guard.add(audio);
  guard.add(video);
  const at = (t: number) => (now = t);
  return { guard, transport, audio, video, changes, at };
}

describe('downlink guard: one receiver, audio first', () => {
  afterEach(() => jest.useRealTimers());

  it('follows the bandwidth estimate of the receive transport', () => {
    const { transport } = setup();
    expect(transport.traced).toEqual(['bwe']);
  });

  it('when the estimate collapses, pauses video, keeps audio, and tells the client; resumes as it recovers', async () => {
    const { guard, transport, audio, video, changes, at } = setup();
    await guard.resume('a');
    await guard.resume('v');
    expect(audio.paused).toBe(false);
    expect(video.paused).toBe(false);
    for (let t = 0; t <= 3000; t += 1000) {
      at(t);
      transport.bwe(50_000);
    }
    await flush();
    expect(video.paused).toBe(true);
    expect(audio.paused).toBe(false);
    expect(changes).toEqual([true]);
    for (let t = 4000; t <= 20_000; t += 1000) {
      at(t);
      transport.bwe(600_000);
    }
    await flush();
    expect(video.paused).toBe(false);
    expect(audio.paused).toBe(false);
    expect(changes).toEqual([true, false]);
    guard.close();
  });

  it('a try of video on a recovered link survives: estimates above what is wanted replace the old low one', async () => {
    const { guard, transport, video, changes, at } = setup();
    await guard.resume('v');
    for (let t = 0; t <= 3000; t += 1000) {
      at(t);
      transport.bwe(100_000); // low for two seconds: paused at 2 s
    }
    await flush();
    expect(video.paused).toBe(true);
    // The link recovered; only audio flows, then the try (after the hold) sends the lowest layer, and the
    // estimate climbs with what is wanted but never above it (mediasoup probes only that far).
    for (let t = 4000; t <= 30_000; t += 1000) {
      at(t);
      transport.bwe(t < 9000 ? 60_000 : 200_000, t < 9000 ? 50_000 : 180_000);
    }
    await flush();
    expect(video.paused).toBe(false);
    expect(changes).toEqual([true, false]);
    guard.close();
  });

  it('pauses video whose scores say it arrives broken', async () => {
    const { guard, video, at } = setup();
    await guard.resume('v');
    for (let t = 0; t <= 3000; t += 1000) {
      at(t);
      video.score(1);
    }
    await flush();
    expect(video.paused).toBe(true);
    expect(guard.videoPaused).toBe(true);
  });

  it('a quiet sender is not a weak downlink: a low estimate with little wanted, or a sender’s own bad stream', async () => {
    const { guard, transport, video, at } = setup();
    await guard.resume('v');
    for (let t = 0; t <= 5000; t += 1000) {
      at(t);
      transport.bwe(40_000, 30_000); // nothing much to send: the estimate sinks with it
      video.score(0, 0); // the sender's stream is gone, not this receiver's link
    }
    await flush();
    expect(video.paused).toBe(false);
    expect(guard.videoPaused).toBe(false);
  });

  it('a video consumer asked for while video is held back stays paused', async () => {
    const { guard, transport, at } = setup();
    for (let t = 0; t <= 3000; t += 1000) {
      at(t);
      transport.bwe(40_000);
    }
    const late = new FakeConsumer('v2', 'video');
    guard.add(late);
    await guard.resume('v2');
    expect(late.paused).toBe(true);
  });

  it('video whose tile is off screen is not received; back on screen it is, at layers for its CSS size', async () => {
    const { guard, transport, video, at } = setup();
    await guard.resume('v');
    await guard.setTile('v', 0);
    expect(video.paused).toBe(true);
    at(0);
    transport.bwe(2_000_000);
    await guard.setTile('v', 720);
    expect(video.paused).toBe(false);
    expect(video.layers.at(-1)).toEqual({ spatialLayer: 2, temporalLayer: 2 });
    await guard.setTile('v', 120);
    expect(video.layers.at(-1)).toEqual({ spatialLayer: 0, temporalLayer: 2 });
  });

  it('a low estimate holds a large tile at the smallest layer at full frame rate, then steps up one layer at a time', async () => {
    const { guard, transport, video, at } = setup();
    await guard.resume('v');
    at(0);
    transport.bwe(2_000_000);
    await guard.setTile('v', 720);
    expect(video.layers.at(-1)).toEqual({ spatialLayer: 2, temporalLayer: 2 });
    at(1000);
    transport.bwe(250_000); // 186 kbit/s for the video after audio: smooth 180p, not 720p at a few frames a second
    await flush();
    expect(video.layers.at(-1)).toEqual({ spatialLayer: 0, temporalLayer: 2 });
    at(10_000);
    transport.bwe(260_000);
    await flush();
    expect(video.layers.at(-1)).toEqual({ spatialLayer: 0, temporalLayer: 2 });
    at(16_500); // the hold is over: one layer up (360p, never straight to 720p), so the estimate can climb
    transport.bwe(260_000);
    await flush();
    expect(video.layers.at(-1)).toEqual({ spatialLayer: 1, temporalLayer: 2 });
    at(22_000); // the step did not lift the estimate: held down again
    transport.bwe(260_000);
    await flush();
    expect(video.layers.at(-1)).toEqual({ spatialLayer: 0, temporalLayer: 2 });
    expect(video.paused).toBe(false); // 250 kbit/s still carries video: not paused
    at(38_000); // the link has room: one step, and once 360p fits with room to spare, the tile's layer
    transport.bwe(500_000);
    await flush();
    expect(video.layers.at(-1)).toEqual({ spatialLayer: 1, temporalLayer: 2 });
    at(40_000);
    transport.bwe(1_200_000);
    await flush();
    expect(video.layers.at(-1)).toEqual({ spatialLayer: 1, temporalLayer: 2 }); // a step is held before the next
    at(44_000);
    transport.bwe(1_300_000);
    await flush();
    expect(video.layers.at(-1)).toEqual({ spatialLayer: 2, temporalLayer: 2 });
  });

  it('the receiver’s report of broken audio pauses video at once; clean audio brings a try, estimate floored', async () => {
    const { guard, transport, video, changes, at } = setup();
    await guard.resume('v');
    at(0);
    transport.bwe(900_000, 600_000);
    await guard.setTile('v', 720);
    at(1000);
    expect(guard.report(true)).toBe(true); // no 2 s wait: what the estimate says of a collapse comes late
    await flush();
    expect(video.paused).toBe(true);
    expect(changes).toEqual([true]);
    at(2000);
    expect(guard.report(false)).toBe(true); // not before the pause delay
    at(3100);
    guard.sample();
    await flush();
    expect(video.paused).toBe(false); // the first try comes early, at the smallest layer
    expect(video.layers.at(-1)).toEqual({ spatialLayer: 0, temporalLayer: 2 });
    expect(transport.floors).toEqual([PROBE_FLOOR_BPS]);
    at(4000);
    expect(guard.report(true)).toBe(true); // the try breaks audio: it ends, and the next waits longer
    await flush();
    expect(video.paused).toBe(true);
    expect(transport.floors).toEqual([PROBE_FLOOR_BPS, 0]);
    at(7000);
    guard.report(false);
    at(10_000);
    guard.sample();
    expect(guard.videoPaused).toBe(true); // a failed try: clean audio no longer shortens the hold (12 s)
    at(16_100);
    guard.sample();
    expect(guard.videoPaused).toBe(false);
  });

  it('broken audio while the sender’s own stream is bad is not blamed on this downlink', async () => {
    const { guard, video } = setup();
    await guard.resume('v');
    await guard.setTile('v', 720);
    video.score(2, 2);
    expect(guard.report(true)).toBe(false);
    expect(video.paused).toBe(false);
  });
});
