/**
 * Join benchmark: how long a member takes from the `/rtc` socket's connect to the
 * first decoded frame of a remote camera, and how many signalling round trips lie on that path. The built app
 * (server/dist serving client/dist) on a fresh database, with one mediasoup worker; Debian's Chromium with fake
 * devices. A publisher (secretary1, camera + mic) stays in the room; a joiner (organizer 张伟, camera + mic) joins
 * through the pre-join page, is measured, leaves, and does it again, JOINS times.
 *
 * Every time is taken inside the joiner's page (performance.now()): the socket's connect and each request/ack come
 * from the room's signal trace (`window.__bmRoom.signalTrace()`), the first frame from the consumer's inbound-rtp
 * `framesDecoded > 0`, polled every 20 ms. Baseline, same run, same browser: a bare RTCPeerConnection between two
 * pages (fake camera → decoder, offer/answer passed through Node, non-trickle ICE), from createOffer to the first
 * decoded frame: the floor any WebRTC join pays on this machine.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startAppServer } from '../e2e/support/app-server';
import { launchBrowser } from '../e2e/support/browser';
import { apiLogin, branchId, openAs, until } from '../e2e/support/room';

const JOINS = Number(process.env.BENCH_JOINS ?? 10);
const TARGET_MEDIAN_MS = 1000;
const TARGET_P95_MS = 1500;
const TARGET_ROUND_TRIPS = 4;

interface TracedRequest {
  event: string;
  sentAt: number;
  ackAt: number | null;
}
export interface JoinSample {
  /** from the room's start on a connected socket (the trace's connectedAt) to the first decoded remote frame */
  ms: number;
  /** from the click on the pre-join page's join button to the first decoded remote frame */
  fromClickMs: number;
  /** acks received between connect and the first frame (all requests, publishing included) */
  acks: number;
  /** the longest chain of requests each sent after the previous one's ack: round trips paid one after another */
  sequential: number;
  chain: string[];
  events: string[];
}

export const median = (xs: number[]) => quantile(xs, 0.5);
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * The longest chain of requests, each sent after the previous one was acknowledged, that ends with `last`: the
 * round trips paid one after another before `last` could be answered. Requests on other paths (publishing while
 * receiving) do not count, even when they are answered first.
 */
function criticalPath(requests: TracedRequest[], last: TracedRequest): string[] {
  const done = requests
    .filter((r): r is TracedRequest & { ackAt: number } => r.ackAt !== null && r.ackAt <= last.ackAt!)
    .sort((a, b) => a.sentAt - b.sentAt);
  const best: string[][] = done.map((r) => [r.event]);
  for (let i = 0; i < done.length; i++) {
    for (let j = 0; j < i; j++) {
      if (done[j].ackAt <= done[i].sentAt && best[j].length + 1 > best[i].length)
        best[i] = [...best[j], done[i].event];
    }
  }
  const end = done.indexOf(last as TracedRequest & { ackAt: number });
  return end >= 0 ? best[end] : [];
}

/**
 * In the page, before the join click: resolves with the trace once a remote camera frame is decoded, and notes when
 * the join button is clicked (a capturing listener on window runs before the app's own handler).
 */
function armFirstFrame(page: Page): Promise<void> {
  return page.evaluate(() => {
    const armedAt = performance.now();
    const w = window as unknown as { __bmFirstFrame?: Promise<unknown>; __bmClickAt?: number };
    delete w.__bmClickAt;
    window.addEventListener('click', () => (w.__bmClickAt ??= performance.now()), {
      capture: true,
      once: true,
    });
    w.__bmFirstFrame = new Promise((resolve, reject) => {
      const deadline = armedAt + 20_000;
      const tick = async () => {
        const room = window.__bmRoom;
        const trace = room?.signalTrace?.();
        if (room && trace && trace.connectedAt !== null && trace.connectedAt > armedAt) {
          const rows = await room.stats();
          if (rows.some((r) => r.kind === 'video' && r.source === 'camera' && (r.framesDecoded ?? 0) > 0)) {
            const firstFrameAt = performance.now();
            resolve({ firstFrameAt, clickAt: w.__bmClickAt ?? armedAt, trace: room.signalTrace!() });
            return;
          }
        }
        if (performance.now() > deadline) reject(new Error('no remote frame decoded within 20 s'));
        else setTimeout(() => void tick(), 20);
      };
      void tick();
    });
  });
}

export async function measureJoin(page: Page, meetingUrl: string): Promise<JoinSample> {
  await page.goto(meetingUrl, { waitUntil: 'domcontentloaded' });
  await page.getByTestId('prejoin-preview').waitFor();
  await armFirstFrame(page);
  await page.getByTestId('prejoin-join').click();
  const { firstFrameAt, clickAt, trace } = (await page.evaluate(
    () => (window as unknown as { __bmFirstFrame: Promise<unknown> }).__bmFirstFrame,
  )) as {
    firstFrameAt: number;
    clickAt: number;
    trace: { connectedAt: number; requests: TracedRequest[] };
  };
  // Media flows to the joiner once its consumer is resumed: the round trips that count are those on the way to the
  // last consumer.resume answered before the first frame (the camera's; publishing runs beside it).
  const before = trace.requests.filter((r) => r.ackAt !== null && r.ackAt <= firstFrameAt);
  const resumes = before.filter((r) => r.event === 'consumer.resume');
  const lastResume = resumes.reduce<TracedRequest | null>(
    (a, b) => (!a || b.ackAt! > a.ackAt! ? b : a),
    null,
  );
  const chain = lastResume ? criticalPath(trace.requests, lastResume) : [];
  // leave, so the next join is a fresh one (not a resumed seat) and the publisher sees one joiner at a time
  await page.getByTestId('ctl-leave').click();
  await page.getByTestId('room-final').waitFor();
  return {
    ms: firstFrameAt - trace.connectedAt,
    fromClickMs: firstFrameAt - clickAt,
    acks: before.length,
    sequential: chain.length,
    chain,
    events: before.map((r) => r.event),
  };
}

/** One bare RTCPeerConnection from page a (fake camera) to page b; ms from createOffer to b's first decoded frame. */
async function loopbackOnce(a: Page, b: Page): Promise<number> {
  const gather = `new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); })`;
  const offer = (await a.evaluate(`(async () => {
    window.__pc?.close();
    const stream = window.__cam ??= await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    const pc = (window.__pc = new RTCPeerConnection());
    pc.addTrack(stream.getVideoTracks()[0], stream);
    window.__t0 = performance.timeOrigin + performance.now();
    await pc.setLocalDescription(await pc.createOffer());
    await ${gather};
    return { sdp: pc.localDescription.sdp, t0: window.__t0 };
  })()`)) as { sdp: string; t0: number };
  const answer = (await b.evaluate(`(async () => {
    window.__pc?.close();
    const pc = (window.__pc = new RTCPeerConnection());
    await pc.setRemoteDescription({ type: 'offer', sdp: ${JSON.stringify(offer.sdp)} });
    await pc.setLocalDescription(await pc.createAnswer());
    await ${gather};
    window.__firstFrame = new Promise((resolve, reject) => {
      const deadline = performance.now() + 20000;
      const tick = async () => {
        let frames = 0;
        (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0; });
        if (frames > 0) resolve(performance.timeOrigin + performance.now());
        else if (performance.now() > deadline) reject(new Error('loopback: no frame'));
        else setTimeout(tick, 20);
      };
      tick();
    });
    return pc.localDescription.sdp;
  })()`)) as string;
  await a.evaluate(`window.__pc.setRemoteDescription({ type: 'answer', sdp: ${JSON.stringify(answer)} })`);
  const t1 = (await b.evaluate('window.__firstFrame')) as number;
  return t1 - offer.t0;
}

export async function baseline(browser: Browser, origin: string, runs: number): Promise<number[]> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  try {
    const a = await context.newPage();
    const b = await context.newPage();
    // a secure context (getUserMedia): any page of the app's origin; nothing of the app runs in it
    await Promise.all([a.goto(`${origin}/api/health`), b.goto(`${origin}/api/health`)]);
    const out: number[] = [];
    for (let i = 0; i < runs; i++) out.push(await loopbackOnce(a, b));
    return out;
  } finally {
    await context.close();
  }
}

export interface JoinRoom {
  meetingUrl: string;
  publisher: { context: BrowserContext; page: Page };
  joiner: { context: BrowserContext; page: Page };
}

/**
 * A live meeting of 第一党支部 on the app at `baseUrl` with the publisher (secretary1, camera + mic) in it, and the
 * joiner's signed-in page (organizer 张伟), not yet in the room. `prepare` runs on each context before its first page
 * load (e.g. an init script).
 */
export async function openJoinRoom(
  browser: Browser,
  baseUrl: string,
  prepare: (context: BrowserContext) => Promise<void> = async () => undefined,
): Promise<JoinRoom> {
  const t = await apiLogin(baseUrl, 'secretary1');
  const unit = await branchId(baseUrl, t.accessToken, '第一党支部');
  const res = await fetch(`${baseUrl}/api/org-units/${unit}/meetings/live`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({}),
  });
  if (!res.ok) throw new Error(`open meeting: ${res.status} ${await res.text()}`);
  const meeting = (await res.json()) as { id: string };
  const meetingUrl = `${baseUrl}/meetings/${meeting.id}`;

  const publisher = await openAs(browser, baseUrl, 'secretary1', { width: 640, height: 480 });
  await prepare(publisher.context);
  await publisher.page.goto(meetingUrl, { waitUntil: 'domcontentloaded' });
  await publisher.page.getByTestId('prejoin-join').click();
  await until(
    'publisher joined',
    async () =>
      (await publisher.page.getByTestId('connection-state').getAttribute('data-state')) === 'joined',
    20_000,
  );
  const joiner = await openAs(browser, baseUrl, '13800000012', { width: 640, height: 480 });
  await prepare(joiner.context);
  return { meetingUrl, publisher, joiner };
}

export async function joinBench(joins = JOINS): Promise<{ pass: boolean }> {
  const server = await startAppServer({ mediaWorkers: 1 });
  const browser = await launchBrowser();
  try {
    const { meetingUrl, publisher, joiner } = await openJoinRoom(browser, server.baseUrl);
    await measureJoin(joiner.page, meetingUrl); // warm-up: first page load, caches, codec init (not counted)
    const samples: JoinSample[] = [];
    for (let i = 0; i < joins; i++) samples.push(await measureJoin(joiner.page, meetingUrl));
    await joiner.context.close();
    await publisher.context.close();
    const floor = await baseline(browser, server.baseUrl, joins);

    const times = samples.map((s) => s.ms);
    const med = median(times);
    const p95 = quantile(times, 0.95);
    const baseMed = median(floor);
    const acks = Math.max(...samples.map((s) => s.acks));
    const worst = samples.reduce((a, b) => (b.sequential > a.sequential ? b : a));
    const seq = worst.sequential;
    const msf = (x: number) => `${x.toFixed(0).padStart(5)} ms`;

    console.log(
      `\njoin: ${joins} joins (after 1 warm-up), socket connect → first remote camera frame decoded`,
    );
    console.log(
      `  join      median ${msf(med)}   p95 ${msf(p95)}   min ${msf(Math.min(...times))}   max ${msf(Math.max(...times))}`,
    );
    console.log(`            each   ${times.map((x) => x.toFixed(0)).join(' ')} ms`);
    console.log(
      `  baseline  median ${msf(baseMed)}   p95 ${msf(quantile(floor, 0.95))}   (bare RTCPeerConnection between two pages, createOffer → first frame)`,
    );
    console.log(`  ratio join / baseline (medians)  ${(med / baseMed).toFixed(2)}x`);
    console.log(
      `  signalling: ${acks} acks at most between connect and the first frame, publishing included (${samples[0].events.join(', ')})`,
    );
    console.log(
      `  round trips before media flows: ${seq} at most (longest chain of requests each sent after the previous ` +
        `one's ack, up to the consumer.resume ack: ${worst.chain.join(' → ')})`,
    );
    const checks = [
      [`median under ${TARGET_MEDIAN_MS} ms`, med < TARGET_MEDIAN_MS, msf(med).trim()],
      [`p95 under ${TARGET_P95_MS} ms`, p95 < TARGET_P95_MS, msf(p95).trim()],
      [`at most ${TARGET_ROUND_TRIPS} round trips before media flows`, seq <= TARGET_ROUND_TRIPS, `${seq}`],
    ] as const;
    for (const [what, ok, value] of checks)
      console.log(`  target: ${what} → ${ok ? 'PASS' : 'WARN'} (${value})`);
    return { pass: checks.every(([, ok]) => ok) };
  } finally {
    await browser.close();
    await server.stop();
  }
}
