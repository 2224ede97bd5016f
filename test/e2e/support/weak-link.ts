import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startAppServer, type AppServer } from './app-server';
import { artifactsDir, launchBrowser } from './browser';
import { apiLogin, branchId, peerIdOf, until } from './room';
import type { LinkProfile } from './shaper';
import { createShapedNamespace, type ShapedNamespace } from './shaper-netns';

/** The name the phone reaches the app by (see startWeakSession). */
export const PHONE_HOST = 'branchmeet.localhost';

/** The weak-network profiles (rate each way, delay each way, loss), a queue of 1,000 packets. */
export const PROFILES = {
  unshaped: {} as LinkProfile,
  '1M/80ms/1%': { rateBps: 1_000_000, delayMs: 80, loss: 0.01, queuePackets: 1000 },
  '400k/150ms/3%': { rateBps: 400_000, delayMs: 150, loss: 0.03, queuePackets: 1000 },
  '150k/300ms/5%': { rateBps: 150_000, delayMs: 300, loss: 0.05, queuePackets: 1000 },
  '50k/80ms/1%': { rateBps: 50_000, delayMs: 80, loss: 0.01, queuePackets: 1000 },
} satisfies Record<string, LinkProfile>;

/**
 * A speech-like WAV for Chromium's fake microphone: voiced syllables (a glottal-pulse-like harmonic series on a
 * wandering pitch, ~4 syllables a second) in phrases of 1.5–3 s with pauses between, so DTX, FEC and the jitter
 * buffer see what they see with a person talking.
 */
export function writeSpeechWav(path: string, seconds = 20, rate = 48_000): void {
  const n = seconds * rate;
  const pcm = new Int16Array(n);
  let phase = 0;
  let t = 0;
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  while (t < n) {
    const phrase = Math.floor((1.5 + rnd() * 1.5) * rate);
    const end = Math.min(n, t + phrase);
    for (let syl = t; syl < end;) {
      const len = Math.floor((0.16 + rnd() * 0.12) * rate);
      const f0 = 110 + rnd() * 70;
      for (let i = 0; i < len && syl + i < end; i++) {
        const env = Math.sin((Math.PI * i) / len) ** 2;
        const f = f0 * (1 + 0.08 * Math.sin((2 * Math.PI * i) / len));
        phase += (2 * Math.PI * f) / rate;
        let s = 0;
        for (let k = 1; k * f < 3500; k++) s += Math.sin(k * phase) / k ** 1.2;
        pcm[syl + i] = Math.max(-32767, Math.min(32767, s * env * 6000 + (rnd() - 0.5) * 300 * env));
      }
      syl += len + Math.floor(0.04 * rate);
    }
    t = end + Math.floor((0.4 + rnd() * 0.6) * rate);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + n * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(n * 2, 40);
  writeFileSync(path, Buffer.concat([header, Buffer.from(pcm.buffer)]));
}

/** One inbound audio stream's counters (getStats `inbound-rtp`), cumulative since its receiver began. */
export interface AudioStreamCounters {
  packetsReceived: number;
  concealedSamples: number;
  totalSamplesReceived: number;
  jitterBufferDelay: number;
  jitterBufferTargetDelay: number;
  jitterBufferEmittedCount: number;
  /** RFC 3550 interarrival jitter (s), a smoothed current value (not a counter). */
  jitter: number;
}

/** Counters of the page's peer connections (getStats). */
export interface LinkSample {
  at: number;
  audio: {
    /** Summed over the inbound audio streams (whether any audio arrived). */
    packetsReceived: number;
    /**
     * Per inbound audio stream (peer connection and stats id): a receiver the client replaced (a fresh jitter
     * buffer) starts its counters from zero, so intervals are taken stream by stream (`between`).
     */
    streams: Record<string, AudioStreamCounters>;
    codecs: string[];
  };
  /** The selected candidate pairs' current round-trip time (s), the largest; NaN when none measured. */
  rttS: number;
  video: { framesDecoded: number; frameHeight: number; bytesReceived: number };
  /** Outbound video per rid (a publisher): bytes sent, height, whether the encoding is active. */
  outbound: Record<string, { bytesSent: number; frameHeight: number; active: boolean | null }>;
  notice: boolean;
}

declare global {
  interface Window {
    __bmPcs?: RTCPeerConnection[];
  }
}

/** Records every RTCPeerConnection the page makes, so the test can read its getStats. */
async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const pcs: RTCPeerConnection[] = [];
    Object.defineProperty(window, '__bmPcs', { value: pcs, enumerable: false });
    class Recorded extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        pcs.push(this);
        const events = ((window as unknown as { __bmPcEvents: string[] }).__bmPcEvents ??= []);
        const n = pcs.length;
        this.addEventListener('connectionstatechange', () =>
          events.push(`pc${n} ${this.connectionState} ${Math.round(performance.now())}`),
        );
      }
    }
    window.RTCPeerConnection = Recorded;
  });
}

export async function sample(page: Page): Promise<LinkSample> {
  const s = await page.evaluate(async () => {
    const audio = {
      packetsReceived: 0,
      streams: {} as Record<string, AudioStreamCounters>,
      codecs: [] as string[],
    };
    let rttS = NaN;
    let pcIndex = -1;
    const video = { framesDecoded: 0, frameHeight: 0, bytesReceived: 0 };
    const outbound: Record<string, { bytesSent: number; frameHeight: number; active: boolean | null }> = {};
    for (const pc of window.__bmPcs ?? []) {
      pcIndex += 1;
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      report.forEach((r: Record<string, unknown>) => byId.set(r.id as string, r));
      for (const r of byId.values()) {
        const num = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : 0);
        if (r.type === 'transport' && typeof r.selectedCandidatePairId === 'string') {
          const pair = byId.get(r.selectedCandidatePairId);
          const rtt = pair?.currentRoundTripTime;
          if (typeof rtt === 'number') rttS = Number.isNaN(rttS) ? rtt : Math.max(rttS, rtt);
        }
        if (r.type === 'inbound-rtp' && r.kind === 'audio') {
          audio.packetsReceived += num('packetsReceived');
          audio.streams[`${pcIndex}:${String(r.id)}`] = {
            packetsReceived: num('packetsReceived'),
            concealedSamples: num('concealedSamples'),
            totalSamplesReceived: num('totalSamplesReceived'),
            jitterBufferDelay: num('jitterBufferDelay'),
            jitterBufferTargetDelay: num('jitterBufferTargetDelay'),
            jitterBufferEmittedCount: num('jitterBufferEmittedCount'),
            jitter: num('jitter'),
          };
          const codec = byId.get(r.codecId as string);
          if (codec) audio.codecs.push(String(codec.mimeType));
        } else if (r.type === 'inbound-rtp' && r.kind === 'video') {
          video.framesDecoded += num('framesDecoded');
          video.bytesReceived += num('bytesReceived');
          video.frameHeight = Math.max(video.frameHeight, num('frameHeight'));
        } else if (r.type === 'outbound-rtp' && r.kind === 'video' && typeof r.rid === 'string') {
          outbound[r.rid] = {
            bytesSent: num('bytesSent'),
            frameHeight: num('frameHeight'),
            active: typeof r.active === 'boolean' ? r.active : null,
          };
        }
      }
    }
    const notice = document.querySelector('[data-testid=weak-network-notice]') !== null;
    return { audio, rttS, video, outbound, notice };
  });
  return { at: Date.now(), ...s };
}

/**
 * Audio over an interval: concealed share, mean jitter-buffer delay and target (s), summed stream by stream (a
 * stream that began after `a` counts from zero; one gone by `b` is left out); the largest interarrival jitter at
 * `b`; video fps and the largest height.
 */
export function between(a: LinkSample, b: LinkSample) {
  // A counter that went down belongs to a new connection (a reconnect): it counts from zero.
  const d = (x: number, y: number) => (y >= x ? y - x : y);
  let samples = 0;
  let emitted = 0;
  let concealed = 0;
  let delay = 0;
  let target = 0;
  let jitter = 0;
  for (const [id, y] of Object.entries(b.audio.streams)) {
    const x = a.audio.streams[id];
    const dx = (k: keyof AudioStreamCounters) => (x ? d(x[k], y[k]) : y[k]);
    samples += dx('totalSamplesReceived');
    emitted += dx('jitterBufferEmittedCount');
    concealed += dx('concealedSamples');
    delay += dx('jitterBufferDelay');
    target += dx('jitterBufferTargetDelay');
    jitter = Math.max(jitter, y.jitter);
  }
  return {
    concealed: samples > 0 ? concealed / samples : 1,
    jitterDelayS: emitted > 0 ? delay / emitted : NaN,
    jitterTargetS: emitted > 0 ? target / emitted : NaN,
    arrivalJitterS: jitter,
    rttS: b.rttS,
    fps: (d(a.video.framesDecoded, b.video.framesDecoded) * 1000) / Math.max(1, b.at - a.at),
    frameHeight: b.video.frameHeight,
  };
}

export interface WeakSession {
  server: AppServer;
  ns: ShapedNamespace;
  hostBrowser: Browser;
  phoneBrowser: Browser;
  host: Page;
  phone: Page;
  /** Every websocket the phone's page opened (its signalling must be one, as in production). */
  phoneWebsockets: string[];
  hostPeerId: string;
  meetingUrl: string;
  close(): Promise<void>;
}

/** A signed-in page (tokens got over `apiBase`, the test's own way to the server). */
async function contextFor(
  browser: Browser,
  apiBase: string,
  login: string,
  phone: boolean,
  websockets: string[] = [],
) {
  const t = await apiLogin(apiBase, login);
  const context = await browser.newContext({
    ...(phone
      ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true }
      : { viewport: { width: 1280, height: 800 } }),
    permissions: ['camera', 'microphone'],
  });
  await context.addInitScript(
    (tokens) => {
      localStorage.setItem('branchmeet.tokens', JSON.stringify(tokens));
      localStorage.setItem('branchmeet.testHooks', '1');
    },
    { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresIn: t.expiresIn },
  );
  await recordPeerConnections(context);
  const page = await context.newPage();
  page.on('websocket', (ws) => websockets.push(ws.url()));
  page.on('pageerror', (e) => console.warn(`[${login} pageerror]`, e.message));
  if (process.env.WEAK_DEBUG) {
    page.on('websocket', (ws) => {
      console.log(`[${login}] websocket ${ws.url()}`);
      ws.on('framereceived', (f) => {
        if (String(f.payload).includes('media.layers'))
          console.log(`[${login}] ${Date.now()} ${String(f.payload)}`);
      });
      ws.on('framesent', (f) => {
        const text = String(f.payload);
        if (text.includes('consumer.renew') || text.includes('room.join'))
          console.log(`[${login}] ${Date.now()} sent ${text.slice(0, 120)}`);
        if (text.length > 1000)
          console.log(`[${login}] ${Date.now()} sent ${text.length} B ${text.slice(0, 40)}`);
      });
      ws.on('framereceived', (f) => {
        const text = String(f.payload);
        if (text.length > 1000)
          console.log(`[${login}] ${Date.now()} received ${text.length} B ${text.slice(0, 40)}`);
      });
    });
    page.on('console', (m) => {
      if (m.type() === 'warning' || m.type() === 'error') console.log(`[${login} console] ${m.text()}`);
    });
  }
  return page;
}

/**
 * The secretary (host namespace, speech-like mic and camera) opens a meeting; a member's phone-sized Chromium in
 * its own namespace behind the shaper (unshaped for now) waits on the pre-join page with its camera off.
 */
export async function startWeakSession(): Promise<WeakSession> {
  const ns = await createShapedNamespace();
  const cleanup: (() => Promise<unknown>)[] = [() => ns.close()];
  const close = async () => {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  };
  try {
    const server = await startAppServer({
      env: {
        HOST: '0.0.0.0',
        MEDIA_LISTEN_IP: '0.0.0.0',
        MEDIA_ANNOUNCED_ADDRESS: ns.hostAddress,
        ...(process.env.WEAK_DEBUG ? { DOWNLINK_DEBUG: '1' } : {}),
      },
    });
    cleanup.push(() => server.stop());
    // The phone opens the app as a `*.localhost` host that its Chromium maps to the host's end of the shaped
    // link: an origin Chromium trusts as it is (secure context: camera, microphone, service worker) without a flag
    // that makes one plain-HTTP origin secure — with that flag the page asked for wss:// of the plain-HTTP server
    // and socket.io stayed on long-polling; here it gets its websocket as over HTTPS in production.
    const phoneBase = server.baseUrl.replace('127.0.0.1', PHONE_HOST);
    const wav = join(artifactsDir, 'speech.wav');
    writeSpeechWav(wav);
    const hostBrowser = await launchBrowser([`--use-file-for-fake-audio-capture=${wav}`]);
    cleanup.push(() => hostBrowser.close());
    const phoneBrowser = await launchBrowser([`--host-resolver-rules=MAP ${PHONE_HOST} ${ns.hostAddress}`], {
      executablePath: ns.chromium,
    });
    cleanup.push(() => phoneBrowser.close());

    const t = await apiLogin(server.baseUrl, 'secretary1');
    const b1 = await branchId(server.baseUrl, t.accessToken, '第一党支部');
    const host = await contextFor(hostBrowser, server.baseUrl, 'secretary1', false);
    await host.goto(`${server.baseUrl}/units/${b1}`, { waitUntil: 'domcontentloaded' });
    await host.getByTestId('open-meeting').click();
    await host.waitForURL(/\/meetings\/[0-9a-f-]+/);
    const path = new URL(host.url()).pathname;
    await host.getByTestId('prejoin-join').click();
    await host.getByTestId('room-grid').waitFor();
    await until('secretary joined', async () => (await peerIdOf(host)) !== null, 30_000);
    const hostPeerId = (await peerIdOf(host))!;

    const phoneWebsockets: string[] = [];
    const phone = await contextFor(phoneBrowser, server.baseUrl, '13800000013', true, phoneWebsockets);
    const meetingUrl = `${phoneBase}${path}`;
    await phone.goto(meetingUrl, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await phone.getByTestId('prejoin-join').waitFor({ timeout: 60_000 });
    const camera = phone.getByTestId('prejoin-camera-toggle');
    if ((await camera.getAttribute('aria-checked')) === 'true') await camera.click();
    return {
      server,
      ns,
      hostBrowser,
      phoneBrowser,
      host,
      phone,
      phoneWebsockets,
      hostPeerId,
      meetingUrl,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Shapes the link, waits a moment, clicks 加入 on the phone and returns when the first audio and the first frame
 * arrived (ms after the click; the frame may still be missing when video is held back: then NaN).
 */
export async function joinOver(
  s: WeakSession,
  profile: LinkProfile,
  timeoutMs = 40_000,
): Promise<{ joinedAt: number; firstAudioMs: number; firstFrameMs: number }> {
  s.ns.setProfile(profile);
  await new Promise((r) => setTimeout(r, 1500));
  const joinedAt = Date.now();
  const clickPerf = await s.phone.evaluate(() => performance.now());
  const requests: string[] = [];
  const onRequest = (r: { url(): string }) => requests.push(`${Date.now() - joinedAt} ${r.url()}`);
  if (process.env.WEAK_DEBUG) s.phone.on('request', onRequest);
  await s.phone.getByTestId('prejoin-join').click();
  let firstAudioMs = NaN;
  let firstFrameMs = NaN;
  while (Date.now() - joinedAt < timeoutMs) {
    const x = await sample(s.phone);
    if (Number.isNaN(firstAudioMs) && x.audio.packetsReceived > 0) firstAudioMs = x.at - joinedAt;
    if (Number.isNaN(firstFrameMs) && x.video.framesDecoded > 0) firstFrameMs = x.at - joinedAt;
    if (!Number.isNaN(firstAudioMs) && (!Number.isNaN(firstFrameMs) || x.at - joinedAt > 15_000)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (process.env.WEAK_DEBUG) {
    const trace = await s.phone.evaluate(() => window.__bmRoom?.signalTrace?.());
    const pcEvents = await s.phone.evaluate(
      () => (window as unknown as { __bmPcEvents?: string[] }).__bmPcEvents ?? [],
    );
    console.log(`click at ${Math.round(clickPerf)}; ${pcEvents.join(', ')}`);
    s.phone.off('request', onRequest);
    console.log(`requests after the click:\n${requests.join('\n')}`);
    console.log(
      'join trace (ms after the click):',
      trace?.connectedAt != null ? `socket ${Math.round(trace.connectedAt - clickPerf)}` : 'no socket',
      (trace?.requests ?? [])
        .map(
          (r) =>
            `${r.event} ${Math.round(r.sentAt - clickPerf)}→${r.ackAt === null ? '-' : Math.round(r.ackAt - clickPerf)}`,
        )
        .join(', '),
    );
  }
  return { joinedAt, firstAudioMs, firstFrameMs };
}

/** Samples the phone every `everyMs` for `ms`. */
export async function observe(page: Page, ms: number, everyMs = 1000): Promise<LinkSample[]> {
  const out: LinkSample[] = [await sample(page)];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, everyMs));
    out.push(await sample(page));
  }
  return out;
}
