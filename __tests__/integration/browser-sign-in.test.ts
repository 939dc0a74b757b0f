import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { AppConfig } from '../../examples/browser-sign-in';
import { bundleTestApp, call, describeInChromium, launchChromium, type Chromium } from '../support/browser-harness';
import { startProtectedApi, type ProtectedApi } from '../support/protected-api';
import { expectNoSecrets } from '../support/secrets-sweep';
import { startSignInPageServer, type SignInPageServer } from '../support/sign-in-page-server';
import { startSignInServer, type SignInServer } from '../support/sign-in-server';

/*
 * The in-page redirect sign-in (issue 12) in headless Chromium against a real oidc-provider, driving
 * examples/browser-sign-in.ts itself (bundled into the test app): page 1 builds the authorization request and leaves
 * for the provider; its login and consent pages are filled in; the callback page (the registered redirect URI, on the
 * app's origin) redeems the code cross-origin, while API calls it made meanwhile wait and then go out with the new
 * token to an API that verifies it with the provider's keys.
 */

const PENDING = 'oauth-pending-sign-in'; // the example's sessionStorage key

describeInChromium('authorization code + PKCE with an in-page redirect, in headless Chromium', () => {
  let web: SignInPageServer;
  let server: SignInServer;
  let api: ProtectedApi;
  /** A provider that takes only pushed authorization requests (RFC 9126), and an API that trusts it. */
  let strict: SignInServer;
  let strictApi: ProtectedApi;
  let chromium: Chromium;

  beforeAll(async () => {
    // The app's origin first: the provider registers its redirect URI, the API allows it for CORS.
    web = await startSignInPageServer(await bundleTestApp());
    server = await startSignInServer({ webOrigin: web.origin });
    api = await startProtectedApi({ issuer: server.issuer, jwksUrl: server.jwksUrl, audience: server.resource, corsOrigin: web.origin });
    strict = await startSignInServer({ webOrigin: web.origin, requirePushedAuthorizationRequests: true });
    strictApi = await startProtectedApi({
      issuer: strict.issuer,
      jwksUrl: strict.jwksUrl,
      audience: strict.resource,
      corsOrigin: web.origin,
    });
    chromium = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    await strictApi?.stop();
    await strict?.stop();
    await api?.stop();
    await server?.stop();
    await web?.close();
  });

  const configFor = (storageKey: string): AppConfig => ({
    issuer: server.issuer,
    clientId: 'spa',
    apiUrl: api.baseURL,
    scope: ['openid', 'orders:read'],
    storageKey,
  });

  const tokenGrants = async (): Promise<string[]> => (await server.seen()).tokenGrants;

  /** Page 1 calls the example's startSignIn(); the user signs in and consents; resolves on the callback URL. */
  async function signInAtProvider(config: AppConfig): Promise<{ page: Page; callback: URL }> {
    // No provider session from an earlier test: login and consent again (both providers share 127.0.0.1's cookies).
    await chromium.context.clearCookies();
    const page = await chromium.openTab(web.origin);
    await call(page, 'beginSignIn', config);
    await page.waitForURL((url) => url.href.startsWith(`${config.issuer}/interaction/`), { waitUntil: 'domcontentloaded' });
    await page.fill('input[name=login]', 'alice');
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=prompt][value=consent]', { state: 'attached' });
    await page.click('button[type=submit]');
    await page.waitForURL((url) => url.href.startsWith(`${web.origin}/callback?`), { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => 'harness' in globalThis);
    expect(await call(page, 'startError')).toBeNull();
    return { page, callback: new URL(page.url()) };
  }

  const pending = (page: Page): Promise<{ state: string; codeVerifier: string } | null> =>
    page.evaluate((key) => JSON.parse(sessionStorage.getItem(key) ?? 'null'), PENDING);

  it('signs in on the callback page; API calls sent meanwhile wait and then succeed with the new token, without fetchToken', async () => {
    const config = configFor('orders-signed-in');
    const { page, callback } = await signInAtProvider(config);
    // RFC 9207: oidc-provider names itself in the response; the grant compares it with the issuer.
    expect(callback.searchParams.get('iss')).toBe(server.issuer);
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
    const grantsBefore = (await tokenGrants()).length;
    const statsBefore = await api.stats();

    const outcome = await call(page, 'completeSignIn', config, 3);

    expect(outcome.error).toBeNull();
    expect(outcome.calls).toEqual(Array(3).fill({ status: 200, sub: 'alice', clientId: 'spa' }));
    // One token request, the code redemption: no fetchToken (refresh_token) call for the waiting requests.
    expect((await tokenGrants()).slice(grantsBefore)).toEqual(['authorization_code']);
    const stats = await api.stats();
    // None of them went out without the token (no 401), and all carried one and the same new token.
    expect({ accepted: stats.accepted - statsBefore.accepted, rejected: stats.rejected - statsBefore.rejected }).toEqual({
      accepted: 3,
      rejected: 0,
    });
    expect(stats.distinctTokens - statsBefore.distinctTokens).toBe(1);
    expect(outcome.stored).toBe(true);
    expect(outcome.location).toBe(`${web.origin}/callback`); // code and state out of the address bar
    expect(await pending(page)).toBeNull();

    // Another tab of the origin with the same key: the stored token, sent at once, no grant.
    const other = await chromium.openTab(web.origin);
    expect(await call(other, 'callFromAnotherTab', config)).toEqual({ status: 200, sub: 'alice', clientId: 'spa' });
    expect((await tokenGrants()).slice(grantsBefore)).toEqual(['authorization_code']);
    expect((await api.stats()).distinctTokens - statsBefore.distinctTokens).toBe(1);
    await other.close();
    await page.close();
  }, 60_000);

  it('refuses a callback whose state was tampered with: a typed error, no code redemption, no token', async () => {
    const config = configFor('orders-tampered-state');
    const { page, callback } = await signInAtProvider(config);
    const saved = (await pending(page))!;
    const tampered = new URL(callback);
    tampered.searchParams.set('state', randomBytes(32).toString('base64url'));
    await page.goto(tampered.href, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => 'harness' in globalThis);
    const grantsBefore = (await tokenGrants()).length;
    const statsBefore = await api.stats();

    const outcome = await call(page, 'completeSignIn', config, 2);

    const error = 'SignInError ERR_SIGN_IN_FAILED ERR_OAUTH_AUTHORIZATION_RESPONSE_INVALID';
    expect(outcome.error).toBe(error);
    expect(outcome.renderings.join('\n')).toContain('"state" does not match');
    // The waiting calls fail with the same error and never reach the API.
    expect(outcome.calls).toEqual(Array(2).fill({ status: null, error }));
    expect((await api.stats()).requests).toBe(statsBefore.requests);
    expect((await tokenGrants()).slice(grantsBefore)).toEqual([]); // the code was never sent
    expect(outcome.stored).toBe(false);
    expectNoSecrets(outcome.renderings, [
      callback.searchParams.get('code')!,
      saved.state,
      tampered.searchParams.get('state')!,
      saved.codeVerifier,
    ]);
    const other = await chromium.openTab(web.origin);
    expect(await call(other, 'callFromAnotherTab', config)).toMatchObject({
      status: null,
      error: expect.stringMatching(/^TokenRefreshError/),
    });
    await other.close();
    await page.close();
  }, 60_000);

  it('redeems the code with the saved code_verifier: another one is refused by the provider (PKCE), leaving no token', async () => {
    const config = configFor('orders-wrong-verifier');
    const { page, callback } = await signInAtProvider(config);
    const saved = (await pending(page))!;
    const wrongVerifier = randomBytes(32).toString('base64url');
    await page.evaluate(
      ({ key, verifier }) => {
        const request = JSON.parse(sessionStorage.getItem(key)!) as { codeVerifier: string };
        sessionStorage.setItem(key, JSON.stringify({ ...request, codeVerifier: verifier }));
      },
      { key: PENDING, verifier: wrongVerifier },
    );
    const grantsBefore = (await tokenGrants()).length;

    const outcome = await call(page, 'completeSignIn', config, 1);

    // The state check passed, the code went to the token endpoint, and RFC 7636 §4.6 failed there.
    expect(outcome.error).toBe('SignInError ERR_SIGN_IN_FAILED ERR_OAUTH_ERROR invalid_grant');
    expect((await tokenGrants()).slice(grantsBefore)).toEqual(['authorization_code']);
    expect(outcome.calls).toEqual([{ status: null, error: outcome.error }]);
    expect(outcome.stored).toBe(false);
    expectNoSecrets(outcome.renderings, [callback.searchParams.get('code')!, saved.state, saved.codeVerifier, wrongVerifier]);
    await page.close();
  }, 60_000);

  it('pushes the request from the page when the provider requires it (PAR, cross-origin), and signs in the same way', async () => {
    const config: AppConfig = { ...configFor('orders-pushed'), issuer: strict.issuer, apiUrl: strictApi.baseURL };
    const pushesBefore = (await strict.seen()).pushes.length;
    const { page } = await signInAtProvider(config);
    // The example's startSignIn() pushed on its own: the metadata says require_pushed_authorization_requests.
    expect((await strict.seen()).pushes.slice(pushesBefore)).toEqual(['spa']);
    const outcome = await call(page, 'completeSignIn', config, 2);
    expect(outcome.error).toBeNull();
    expect(outcome.calls).toEqual(Array(2).fill({ status: 200, sub: 'alice', clientId: 'spa' }));
    expect(outcome.stored).toBe(true);
    await page.close();
  }, 60_000);
});
