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
export async function browserExecutablePath(): Promise<string> {
  const installed =
    process.env.CHROMIUM_PATH ?? systemChromium.find((candidate) => existsSync(candidate));
  if (installed) return installed;
  const { default: packaged } = await import('@sparticuz/chromium');
  return packaged.executablePath();
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = await browserExecutablePath();
  return chromium.launch({ executablePath, headless: true, args: launchArgs });
}
