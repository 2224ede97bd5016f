import { join } from 'node:path';
import { artifactsDir } from './support/browser';
import { until } from './support/room';
import {
  between,
  joinOver,
  observe,
  PROFILES,
  sample,
  type LinkSample,
  type WeakSession,
  startWeakSession,
} from './support/weak-link';

/**
 * A member on a weak mobile link: their phone-sized Chromium (390×844 at pixel ratio 3) runs in its own network
 * namespace behind a user-space shaper (support/shaper.ts: loss, a token-bucket rate with a 1,000-packet queue,
 * a fixed delay each way); the secretary publishes camera and a speech-like mic. Measured in the page with
 * getStats. At 150 kbit/s, 300 ms, 5% loss the member hears the meeting within seconds and in time, and video
 * gives way (paused with the notice, or the lowest layer), and the secretary stops encoding the layers nobody
 * receives (dynacast). Needs root (network namespaces), `ip`, `socat`.
 */
jest.setTimeout(150_000);

/**
 * The issue's target for the first audio at 150 kbit/s, 300 ms each way, 5% loss. After 加入 the path to the first
 * audio is one signalling round trip (room.join carries the capabilities of a device loaded on the pre-join page
 * and its answer, deflated, brings the consumers, audio first) and the receive transport's ICE and DTLS (three
 * round trips, 1.8 s at 600 ms; more when a DTLS flight is lost: Chromium retransmits after twice the RTT). The
 * test prints a WARN line past the target and asserts the regression bound below.
 */
const FIRST_AUDIO_TARGET_MS = 5000;
const FIRST_AUDIO_BOUND_MS = 12_000;
/**
 * The issue's target for the jitter-buffer delay after the first 10 s, asserted: 0.09–0.30 s in the runs since
 * layers step up one at a time after a hold and a phone's letterboxed stage asks for 360p, not 720p (before: up to
 * 0.88 s, when a lifted hold let 720p and its keyframes into the 150 kbit/s link).
 */
const JITTER_TARGET_S = 0.6;

/** After the drop, video must be back within this (the issue: "video resumed"). */
const DROP_VIDEO_BOUND_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The debug line of a series of samples: at every other sample, the window since the sample `span` before it — its
 * time after `origin` (s), jitter buffer delay/target, concealed, (fps,) arrival jitter, round trip, audio streams.
 */
const windows = (samples: LinkSample[], origin: number, span: number, fps: boolean) =>
  samples
    .flatMap((x, i) => {
      if (i < span || i % 2 !== 0) return [];
      const w = between(samples[i - span], x);
      return [
        `${((x.at - origin) / 1000).toFixed(1)} ${w.jitterDelayS.toFixed(2)}/${w.jitterTargetS.toFixed(2)} ` +
          `${(w.concealed * 100).toFixed(0)}% ${fps ? `${w.fps.toFixed(0)} ` : ''}` +
          `${(w.arrivalJitterS * 1000).toFixed(0)}ms ${(w.rttS * 1000).toFixed(0)}ms ` +
          Object.keys(x.audio.streams)
            .map((id) => id.slice(-4))
            .join('+'),
      ];
    })
    .join(' | ');
const at = (samples: LinkSample[], t: number) =>
  samples.find((x) => x.at >= t) ?? samples[samples.length - 1];

describe('a member on a weak link', () => {
  let s: WeakSession;

  beforeAll(async () => {
    s = await startWeakSession();
  }, 90_000);

  afterAll(async () => {
    await s?.close();
  });

  it('at 150 kbit/s, 300 ms, 5% loss: audio first and in time, video paused (notice) or lowest layer', async () => {
    const j = await joinOver(s, PROFILES['150k/300ms/5%']);
    console.log(`150k: first audio ${j.firstAudioMs} ms, first frame ${j.firstFrameMs} ms after 加入`);
    const samples = await observe(s.phone, j.joinedAt + 28_000 - Date.now());
    const after10 = between(at(samples, j.joinedAt + 10_000), samples[samples.length - 1]);
    const last5 = between(at(samples, samples[samples.length - 1].at - 5000), samples[samples.length - 1]);
    const noticeSeen = samples.some((x) => x.notice);
    const lowest = (await sample(s.host)).outbound.r0?.frameHeight ?? 0;
    const codecs = [...new Set(samples.flatMap((x) => x.audio.codecs))];
    console.log(
      `150k after 10 s: concealed ${(after10.concealed * 100).toFixed(1)}%, jitter buffer ` +
        `${after10.jitterDelayS.toFixed(3)} s; last 5 s: ${last5.fps.toFixed(1)} fps at ${last5.frameHeight}p ` +
        `(lowest layer ${lowest}p); notice ${noticeSeen}; audio codec ${codecs.join(',')}; link ` +
        JSON.stringify(await s.ns.counters()),
    );
    await s.phone.screenshot({ path: join(artifactsDir, 'weak-network-150k-phone.png') });
    const pcs = await s.phone.evaluate(() =>
      (window.__bmPcs ?? []).map((pc) => pc.connectionState).join(','),
    );
    const reconnecting = await s.phone.getByTestId('self-reconnecting').count();
    console.log(`phone: peer connections ${pcs}; 重连中 shown: ${reconnecting > 0}`);
    // Opus (mediasoup 3.32 offers no audio/red to negotiate RED).
    expect(codecs).toContain('audio/opus');
    // The phone's signalling runs on a websocket, as in production over HTTPS (not long-polling).
    console.log(`phone websockets: ${s.phoneWebsockets.join(', ')}`);
    expect(s.phoneWebsockets.some((u) => /\/socket\.io\/.*transport=websocket/.test(u))).toBe(true);
    if (j.firstAudioMs >= FIRST_AUDIO_TARGET_MS)
      console.warn(`WARN first audio ${j.firstAudioMs} ms: the target is < ${FIRST_AUDIO_TARGET_MS} ms`);
    expect(j.firstAudioMs).toBeLessThan(FIRST_AUDIO_BOUND_MS);
    expect(after10.concealed).toBeLessThan(0.1);
    expect(after10.jitterDelayS).toBeLessThan(JITTER_TARGET_S);
    const paused = last5.fps < 1;
    expect(paused ? noticeSeen : last5.frameHeight <= lowest).toBe(true);
  });

  it('dynacast: with only a 180p (or paused) receiver the secretary stops encoding the higher layers', async () => {
    let last = '';
    let quiet = false;
    const deadline = Date.now() + 20_000;
    while (!quiet && Date.now() < deadline) {
      const a = await sample(s.host);
      await sleep(3000);
      const b = await sample(s.host);
      const grew = (rid: string) => (b.outbound[rid]?.bytesSent ?? 0) - (a.outbound[rid]?.bytesSent ?? 0);
      last = `r0 +${grew('r0')} B, r1 +${grew('r1')} B (active ${b.outbound.r1?.active}), r2 +${grew('r2')} B (active ${b.outbound.r2?.active})`;
      quiet =
        grew('r1') === 0 &&
        grew('r2') === 0 &&
        b.outbound.r1?.active !== true &&
        b.outbound.r2?.active !== true;
    }
    console.log(`secretary's camera over 3 s with only the weak phone receiving: ${last}`);
    expect(quiet).toBe(true);
  });

  /**
   * The issue's target after the drop: audio back to < 0.4 s delay within 10 s, and video resumed. The audio queued
   * behind what was sent before the pause arrives seconds late and Chromium's jitter buffer grows to 1–2 s, then
   * shrinks over tens of seconds; once the audio arrives clean and even again and the round trip is back, the
   * client asks for a fresh consumer (StaleAudioWatch, `consumer.renew`: a new receiver, an empty buffer).
   * Asserted: the notice during the drop, audio heard (not concealed) and in time (< 0.4 s) within 10 s of the
   * recovery, video back; the signalling socket survives the drop (no rejoin: the session runs on).
   */
  it('a 10 s drop to 50 kbit/s: the notice during the drop, audio heard and in time soon after it, then video', async () => {
    s.ns.setProfile(PROFILES['1M/80ms/1%']);
    // Video flows again on the good link first (after the weak spell above: tried again, then kept).
    await until(
      'video flowing at 1 Mbit/s before the drop',
      async () => {
        const a = await sample(s.phone);
        await sleep(2000);
        return between(a, await sample(s.phone)).fps >= 5;
      },
      60_000,
    );
    const websocketsBefore = s.phoneWebsockets.length;
    s.ns.setProfile(PROFILES['50k/80ms/1%']);
    const dropped = Date.now();
    const during = await observe(s.phone, 10_000, 500);
    const noticeAt = during.find((x) => x.notice)?.at;
    s.ns.setProfile(PROFILES['1M/80ms/1%']);
    const back = Date.now();
    const after = await observe(s.phone, DROP_VIDEO_BOUND_MS, 500);
    let audioHeard = NaN;
    let audioBack = NaN;
    let videoBack = NaN;
    for (let i = 4; i < after.length; i++) {
      const w = between(after[i - 4], after[i]);
      if (Number.isNaN(audioHeard) && w.concealed < 0.1) audioHeard = after[i].at - back;
      if (Number.isNaN(audioBack) && w.jitterDelayS < 0.4 && w.concealed < 0.1)
        audioBack = after[i].at - back;
      if (Number.isNaN(videoBack) && w.fps >= 2) videoBack = after[i].at - back;
    }
    if (process.env.WEAK_DEBUG)
      console.log(
        'after the recovery (2 s windows: s, jitter buffer/target, concealed, fps, arrival jitter, rtt, streams):',
        windows(after, back, 4, true),
      );
    if (process.env.WEAK_DEBUG)
      console.log(
        `the drop at ${dropped}, back at ${back}; the server's view:\n` +
          s.server
            .log()
            .split('\n')
            .filter((l) => l.includes('[downlink]') && +l.split(' ')[1] >= dropped - 3000)
            .join('\n'),
      );
    if (process.env.WEAK_DEBUG)
      console.log(
        'in the drop (1 s windows: s, jitter buffer/target, concealed, arrival jitter, rtt, streams):',
        windows(during, dropped, 2, false),
        `\nthe drop began at ${dropped}`,
      );
    const inDrop = between(during[0], during[during.length - 1]);
    const settled = between(at(after, back + 15_000), after[after.length - 1]);
    console.log(
      `drop: notice ${noticeAt === undefined ? 'not shown' : `${noticeAt - dropped} ms into the drop`}; ` +
        `concealed in the drop ${(inDrop.concealed * 100).toFixed(1)}%; ` +
        `audio heard (< 10% concealed) ${audioHeard} ms after the recovery, jitter buffer < 0.4 s ` +
        `${audioBack} ms after, video ${videoBack} ms after; ` +
        `15–30 s after: ${settled.fps.toFixed(1)} fps at ${settled.frameHeight}p; link ` +
        JSON.stringify(await s.ns.counters()),
    );
    expect(noticeAt).toBeDefined();
    expect(audioHeard).toBeLessThan(10_000);
    expect(audioBack).toBeLessThan(10_000);
    expect(videoBack).toBeLessThan(DROP_VIDEO_BOUND_MS);
    // The session ran on through the drop: the phone's signalling is still the websocket it joined on.
    expect(s.phoneWebsockets).toHaveLength(websocketsBefore);
  });
});
