import type { Page } from 'playwright-core';
import { startBrowserAuthServer, type BrowserAuthServer } from '../support/browser-auth-server';
import { bundleTestApp, call, describeInChromium, launchChromium, type Chromium } from '../support/browser-harness';

/*
 * Issue 5: tabs of one origin with single-use rotating refresh tokens. Two tabs that refresh at once redeem the same
 * refresh token, and the server revokes the family: invalid_grant, every tab signed out. browserStorage must turn
 * the tabs' refreshes into one per expiry.
 */

const TTL_SECONDS = 2;
const TABS = 3;

describeInChromium('tabs sharing browserStorage against rotating refresh tokens (Chromium)', () => {
  let server: BrowserAuthServer;
  let browser: Chromium;
  let tabs: Page[];

  beforeAll(async () => {
    server = await startBrowserAuthServer({ appScript: await bundleTestApp(), accessTokenTtlSeconds: TTL_SECONDS });
    browser = await launchChromium();
    tabs = [];
    for (let i = 0; i < TABS; i++) tabs.push(await browser.openTab(server.origin));
  }, 60_000);

  afterAll(async () => {
    await Promise.all((tabs ?? []).map((tab) => call(tab, 'stop')));
    await browser?.close();
    await server?.close();
  });

  /** Signs in once, in the first tab, then starts the app in every tab: the others find the token in storage. */
  async function signInEverywhere(key: string, storeRefreshToken: boolean, obtainedAt: number): Promise<void> {
    await call(tabs[0]!, 'signIn', key, storeRefreshToken, server.login(), obtainedAt);
    for (const tab of tabs) await call(tab, 'start', key, storeRefreshToken);
  }

  const setClock = async (now: number | null): Promise<void> => {
    server.setClock(now);
    await Promise.all(tabs.map((tab) => call(tab, 'setClock', now)));
  };

  /** Every tab fires `perTab` requests at once; resolves with how many refreshes that took and every failure. */
  async function burstInEveryTab(perTab: number): Promise<{ refreshes: number; ok: number; errors: string[] }> {
    const before = server.stats.refreshes;
    const results = await Promise.all(tabs.map((tab) => call(tab, 'burst', perTab)));
    return {
      refreshes: server.stats.refreshes - before,
      ok: results.reduce((n, r) => n + r.ok, 0),
      errors: results.flatMap((r) => r.errors),
    };
  }

  it.each([true, false])(
    'makes exactly one refresh per expiry, whichever tab notices it, with no invalid_grant and no tab signed out (storeRefreshToken: %s)',
    async (storeRefreshToken) => {
      const invalidGrantsBefore = server.stats.invalidGrants;
      let now = Date.now();
      await setClock(now);
      await signInEverywhere(`one-per-expiry-${storeRefreshToken}`, storeRefreshToken, now);
      const phases = [await burstInEveryTab(10)];
      for (let expiry = 1; expiry <= 4; expiry++) {
        now += TTL_SECONDS * 1000 + 500; // past the expiry: every tab must refresh before sending
        await setClock(now);
        phases.push(await burstInEveryTab(10));
      }
      // The server alone moves past the expiry: every tab's requests are answered 401 (the replay path).
      server.setClock(now + TTL_SECONDS * 1000 + 500);
      phases.push(await burstInEveryTab(10));

      expect(phases.map((p) => p.refreshes)).toEqual([0, 1, 1, 1, 1, 1]);
      expect(phases.flatMap((p) => p.errors)).toEqual([]);
      expect(phases.map((p) => p.ok)).toEqual(Array(6).fill(10 * TABS));
      expect(server.stats.invalidGrants - invalidGrantsBefore).toBe(0);
      const statuses = await Promise.all(tabs.map((tab) => call(tab, 'status')));
      expect(statuses).toEqual(Array(TABS).fill({ signedIn: true, backgroundErrors: [] }));
    },
  );

  it('keeps every tab signed in under continuous traffic across several real expiries, one refresh at a time', async () => {
    await setClock(null);
    const { refreshes: refreshesBefore, invalidGrants: invalidGrantsBefore } = server.stats;
    await signInEverywhere('continuous', true, Date.now());
    const startedAt = Date.now();
    const results = await Promise.all(tabs.map((tab) => call(tab, 'traffic', 7_000, 4)));
    const elapsedMs = Date.now() - startedAt;
    const refreshes = server.stats.refreshes - refreshesBefore;
    const requests = results.reduce((n, r) => n + r.ok + r.failed, 0);
    process.stderr.write(
      `browser tabs: ${TABS} tabs, ${requests} requests in ${elapsedMs} ms, ${refreshes} refreshes, ${server.stats.invalidGrants - invalidGrantsBefore} invalid_grant\n`,
    );

    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(server.stats.invalidGrants - invalidGrantsBefore).toBe(0);
    expect(await Promise.all(tabs.map((tab) => call(tab, 'status')))).toEqual(Array(TABS).fill({ signedIn: true, backgroundErrors: [] }));
    // Several expiries were crossed. A token is renewed at half its lifetime and no sooner (the manager's rule), so
    // one refresh per expiry across all tabs allows at most one per second here; each tab on its own would need more.
    expect(refreshes).toBeGreaterThanOrEqual(3);
    expect(refreshes).toBeLessThanOrEqual(Math.floor(elapsedMs / ((TTL_SECONDS * 1000) / 2)) + 1);
  });
});
