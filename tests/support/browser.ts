import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const systemChromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

// Flags that keep a headless Chromium from reaching for the network or a sandbox it cannot
// have as root.
const launchArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A real Chromium: the system's when installed, else the one shipped in @sparticuz/chromium. */
export async function launchBrowser(): Promise<Browser> {
  let executablePath =
    process.env.CHROMIUM_PATH ?? systemChromium.find((candidate) => existsSync(candidate));
  if (!executablePath) {
    const { default: packaged } = await import('@sparticuz/chromium');
    executablePath = await packaged.executablePath();
  }
  return chromium.launch({ executablePath, headless: true, args: launchArgs });
}
