import type { Page } from 'playwright-core';
import type { Token } from '../../lib/core/token';
import type { Harness } from './app/main';
import { startBrowserAuthServer, type BrowserAuthServer } from '../support/browser-auth-server';
import { bundleTestApp, call, describeInChromium, launchChromium, waitForLockLog, type Chromium } from '../support/browser-harness';

const token = (n: number): Token => ({
  accessToken: `access-${n}`,
  tokenType: 'Bearer',
  refreshToken: `refresh-${n}`,
  expiresAt: 2e12 + n,
  obtainedAt: 1e12,
});

describeInChromium('browserStorage in two tabs of one origin (Chromium)', () => {
  let server: BrowserAuthServer;
  let browser: Chromium;
  let a: Page;
  let b: Page;

  beforeAll(async () => {
    server = await startBrowserAuthServer({ appScript: await bundleTestApp(), accessTokenTtlSeconds: 60 });
    browser = await launchChromium();
    [a, b] = [await browser.openTab(server.origin), await browser.openTab(server.origin)];
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens the storage `key` under the id `key` in each page. */
  const open = (key: string, pages: Page[], options: object = {}) =>
    Promise.all(pages.map((page) => call(page, 'open', key, { key, ...options })));
  const received = (page: Page, id: string, count: number) =>
    page.waitForFunction(([id, n]) => (globalThis as unknown as { harness: Harness }).harness.received(id).length === n, [
      id,
      count,
    ] as const);
  const pending = (page: Page, count: number) =>
    page.waitForFunction(async (n) => (await navigator.locks.query()).pending?.length === n, count);
  /** Tab a holds the lock of storage `key` as `holder`; tab b then asks for it as `waiter` and is left waiting. */
  async function holdAndQueue(key: string, holder: string, waiter: string): Promise<void> {
    await open(key, [a, b]);
    await call(a, 'lock', key, holder);
    await waitForLockLog(a, `${holder} enter`);
    await call(b, 'lock', key, waiter);
    await pending(b, 1);
  }

  it('shares the token between tabs with lock and subscribe, and round-trips set, get and delete', async () => {
    expect(await open('round-trip', [a, b])).toEqual([
      { shared: true, withLock: 'function', subscribe: 'function' },
      { shared: true, withLock: 'function', subscribe: 'function' },
    ]);
    expect(await call(b, 'get', 'round-trip')).toBeNull();

    await call(a, 'set', 'round-trip', token(1));
    expect(await call(b, 'get', 'round-trip')).toEqual(token(1));
    await call(b, 'delete', 'round-trip');
    expect(await call(a, 'get', 'round-trip')).toBeNull();
  });

  it('grants the lock to one tab at a time: the waiting tab enters only once the holder has left', async () => {
    await holdAndQueue('exclusive', 'A', 'B');

    expect(await call(b, 'lockLog')).toEqual([]);
    await call(a, 'release', 'A');
    await waitForLockLog(b, 'B enter');
    await call(b, 'release', 'B');
    await waitForLockLog(b, 'B released');

    expect(await call(a, 'lockLog')).toEqual(['A enter', 'A exit', 'A released']);
    expect(await call(b, 'lockLog')).toEqual(['B enter', 'B exit', 'B released']);
  });

  it('releases the lock when the function run under it rejects', async () => {
    await holdAndQueue('failing', 'A2', 'B2');

    await call(a, 'release', 'A2', true);
    await waitForLockLog(b, 'B2 enter');
    await call(b, 'release', 'B2');

    expect(await call(a, 'lockLog')).toEqual(expect.arrayContaining(['A2 exit', 'A2 rejected Error']));
  });

  it('gives up waiting for the lock when the signal aborts, without running the function', async () => {
    await holdAndQueue('abort', 'A3', 'B3');

    await call(b, 'abort', 'B3');
    await waitForLockLog(b, 'B3 rejected AbortError');
    await pending(b, 0);
    await call(a, 'release', 'A3');

    expect((await call(b, 'lockLog')).filter((entry) => entry.startsWith('B3'))).toEqual(['B3 rejected AbortError']);
  });

  it('tells a subscribed tab about a token set, then deleted, in another tab', async () => {
    await open('subscribe', [a, b]);
    await call(b, 'listen', 'subscribe');

    await call(a, 'set', 'subscribe', token(2));
    await received(b, 'subscribe', 1);
    await call(a, 'delete', 'subscribe');
    await received(b, 'subscribe', 2);

    expect(await call(b, 'received', 'subscribe')).toEqual([token(2), null]);
    expect(await call(a, 'received', 'subscribe')).toEqual([]);
  });

  it('with storeRefreshToken false, keeps the refresh token out of IndexedDB and hands it to another open tab', async () => {
    await call(a, 'open', 'memory-rt', { key: 'memory-rt', storeRefreshToken: false });
    await call(a, 'set', 'memory-rt', token(3));
    const { refreshToken, ...withoutRefresh } = token(3);

    expect(await call(b, 'readRaw', 'axios-oauth-lock', 'memory-rt')).toEqual(withoutRefresh);
    await call(b, 'open', 'memory-rt', { key: 'memory-rt', storeRefreshToken: false });
    expect(await call(b, 'get', 'memory-rt')).toEqual({ ...withoutRefresh, refreshToken });
  });

  it('with storeRefreshToken false, a tab opened after every holder closed gets the access token without a refresh token', async () => {
    const holder = await browser.openTab(server.origin);
    await call(holder, 'open', 'closed-rt', { key: 'closed-rt', storeRefreshToken: false });
    await call(holder, 'set', 'closed-rt', token(4));
    await holder.close();
    const { refreshToken: _dropped, ...withoutRefresh } = token(4);

    const late = await browser.openTab(server.origin);
    await call(late, 'open', 'closed-rt', { key: 'closed-rt', storeRefreshToken: false, refreshTokenWaitMs: 50 });
    expect(await call(late, 'get', 'closed-rt')).toEqual(withoutRefresh);
    await late.close();
  });

  it('falls back to memory, with neither lock nor subscribe, where the Web Locks API is missing', async () => {
    const noLocks = "Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined });";
    const old = await browser.openTab(server.origin, noLocks);
    await open('no-locks', [old, a]);
    await call(a, 'set', 'no-locks', token(5));

    expect(await call(old, 'open', 'no-locks', { key: 'no-locks' })).toEqual({
      shared: false,
      withLock: 'undefined',
      subscribe: 'undefined',
    });
    expect(await call(old, 'get', 'no-locks')).toBeNull();
    await call(old, 'set', 'no-locks', token(6));
    expect(await call(old, 'get', 'no-locks')).toEqual(token(6));
    expect(await call(a, 'get', 'no-locks')).toEqual(token(5));
    // Regression: a second storage object with the same key (the README's sign-in line) saw nothing of the first.
    await call(old, 'open', 'no-locks-sign-in', { key: 'no-locks' });
    await call(old, 'set', 'no-locks-sign-in', token(7));
    expect(await call(old, 'get', 'no-locks')).toEqual(token(7));
    await old.close();
  });
});
