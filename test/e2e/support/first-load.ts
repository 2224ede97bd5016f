import type { Browser, BrowserContext, CDPSession } from 'playwright-core';

/** One response of a page load, as the browser's network stack saw it (Chrome DevTools Protocol). */
export interface LoadedResponse {
  url: string;
  status: number;
  /** Bytes that came over the network (headers + body as sent, compressed when it was): 0 from a cache. */
  wireBytes: number;
  encoding?: string;
  cacheControl?: string;
  fromServiceWorker: boolean;
  fromCache: boolean;
}

export interface LoadMeasure {
  /** ms from navigation to the login form usable (its button visible). */
  usableMs: number;
  wireBytes: number;
  responses: LoadedResponse[];
}

/** A weak mobile link, as the weak-network 400 kbit/s profile (150 ms each way). */
export const PROFILE_400K = { latencyMs: 300, downloadBps: 400_000, uploadBps: 400_000 };

async function watchNetwork(cdp: CDPSession): Promise<() => LoadedResponse[]> {
  const byId = new Map<string, LoadedResponse>();
  await cdp.send('Network.enable');
  cdp.on('Network.responseReceived', (e) => {
    const h = Object.fromEntries(
      Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    byId.set(e.requestId, {
      url: e.response.url,
      status: e.response.status,
      wireBytes: 0,
      encoding: h['content-encoding'],
      cacheControl: h['cache-control'],
      fromServiceWorker: e.response.fromServiceWorker === true,
      fromCache: e.response.fromDiskCache === true || e.response.fromPrefetchCache === true,
    });
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = byId.get(e.requestId);
    if (r) r.wireBytes = r.fromServiceWorker || r.fromCache ? 0 : e.encodedDataLength;
  });
  return () => [...byId.values()];
}

/**
 * Opens /login in `context` (a fresh one is a first visit; the same one again, a second) over an emulated link
 * and measures what came over the network until the login form is usable. `identity` asks for no compression (the
 * server's uncompressed files: what the app sent before the light first load).
 */
export async function loadLogin(
  context: BrowserContext,
  baseUrl: string,
  opts: { link?: typeof PROFILE_400K; identity?: boolean } = {},
): Promise<LoadMeasure> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const responses = await watchNetwork(cdp);
  if (opts.link)
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: opts.link.latencyMs,
      downloadThroughput: opts.link.downloadBps / 8,
      uploadThroughput: opts.link.uploadBps / 8,
    });
  if (opts.identity)
    await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
  const started = Date.now();
  await page.goto(`${baseUrl}/login`, { waitUntil: 'domcontentloaded', timeout: 180_000 });
  await page.locator('button[type=submit]').waitFor({ state: 'visible', timeout: 180_000 });
  const usableMs = Date.now() - started;
  await page.waitForLoadState('load', { timeout: 180_000 }).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300)); // the last loadingFinished events
  const list = responses();
  await page.close();
  return { usableMs, wireBytes: list.reduce((s, r) => s + r.wireBytes, 0), responses: list };
}

/** Waits until the page's service worker controls it (the second visit is then served from its cache). */
export async function waitForServiceWorker(context: BrowserContext, baseUrl: string): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`, { waitUntil: 'domcontentloaded' });
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return reg.active?.state;
  });
  await page.close();
}

export async function freshContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true });
}
