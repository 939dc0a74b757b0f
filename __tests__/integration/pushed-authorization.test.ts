import axios from 'axios';
import type { Page } from 'playwright-core';
import {
  attachOAuth,
  authorizationCodeGrant,
  createAuthorizationRequest,
  refreshTokenGrant,
  type AuthorizationRequest,
} from '../../lib/index';
import { describeInChromium, launchChromium, type Chromium } from '../support/browser-harness';
import { startProtectedApi, type ProtectedApi } from '../support/protected-api';
import { startSignInPageServer, type SignInPageServer } from '../support/sign-in-page-server';
import { startSignInServer, type SignInServer } from '../support/sign-in-server';

/*
 * Pushed authorization requests (RFC 9126) against oidc-provider's features.pushedAuthorizationRequests: a confidential
 * client that must push (per-client `require_pushed_authorization_requests`) pushes with `pushed: true`,
 * authenticated with client_secret_basic, and signs in through the provider's pages in headless Chromium; a server
 * whose metadata requires pushing gets pushed requests by default. The callback lands on a plain page of the app's
 * origin; the code is redeemed here.
 */

describeInChromium('pushed authorization requests against oidc-provider, in headless Chromium', () => {
  let web: SignInPageServer;
  let server: SignInServer;
  let strict: SignInServer;
  let api: ProtectedApi;
  let chromium: Chromium;

  beforeAll(async () => {
    web = await startSignInPageServer('');
    server = await startSignInServer({ webOrigin: web.origin });
    strict = await startSignInServer({ webOrigin: web.origin, requirePushedAuthorizationRequests: true });
    api = await startProtectedApi({ issuer: server.issuer, jwksUrl: server.jwksUrl, audience: server.resource });
    chromium = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    await api?.stop();
    await strict?.stop();
    await server?.stop();
    await web?.close();
  });

  const redirectUri = (): string => `${web.origin}/callback`;

  /** Opens the authorization URL, signs in and consents; resolves with the callback URL. */
  async function signInAt(provider: SignInServer, url: string): Promise<{ page: Page; callbackUrl: string }> {
    await chromium.context.clearCookies(); // both providers are on 127.0.0.1, whose cookies ignore the port
    const page = await chromium.context.newPage();
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    expect(page.url()).toMatch(new RegExp(`^${provider.issuer}/interaction/`));
    await page.fill('input[name=login]', 'alice');
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=prompt][value=consent]', { state: 'attached' });
    await page.click('button[type=submit]');
    await page.waitForURL((next) => next.href.startsWith(`${redirectUri()}?`), { waitUntil: 'domcontentloaded' });
    return { page, callbackUrl: page.url() };
  }

  const pushesOf = async (provider: SignInServer): Promise<string[]> => (await provider.seen()).pushes;

  it('pushes with pushed: true, authenticated like a token request, and signs in with the request_uri', async () => {
    const before = (await pushesOf(server)).length;
    const request = await createAuthorizationRequest({
      issuer: server.issuer,
      ...server.parApp,
      redirectUri: redirectUri(),
      scope: ['openid', 'orders:read'],
      pushed: true,
    });
    const url = new URL(request.url);
    expect(url.origin + url.pathname).toBe(`${server.issuer}/auth`);
    expect([...url.searchParams.keys()]).toEqual(['client_id', 'request_uri']);
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect((await pushesOf(server)).slice(before)).toEqual(['par-app']);

    const { page, callbackUrl } = await signInAt(server, request.url);
    const client = axios.create({ baseURL: api.baseURL });
    const auth = attachOAuth(client, { fetchToken: refreshTokenGrant({ issuer: server.issuer, ...server.parApp }) });
    await auth.signIn(authorizationCodeGrant({ issuer: server.issuer, ...server.parApp, callbackUrl, ...request }));
    const response = await client.get('/orders');
    expect(response.status).toBe(200);
    expect(response.data).toMatchObject({ sub: 'alice', clientId: 'par-app' });
    auth.detach();
    await page.close();
  }, 60_000);

  it('is refused by the provider for that client without pushing (pushed: false): the push is what lets it in', async () => {
    const request: AuthorizationRequest = await createAuthorizationRequest({
      issuer: server.issuer,
      ...server.parApp,
      redirectUri: redirectUri(),
      scope: 'openid',
      pushed: false,
    });
    expect(new URL(request.url).searchParams.get('request_uri')).toBeNull();
    await chromium.context.clearCookies();
    const page = await chromium.context.newPage();
    await page.goto(request.url, { waitUntil: 'domcontentloaded' });
    // oidc-provider answers the registered redirect URI with the error, before any login page.
    const callback = new URL(page.url());
    expect(callback.origin + callback.pathname).toBe(redirectUri());
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    await page.close();
  }, 30_000);

  it('pushes by default when the metadata says require_pushed_authorization_requests, and signs in', async () => {
    const before = (await pushesOf(strict)).length;
    const request = await createAuthorizationRequest({
      issuer: strict.issuer,
      clientId: 'spa',
      redirectUri: redirectUri(),
      scope: 'openid',
    });
    expect([...new URL(request.url).searchParams.keys()]).toEqual(['client_id', 'request_uri']);
    expect((await pushesOf(strict)).slice(before)).toEqual(['spa']);
    const { page, callbackUrl } = await signInAt(strict, request.url);
    const token = await attachOAuth(axios.create({ baseURL: api.baseURL }), {
      fetchToken: refreshTokenGrant({ issuer: strict.issuer, clientId: 'spa' }),
    }).signIn(authorizationCodeGrant({ issuer: strict.issuer, clientId: 'spa', callbackUrl, ...request }));
    expect(token.accessToken).toEqual(expect.any(String));
    expect((await strict.seen()).tokenGrants.at(-1)).toBe('authorization_code');
    await page.close();
  }, 60_000);
});
