import type { Page } from 'playwright-core';
import { startBrowserAuthServer, type BrowserAuthServer } from '../support/browser-auth-server';
import { bundleTestApp, call, describeInChromium, launchChromium, type Chromium } from '../support/browser-harness';

/*
 * Issue 11, key lifetime: with `dpop: true` and a shared browserStorage, the token every tab shares is bound to one
 * key (its `cnf.jkt`), so every tab must sign its proofs with that key. The server here binds each token family to
 * the key of its first refresh (RFC 9449 §5) and checks every proof for real: signature, htm, htu, iat, jti, ath.
 */

const TTL_SECONDS = 2;
const TABS = 3;

describeInChromium('tabs sharing browserStorage with DPoP-bound tokens (Chromium)', () => {
  let server: BrowserAuthServer;
  let browser: Chromium;
  let tabs: Page[];

  beforeAll(async () => {
    server = await startBrowserAuthServer({ appScript: await bundleTestApp(), accessTokenTtlSeconds: TTL_SECONDS, dpop: true });
    browser = await launchChromium();
    tabs = [];
    for (let i = 0; i < TABS; i++) tabs.push(await browser.openTab(server.origin));
  }, 60_000);

  afterAll(async () => {
    await Promise.all((tabs ?? []).map((tab) => call(tab, 'stop')));
    await browser?.close();
    await server?.close();
  });

  const setClock = async (now: number | null): Promise<void> => {
    server.setClock(now);
    await Promise.all(tabs.map((tab) => call(tab, 'setClock', now)));
  };

  async function burstInEveryTab(perTab: number): Promise<{ refreshes: number; ok: number; errors: string[] }> {
    const before = server.stats.refreshes;
    const results = await Promise.all(tabs.map((tab) => call(tab, 'burst', perTab)));
    return {
      refreshes: server.stats.refreshes - before,
      ok: results.reduce((n, r) => n + r.ok, 0),
      errors: results.flatMap((r) => r.errors),
    };
  }

  it('signs in every tab with the one stored key the shared token is bound to, one refresh per expiry', async () => {
    const key = 'dpop-tabs';
    let now = Date.now();
    await setClock(now);
    // The login page stored a token that has expired: the first request of any tab refreshes it, with a proof.
    await call(tabs[0]!, 'signIn', key, true, server.login(), now - TTL_SECONDS * 1000 - 500);
    // Every tab starts at once: each asks the storage for the key pair at the same moment.
    await Promise.all(tabs.map((tab, i) => call(tab, 'start', key, true, { tab: `tab-${i}` })));

    const phases = [await burstInEveryTab(10)];
    for (let expiry = 1; expiry <= 3; expiry++) {
      now += TTL_SECONDS * 1000 + 500;
      await setClock(now);
      phases.push(await burstInEveryTab(10));
    }
    // The server alone moves past the expiry: every tab's requests are answered 401 (the replay path).
    server.setClock(now + TTL_SECONDS * 1000 + 500);
    phases.push(await burstInEveryTab(10));

    expect(server.stats.dpopErrors).toEqual([]);
    expect(phases.flatMap((p) => p.errors)).toEqual([]);
    expect(phases.map((p) => p.refreshes)).toEqual([1, 1, 1, 1, 1]);
    expect(phases.map((p) => p.ok)).toEqual(Array(5).fill(10 * TABS));
    expect(server.stats.invalidGrants).toBe(0);
    // Every tab signed all its proofs with one key, and it is the same key in every tab.
    const keys = Object.entries(server.stats.proofKeys).sort(([a], [b]) => a.localeCompare(b));
    expect(keys.map(([tab]) => tab)).toEqual(tabs.map((_, i) => `tab-${i}`));
    const [first] = keys[0]![1];
    expect(keys.map(([, jkts]) => jkts)).toEqual(Array(TABS).fill([first]));

    // What IndexedDB holds: one key pair, next to the token, whose private key cannot be read out.
    const stored = await tabs[1]!.evaluate(
      (name) =>
        new Promise<unknown>((resolve, reject) => {
          const open = indexedDB.open('axios-oauth-lock');
          open.onerror = () => reject(open.error ?? new Error('IndexedDB open failed'));
          open.onsuccess = () => {
            const request = open.result.transaction('tokens').objectStore('tokens').get(['dpop-key-pair', name]);
            request.onsuccess = () => {
              const pair = request.result as CryptoKeyPair;
              resolve({ type: pair.privateKey.type, extractable: pair.privateKey.extractable, alg: pair.privateKey.algorithm });
            };
          };
        }),
      key,
    );
    expect(stored).toEqual({ type: 'private', extractable: false, alg: { name: 'ECDSA', namedCurve: 'P-256' } });
  });
});
