/**
 * First-load benchmark: the login page of the built app in a phone-sized Chromium over an emulated
 * 400 kbit/s link (300 ms round trip; Chrome DevTools network emulation). Side by side in one run:
 * - uncompressed: the same files asked for with `Accept-Encoding: identity` (what every visit cost before),
 * - first visit: precompressed brotli, nothing cached,
 * - second visit: the same browser profile again, the service worker's cache in place.
 * - cold path: a fresh browser from /login through signing in to a meeting's pre-join page (lazy chunks included).
 * Prints bytes over the network and the time until the login form is usable. Targets: usable < 8 s on first
 * visit, the cold path to the pre-join page < 15 s.
 * Run alone: `node -r ts-node/register/transpile-only test/bench/first-load.bench.ts` (after `npm run build`).
 */
import type { BrowserContext } from 'playwright-core';
import { startAppServer } from '../e2e/support/app-server';
import { launchBrowser } from '../e2e/support/browser';
import {
  freshContext,
  loadLogin,
  PROFILE_400K,
  waitForServiceWorker,
  type LoadMeasure,
} from '../e2e/support/first-load';

import { apiCall, apiLogin, branchId, PASSWORD } from '../e2e/support/room';

const TARGET_USABLE_MS = 8000;
const TARGET_PREJOIN_MS = 15_000;

/** A fresh visitor over the 400 kbit/s link: /login, sign in, then the meeting's pre-join page (in-app navigation). */
async function coldPathToPrejoin(context: BrowserContext, baseUrl: string, meetingPath: string) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  let wireBytes = 0;
  await cdp.send('Network.enable');
  cdp.on('Network.loadingFinished', (e) => (wireBytes += e.encodedDataLength));
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: PROFILE_400K.latencyMs,
    downloadThroughput: PROFILE_400K.downloadBps / 8,
    uploadThroughput: PROFILE_400K.uploadBps / 8,
  });
  const started = Date.now();
  await page.goto(`${baseUrl}/login`, { waitUntil: 'domcontentloaded', timeout: 180_000 });
  await page.getByTestId('login-input').fill('13800000013');
  await page.getByTestId('password-input').fill(PASSWORD);
  const loginMs = Date.now() - started;
  const loginBytes = wireBytes;
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 180_000 });
  await page.evaluate((path) => {
    history.pushState({}, '', path);
    dispatchEvent(new PopStateEvent('popstate'));
  }, meetingPath);
  await page.getByTestId('prejoin-join').waitFor({ state: 'visible', timeout: 180_000 });
  const prejoinMs = Date.now() - started;
  await new Promise((r) => setTimeout(r, 300));
  await page.close();
  return { loginMs, loginBytes, prejoinMs, prejoinBytes: wireBytes };
}

export async function firstLoadBench(): Promise<{ pass: boolean }> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  const server = await startAppServer();
  const browser = await launchBrowser();
  try {
    const identity = await loadLogin(await freshContext(browser), server.baseUrl, {
      link: PROFILE_400K,
      identity: true,
    });
    const context = await freshContext(browser);
    const first = await loadLogin(context, server.baseUrl, { link: PROFILE_400K });
    await waitForServiceWorker(context, server.baseUrl);
    const second = await loadLogin(context, server.baseUrl, { link: PROFILE_400K });
    const row = (name: string, m: LoadMeasure) =>
      `  ${name.padEnd(28)} ${String(m.wireBytes).padStart(10)} B ${(m.usableMs / 1000).toFixed(1).padStart(7)} s`;
    console.log(
      '\nfirst load of /login at 400 kbit/s, 300 ms RTT (bytes over the network, time to usable form)',
    );
    console.log(row('uncompressed (identity)', identity));
    console.log(row('first visit (brotli)', first));
    console.log(row('second visit (service worker)', second));
    console.log(
      `  ratio first/uncompressed bytes: ${(first.wireBytes / identity.wireBytes).toFixed(3)}, ` +
        `time: ${(first.usableMs / identity.usableMs).toFixed(3)}`,
    );
    const host = await apiLogin(server.baseUrl, 'secretary1');
    const unit = await branchId(server.baseUrl, host.accessToken, '第一党支部');
    const meeting = await apiCall<{ id: string }>(
      server.baseUrl,
      host.accessToken,
      `/org-units/${unit}/meetings/live`,
      {},
    );
    const cold = await coldPathToPrejoin(
      await freshContext(browser),
      server.baseUrl,
      `/meetings/${meeting.id}`,
    );
    console.log(
      `  cold path to the pre-join page: login form filled at ${(cold.loginMs / 1000).toFixed(1)} s ` +
        `(${cold.loginBytes} B); pre-join page at ${(cold.prejoinMs / 1000).toFixed(1)} s, ${cold.prejoinBytes} B in all`,
    );
    const pass = first.usableMs < TARGET_USABLE_MS && cold.prejoinMs < TARGET_PREJOIN_MS;
    console.log(
      `${pass ? 'PASS' : 'WARN'} first visit usable in < ${TARGET_USABLE_MS / 1000} s, ` +
        `pre-join page in < ${TARGET_PREJOIN_MS / 1000} s`,
    );
    return { pass };
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (require.main === module)
  firstLoadBench().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
