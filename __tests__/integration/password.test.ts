import axios from 'axios';
import { OAuthError } from '../../lib/core/errors';
import { attachOAuth } from '../../lib/index';
import { passwordGrant } from '../../lib/grants';
import { startPasswordServer, type PasswordServer } from '../support/password-server';

// oidc-provider does not offer the password grant; @node-oauth/oauth2-server does.
let server: PasswordServer;

beforeAll(async () => {
  server = await startPasswordServer({ accessTokenTtlSeconds: 60 });
});
afterAll(async () => {
  await server?.stop();
});

describe('password grant against @node-oauth/oauth2-server', () => {
  it('logs in with the password once, then renews with the rotated refresh token', async () => {
    const client = axios.create({ baseURL: `${server.baseURL}/api` });
    const handle = attachOAuth(client, { fetchToken: passwordGrant({ tokenUrl: server.tokenUrl, ...server.client, ...server.user }) });

    const first = await client.get('/orders');
    const before = await handle.getAccessToken();
    await handle.refresh();
    const second = await client.get('/orders');
    handle.detach();

    expect([first.data, second.data]).toEqual([
      { path: '/api/orders', user: 'alice' },
      { path: '/api/orders', user: 'alice' },
    ]);
    expect(await handle.getAccessToken()).not.toBe(before);
    expect(server.stats).toMatchObject({ passwordGrants: 1, refreshGrants: 1, apiAccepted: 2, apiRejected: 0 });
  });

  it('turns a wrong password into OAuthError invalid_grant that contains neither password', async () => {
    const wrong = 'pwWrong0123456789';
    const grant = passwordGrant({ tokenUrl: server.tokenUrl, ...server.client, username: server.user.username, password: wrong });
    const error = await Promise.resolve(grant({ reason: 'initial', lastToken: null, signal: new AbortController().signal })).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ error: 'invalid_grant', status: 400 });
    expect(JSON.stringify(error) + String(error) + (error as Error).stack).not.toContain(wrong);
  });
});
