import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Debian's Chromium (installed by .ci/run), or CHROMIUM_PATH. */
export const chromiumPath = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
].find((p): p is string => typeof p === 'string' && existsSync(p));

/**
 * Browser tests need Chromium. In CI a missing browser is a failure; on a
 * developer's machine without it they are skipped with this reason printed.
 */
export const browserMissing = !chromiumPath && !process.env.CI;
if (browserMissing) {
  process.stderr.write(
    'Browser tests skipped: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH).\n',
  );
}

export function launchChromium(): Promise<Browser> {
  if (!chromiumPath)
    throw new Error('Chromium not found: apt-get install chromium, or set CHROMIUM_PATH');
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** One Chromium for the tests of a describe block, closed after them. */
export function useChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('Chromium is not running');
    return browser;
  };
}
