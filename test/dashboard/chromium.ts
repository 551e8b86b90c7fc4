import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { describe } from 'vitest';

/** Debian's chromium package: no browser download works here, so Playwright drives this one. */
export const chromiumPath = '/usr/bin/chromium';
const present = existsSync(chromiumPath);

if (!present && process.env['CI'] === 'true') throw new Error(`CI=true but ${chromiumPath} is missing: install Debian's chromium package (see .ci/run)`);

/**
 * `describe` for tests in a real browser. Without /usr/bin/chromium it skips, loudly (under
 * CI=true this module fails instead, above).
 */
export function describeBrowser(name: string, body: () => void): void {
  if (!present) {
    const line = '!'.repeat(100);
    console.warn(`\n${line}\n!! SKIPPING the browser tests: no ${chromiumPath}. Install Debian's chromium package to run them (CI=true makes this an error).\n${line}\n`);
  }
  describe.skipIf(!present)(name, body);
}

/** A headless Chromium with a fresh profile in a temp dir; `close` stops it and removes the profile. */
export async function launchChromium(): Promise<{ readonly context: BrowserContext; readonly close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'kokugen-chromium-'));
  // As root Chromium needs --no-sandbox; the rest keeps it off the network and quiet.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 760 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
