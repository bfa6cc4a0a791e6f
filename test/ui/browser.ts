import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../helpers.js';

/** Debian's chromium; never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can (node:test's `skip` takes the sentence). */
export const noBrowser: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium (.ci/run does) to run the browser tests`;

/** Screenshots and other things to look at after a run; the folder ignores itself in git. */
export const ARTIFACTS = join(ROOT, 'test', 'ui', 'artifacts');

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  const ignore = join(ARTIFACTS, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# screenshots written by test/ui: look at them, do not commit them\n*\n');
  return join(ARTIFACTS, name);
}

export interface Watched {
  page: Page;
  /** Every URL the page asked for, in order. */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Dialogs (alert, confirm) the page opened: a script from the specs would. */
  dialogs: string[];
}

/**
 * One headless chromium for a test file (playwright gives it a fresh
 * profile), with none of the features that reach out on their own, and
 * nothing downloaded. Each page gets its own context; all close when the
 * file's tests end.
 */
export function launcher(): { open(scheme?: 'light' | 'dark', size?: { width: number; height: number }): Promise<Watched> } {
  let browser: Promise<Browser> | undefined;
  after(async () => {
    if (browser) await (await browser).close().catch(() => {});
  });
  return {
    async open(scheme = 'light', size = { width: 1280, height: 800 }) {
      browser ??= chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      const context = await (await browser).newContext({ colorScheme: scheme, viewport: size });
      const page = await context.newPage();
      const watched: Watched = { page, requests: [], errors: [], dialogs: [] };
      page.on('request', (r) => watched.requests.push(r.url()));
      page.on('console', (m) => {
        if (m.type() === 'error') watched.errors.push(m.text());
      });
      page.on('pageerror', (e) => watched.errors.push(e.message));
      page.on('dialog', (d) => {
        watched.dialogs.push(d.message());
        void d.dismiss();
      });
      return watched;
    },
  };
}
