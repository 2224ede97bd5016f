import type { Browser } from 'playwright-core';
import { AppServer, startAppServer } from './support/app-server';
import { launchBrowser } from './support/browser';
import { freshContext, loadLogin, waitForServiceWorker } from './support/first-load';

/**
 * A light first load: the built app (server/dist serving client/dist) sends the login page's files
 * precompressed, caches hashed assets for a year and index.html never without asking, and a second visit takes
 * them from the service worker's cache instead of the network.
 */
describe('first load of the login page', () => {
  let server: AppServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startAppServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('is sent compressed with the right caching, and is a fraction of the uncompressed bytes', async () => {
    const compressed = await loadLogin(await freshContext(browser), server.baseUrl);
    const assets = compressed.responses.filter((r) => /\/assets\//.test(r.url));
    const scripts = assets.filter((r) => /\.js$/.test(r.url));
    expect(scripts.length).toBeGreaterThan(0);
    // Every script brotli-compressed (a stylesheet of a few bytes is not worth it and goes as it is).
    for (const r of scripts) expect(r.encoding).toBe('br');
    for (const r of assets) expect(r.cacheControl).toBe('public, max-age=31536000, immutable');
    const index = compressed.responses.find((r) => new URL(r.url).pathname === '/login');
    expect(index?.cacheControl).toBe('no-cache');
    // Nothing the login page loads is the room, the charts or the minutes editor.
    expect(compressed.responses.map((r) => r.url).join('\n')).not.toMatch(
      /meeting-page|statistics|minutes-page/,
    );

    const identity = await loadLogin(await freshContext(browser), server.baseUrl, { identity: true });
    expect(identity.responses.filter((r) => /\/assets\//.test(r.url)).every((r) => !r.encoding)).toBe(true);
    // Measured side by side: brotli sends well under half the bytes of the same files uncompressed.
    expect(compressed.wireBytes).toBeLessThan(identity.wireBytes * 0.4);
  });

  it('a second visit loads no script or style over the network (service worker), nor the API through it', async () => {
    const context = await freshContext(browser);
    await loadLogin(context, server.baseUrl);
    await waitForServiceWorker(context, server.baseUrl);
    const second = await loadLogin(context, server.baseUrl);
    const assets = second.responses.filter((r) => /\/assets\//.test(r.url));
    expect(assets.length).toBeGreaterThan(0);
    expect(assets.filter((r) => r.wireBytes > 0)).toEqual([]);
    expect(assets.every((r) => r.fromServiceWorker)).toBe(true);
    // The API is never answered from the worker's cache.
    const api = second.responses.filter((r) => new URL(r.url).pathname.startsWith('/api/'));
    expect(api.every((r) => !r.fromServiceWorker)).toBe(true);
    await context.close();
  });
});
