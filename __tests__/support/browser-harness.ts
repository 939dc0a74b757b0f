import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Harness } from '../browser/app/main';

/*
 * Real headless Chromium for the browser tests: Debian's `chromium` package driven by playwright-core (never
 * `playwright install`, which downloads a browser). The test app is bundled with esbuild against the BUILT package
 * (dist/esm), so what runs in the tabs is what users install.
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps dialling out, and this machine's closed network refuses it.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const ROOT = path.resolve(__dirname, '../..');
const BUILT_ENTRY = path.join(ROOT, 'dist/esm/index.js');
const APP_ENTRY = path.join(ROOT, '__tests__/browser/app/main.ts');

/**
 * `describe` when Chromium is installed. Without it the suite is skipped with the reason printed, except under
 * `CI=true`, where a missing browser must fail the run rather than pass it silently.
 */
export function describeInChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM_PATH)) return describe(name, body);
  const reason = `${CHROMIUM_PATH} is missing; install it with: apt-get install -y chromium`;
  if (process.env.CI === 'true') {
    return describe(name, () =>
      it('has Chromium to run in', () => {
        throw new Error(reason);
      }),
    );
  }
  process.stderr.write(`Skipping "${name}": ${reason}\n`);
  describe.skip(name, body);
}

/**
 * The sources import `lib/index.js` (so that they typecheck on a fresh clone), and the examples the package by its
 * name, as an app does; the bundle takes dist/esm for both (one copy).
 */
const builtPackage: Plugin = {
  name: 'built-package',
  setup(plugin) {
    plugin.onResolve({ filter: /\/lib\/index\.js$|^axios-oauth-lock$/ }, () => ({ path: BUILT_ENTRY }));
  },
};

/** The test app as one script, from dist/esm and axios's browser build. */
export async function bundleTestApp(): Promise<string> {
  if (!existsSync(BUILT_ENTRY)) throw new Error('dist/esm/index.js is missing: run "npm run build" first (npm test does)');
  const result = await build({
    entryPoints: [APP_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    metafile: true,
    logLevel: 'silent',
    plugins: [builtPackage],
  });
  const fromSource = Object.keys(result.metafile.inputs).filter((input) => input.startsWith('lib/'));
  if (fromSource.length > 0) throw new Error(`the test app bundled package sources instead of dist: ${fromSource.join(', ')}`);
  return result.outputFiles[0]!.text;
}

export interface Chromium {
  /** One persistent context: its pages are tabs of one profile, sharing IndexedDB, Web Locks and BroadcastChannel. */
  readonly context: BrowserContext;
  /** Opens a tab on `origin` with the test app loaded, after `initScript` (run before any of the page's scripts). */
  openTab(origin: string, initScript?: string): Promise<Page>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'axios-oauth-lock-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const pageErrors: Error[] = [];
  return {
    context,
    async openTab(origin, initScript) {
      const page = await context.newPage();
      if (initScript !== undefined) await page.addInitScript(initScript);
      page.on('pageerror', (error) => pageErrors.push(error));
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => 'harness' in globalThis);
      return page;
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
      if (pageErrors.length > 0) throw new Error(`uncaught errors in the pages: ${pageErrors.map(String).join('; ')}`);
    },
  };
}

type Method = { [K in keyof Harness]: Harness[K] extends (...args: never[]) => unknown ? K : never }[keyof Harness];

/** Calls `window.harness[method](...args)` in `page` and resolves with its (serialisable) result. */
export function call<M extends Method>(page: Page, method: M, ...args: Parameters<Harness[M]>): Promise<Awaited<ReturnType<Harness[M]>>> {
  return page.evaluate(
    ({ method, args }) => (globalThis as unknown as { harness: Record<string, (...a: unknown[]) => unknown> }).harness[method]!(...args),
    { method, args: args },
  ) as Promise<Awaited<ReturnType<Harness[M]>>>;
}

/** Resolves once `window.harness.lockLog()` in `page` holds `entry`. */
export async function waitForLockLog(page: Page, entry: string): Promise<void> {
  await page.waitForFunction((wanted) => (globalThis as unknown as { harness: Harness }).harness.lockLog().includes(wanted), entry);
}
