import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';

export const artifactsDir = join(__dirname, '../artifacts');
mkdirSync(artifactsDir, { recursive: true });

/**
 * Debian's Chromium, headless, with the flags that work on these machines (no downloads of its own), plus `extra`
 * (e.g. a test certificate's SPKI to trust).
 */
export function launchBrowser(extra: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--allow-loopback-in-peer-connection',
      ...extra,
    ],
  });
}
