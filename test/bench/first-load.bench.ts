/**
 * First-load benchmark (issue 16): the login page of the built app in a phone-sized Chromium over an emulated
 * 400 kbit/s link (300 ms round trip; Chrome DevTools network emulation). Side by side in one run:
 * - uncompressed: the same files asked for with `Accept-Encoding: identity` (what every visit cost before),
 * - first visit: precompressed brotli, nothing cached,
 * - second visit: the same browser profile again, the service worker's cache in place.
 * Prints bytes over the network and the time until the login form is usable. Target: usable < 8 s on first visit.
 * Run alone: `node -r ts-node/register/transpile-only test/bench/first-load.bench.ts` (after `npm run build`).
 */
import { startAppServer } from '../e2e/support/app-server';
import { launchBrowser } from '../e2e/support/browser';
import {
  freshContext,
  loadLogin,
  PROFILE_400K,
  waitForServiceWorker,
  type LoadMeasure,
} from '../e2e/support/first-load';

const TARGET_USABLE_MS = 8000;

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
    const pass = first.usableMs < TARGET_USABLE_MS;
    console.log(`${pass ? 'PASS' : 'WARN'} first visit usable in < ${TARGET_USABLE_MS / 1000} s`);
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
