import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import {
  startLocalSmtpServer,
  type LocalSmtpServer,
} from '../../src/modules/email/local-smtp-server.js';
import { launchBrowser } from './browser.js';
import { startMailWorkers } from './mail-workers.js';
import { startTestApp, type TestApp } from './test-app.js';

export interface BrowserApp {
  testApp: TestApp;
  baseUrl: string;
  browser: Browser;
  /** A page whose waits fail after `timeout` ms, naming the locator, well inside a test's limit. */
  newPage: (options?: { height?: number; timeout?: number }) => Promise<Page>;
  close: () => Promise<void>;
}

/**
 * The whole application on a real port, with a real Chromium. With `mail`, the email workers
 * deliver to the local SMTP server, as in the default mode; `env` is the configuration's.
 */
export async function startBrowserApp(
  options: { mail?: boolean; env?: Record<string, string> } = {},
): Promise<BrowserApp> {
  const testApp = await startTestApp(options.env);
  let smtp: LocalSmtpServer | null = null;
  let workers: { close: () => void } | null = null;
  if (options.mail) {
    smtp = await startLocalSmtpServer({
      port: 0,
      pool: testApp.database.pool,
      logger: testApp.context.logger,
    });
    workers = await startMailWorkers(testApp, smtp.port);
  }
  await testApp.app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  return {
    testApp,
    baseUrl,
    browser,
    newPage: async ({ height = 900, timeout = 15_000 } = {}) => {
      // Reduced motion: the app then drops its transitions, so a menu item or a card being
      // clicked never moves between Playwright's stability check and the click itself.
      const page = await browser.newPage({
        viewport: { width: 1280, height },
        reducedMotion: 'reduce',
      });
      page.setDefaultTimeout(timeout);
      return page;
    },
    close: async () => {
      await browser.close();
      workers?.close();
      await smtp?.close();
      await testApp.close();
    },
  };
}

/** Signs in to the staff console as a person would, and waits for the Organizations page. */
export async function signInToConsole(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
) {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Organizations' }).waitFor();
}
