import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';

export const artifactsDir = join(__dirname, '../artifacts');
mkdirSync(artifactsDir, { recursive: true });

/**
 * Debian's Chromium, headless, with the flags that work on these machines (no downloads of its own), plus `extra`
 * (e.g. a test certificate's SPKI to trust); `executablePath` runs another launcher (e.g. Chromium in a network
 * namespace).
 */
export function launchBrowser(
  extra: readonly string[] = [],
  opts: { executablePath?: string } = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: opts.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
