import { ErrorCode, createAuthorizationRequest } from '../../lib/index.js';
import { loopbackAuthorization } from '../../lib/node.js';
import { formEncode } from '../../lib/grants/client-auth';
import { codeChallengeS256 } from '../../lib/grants/pkce';
import { expectNoSecrets } from '../support/secrets-sweep';
import { CLIENT, basicCredentials, ctx, form, mockAuthServer, rejectionOf, tokenBody } from './helpers';

/* Pushed authorization requests (RFC 9126) from createAuthorizationRequest. */

let n = 0;
const nextIssuer = (): string => `https://par${++n}.example.com`;
const REDIRECT = 'https://app.example.com/callback';
const REQUEST_URI = 'urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c';

function server(issuer: string, extra: Record<string, unknown> = {}) {
  const { http, mock } = mockAuthServer();
  mock.onGet(`${issuer}/.well-known/openid-configuration`).reply(200, {
    issuer,
    token_endpoint: `${issuer}/token`,
    authorization_endpoint: `${issuer}/authorize`,
    pushed_authorization_request_endpoint: `${issuer}/par`,
    ...extra,
  });
  return { http, mock };
}

describe('createAuthorizationRequest with pushed authorization requests (RFC 9126)', () => {
  it('pushes when the metadata requires it, and sends the browser with client_id and request_uri only', async () => {
    const issuer = nextIssuer();
    const { http, mock } = server(issuer, { require_pushed_authorization_requests: true });
    mock.onPost(`${issuer}/par`).reply(201, { request_uri: REQUEST_URI, expires_in: 60 });
    const request = await createAuthorizationRequest({ issuer, clientId: 'spa', redirectUri: REDIRECT, scope: 'openid', httpClient: http });
    const url = new URL(request.url);
    expect(url.origin + url.pathname).toBe(`${issuer}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'spa', request_uri: REQUEST_URI });
    expect(mock.history.post).toHaveLength(1);
    // A public client: client_id once (not repeated by the client authentication), and every parameter of the request.
    expect(new URLSearchParams(String(mock.history.post[0]!.data)).getAll('client_id')).toEqual(['spa']);
    expect(form(mock.history.post[0]!)).toEqual({
      client_id: 'spa',
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: request.state,
      code_challenge: await codeChallengeS256(request.codeVerifier),
      code_challenge_method: 'S256',
    });
    expect(Object.keys(request).sort()).toEqual(['codeVerifier', 'redirectUri', 'state', 'url']);
  });

  it('pushes with pushed: true, authenticating the client as a token request does (client_secret_basic)', async () => {
    const issuer = nextIssuer();
    const { http, mock } = server(issuer);
    mock.onPost(`${issuer}/par`).reply(201, { request_uri: REQUEST_URI, expires_in: 60 });
    const request = await createAuthorizationRequest({ issuer, ...CLIENT, redirectUri: REDIRECT, pushed: true, httpClient: http });
    expect(new URL(request.url).searchParams.get('request_uri')).toBe(REQUEST_URI);
    const push = mock.history.post[0]!;
    expect((push.headers as Record<string, unknown>).Authorization).toBe(
      `Basic ${btoa(`${formEncode(CLIENT.clientId)}:${formEncode(CLIENT.clientSecret)}`)}`,
    );
    expect(form(push).client_id).toBe(CLIENT.clientId); // an authorization request parameter, sent once
    expect(form(push).client_secret).toBeUndefined();
  });

  it('does not push by default when the metadata does not require it, nor with pushed: false', async () => {
    const issuer = nextIssuer();
    const { http, mock } = server(issuer);
    const plain = await createAuthorizationRequest({ issuer, clientId: 'spa', redirectUri: REDIRECT, httpClient: http });
    expect(new URL(plain.url).searchParams.get('state')).toBe(plain.state);
    const required = nextIssuer();
    const other = server(required, { require_pushed_authorization_requests: true });
    const notPushed = await createAuthorizationRequest({
      issuer: required,
      clientId: 'spa',
      redirectUri: REDIRECT,
      pushed: false,
      httpClient: other.http,
    });
    expect(new URL(notPushed.url).searchParams.get('request_uri')).toBeNull();
    expect(mock.history.post.length + other.mock.history.post.length).toBe(0);
  });

  it('turns an error answer into an OAuthError and a malformed one into ERR_OAUTH_INVALID_RESPONSE, without the secrets', async () => {
    const issuer = nextIssuer();
    const { http, mock } = server(issuer, { require_pushed_authorization_requests: true });
    mock
      .onPost(`${issuer}/par`)
      .replyOnce((config) => [400, { error: 'invalid_request', error_description: `bad request: ${String(config.data)}` }])
      .onPost(`${issuer}/par`)
      .replyOnce(201, { expires_in: 60 });
    const options = { issuer, ...CLIENT, redirectUri: REDIRECT, httpClient: http };
    const refused = await rejectionOf(createAuthorizationRequest(options));
    expect(refused).toMatchObject({ name: 'OAuthError', error: 'invalid_request' });
    const state = new URLSearchParams(String(mock.history.post[0]!.data)).get('state')!;
    expectNoSecrets(refused, [state, CLIENT.clientSecret]);
    const malformed = await rejectionOf(createAuthorizationRequest(options));
    expect(malformed).toMatchObject({ code: ErrorCode.INVALID_RESPONSE, message: expect.stringContaining('"request_uri" is missing') });
  });

  it('fails with ERR_OAUTH_DISCOVERY_FAILED when asked to push to a server without the endpoint', async () => {
    const issuer = nextIssuer();
    const { http } = server(issuer, { pushed_authorization_request_endpoint: undefined });
    await expect(
      createAuthorizationRequest({ issuer, clientId: 'spa', redirectUri: REDIRECT, pushed: true, httpClient: http }),
    ).rejects.toMatchObject({
      code: ErrorCode.DISCOVERY_FAILED,
      message: expect.stringContaining('no pushed_authorization_request_endpoint'),
    });
  });

  it('checks the push options at creation, naming them', async () => {
    const base = { clientId: 'spa', redirectUri: REDIRECT };
    await expect(
      createAuthorizationRequest({ ...base, authorizationUrl: 'https://id.example.com/authorize', pushed: true }),
    ).rejects.toThrow('"options.pushed" needs "options.issuer"');
    await expect(createAuthorizationRequest({ ...base, issuer: nextIssuer(), pushed: 'yes' as never })).rejects.toThrow('"options.pushed"');
    await expect(createAuthorizationRequest({ ...base, issuer: nextIssuer(), authMethod: 'client_secret_post' })).rejects.toThrow(
      '"options.clientSecret" is required with authMethod \'client_secret_post\'',
    );
  });
});

describe('loopbackAuthorization with pushed authorization requests', () => {
  it('pushes when the server requires it, authenticated like the code redemption, and opens the request_uri URL', async () => {
    const issuer = nextIssuer();
    const { http, mock } = server(issuer, { require_pushed_authorization_requests: true });
    mock.onPost(`${issuer}/par`).reply(201, { request_uri: REQUEST_URI, expires_in: 60 });
    mock.onPost(`${issuer}/token`).reply(200, tokenBody());
    let opened: URL | undefined;
    const source = loopbackAuthorization({
      issuer,
      ...CLIENT,
      httpClient: http,
      openUrl: async (url) => {
        opened = new URL(url);
        // The browser comes back with the state of the pushed request.
        const { redirect_uri: redirectUri, state } = form(mock.history.post[0]!);
        await fetch(`${redirectUri}?code=code-PAR-12345&state=${state}`);
      },
    });
    await expect(source(ctx())).resolves.toMatchObject({ accessToken: 'at-1' });
    expect(Object.fromEntries(opened!.searchParams)).toEqual({ client_id: CLIENT.clientId, request_uri: REQUEST_URI });
    const [push, redemption] = mock.history.post;
    expect(push!.url).toBe(`${issuer}/par`);
    expect(basicCredentials(push!)).toEqual([CLIENT.clientId, CLIENT.clientSecret]);
    expect(basicCredentials(redemption!)).toEqual([CLIENT.clientId, CLIENT.clientSecret]);
    expect(form(redemption!)).toMatchObject({ grant_type: 'authorization_code', code: 'code-PAR-12345' });
  });

  it('checks pushed at creation', () => {
    const base = { clientId: 'cli', openUrl: () => undefined };
    expect(() =>
      loopbackAuthorization({
        ...base,
        tokenUrl: 'https://id.example.com/token',
        authorizationUrl: 'https://id.example.com/authorize',
        pushed: true,
      }),
    ).toThrow('"options.pushed" needs "options.issuer"');
    expect(() => loopbackAuthorization({ ...base, issuer: nextIssuer(), pushed: 1 as never })).toThrow('"options.pushed"');
  });
});
