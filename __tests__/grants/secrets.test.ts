import http from 'node:http';
import { isAxiosError } from 'axios';
import type { AddressInfo } from 'node:net';
import { clientCredentials, passwordGrant, refreshTokenGrant } from '../../lib/grants';
import { formEncode } from '../../lib/grants/client-auth';
import { ErrorCode, OAuthError } from '../../lib/core/errors';
import { TokenManager } from '../../lib/core/token-manager';
import type { Token } from '../../lib/core/token';
import { REVOCATION_URL, TOKEN_URL, ctx, mockAuthServer, rejectionOf } from './helpers';
import { expectNoSecrets } from '../support/secrets-sweep';

// Reliability H-53 / S-25, issue 9: no secret in any rendering of any error, in any encoding we sent it in.
// Characters that form-encoding, encodeURIComponent and JSON each treat differently, so every encoding is distinct.
const SECRETS = {
  clientSecret: 'cs-9f.8e~7d*6c(5b)',
  password: 'pw Tr0ub/4dor+3"',
  refreshToken: 'rt-0a1b.2c3d_4e5f',
  accessToken: 'at~ffee.ddcc-bbaa',
};
const ALL = Object.values(SECRETS);
const CLIENT_ID = 'app';
const basicOf = (id: string, secret: string) => btoa(`${formEncode(id)}:${formEncode(secret)}`);
const lastToken: Token = { accessToken: SECRETS.accessToken, refreshToken: SECRETS.refreshToken, tokenType: 'Bearer', obtainedAt: 0 };
const ISSUER = 'https://issuer.example.com';

/** A loopback port with nothing listening: a real ECONNREFUSED through Node's http adapter. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Every echo a server may make of what we sent it: each value raw and encoded, and our Basic credential. */
function echoes(sent: readonly string[] = [SECRETS.refreshToken, SECRETS.accessToken]): string {
  const values = sent.flatMap((value) => [value, formEncode(value), encodeURIComponent(value), JSON.stringify({ value })]);
  return [...values, `Basic ${basicOf(CLIENT_ID, SECRETS.clientSecret)}`, `client_secret=${formEncode(SECRETS.clientSecret)}`].join(' ');
}

function refreshGrant(authMethod: 'client_secret_basic' | 'client_secret_post' = 'client_secret_basic') {
  const { http: client, mock } = mockAuthServer();
  const grant = refreshTokenGrant({
    tokenUrl: TOKEN_URL,
    revocationUrl: REVOCATION_URL,
    clientId: CLIENT_ID,
    clientSecret: SECRETS.clientSecret,
    authMethod,
    httpClient: client,
    maxRetries: 0,
  });
  return { grant, mock };
}

describe('secrets never leak through errors', () => {
  it('redacts a real connection error of the password grant (body, Basic header, raw request)', async () => {
    const tokenUrl = `http://127.0.0.1:${await closedPort()}/token`;
    const grant = passwordGrant({
      tokenUrl,
      clientId: CLIENT_ID,
      clientSecret: SECRETS.clientSecret,
      username: 'alice',
      password: SECRETS.password,
      maxRetries: 0,
    });
    const error = await rejectionOf(grant(ctx()));

    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
    expectNoSecrets(error, ALL);
  });

  it('redacts a network error of the refresh grant, alone and wrapped by the token manager', async () => {
    const { grant, mock } = refreshGrant('client_secret_post');
    mock.onPost(TOKEN_URL).networkError();
    expectNoSecrets(await rejectionOf(grant(ctx(lastToken))), ALL);
    const manager = new TokenManager({
      fetchToken: grant,
      initialToken: { accessToken: SECRETS.accessToken, refreshToken: SECRETS.refreshToken },
    });
    const error = await rejectionOf(manager.refresh());

    expect(error).toMatchObject({ name: 'TokenRefreshError', cause: expect.objectContaining({ message: 'Network Error' }) });
    expectNoSecrets(error, ALL);
  });

  it('redacts a timed-out client credentials request', async () => {
    const { http: client, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).timeout();
    const grant = clientCredentials({
      tokenUrl: TOKEN_URL,
      clientId: CLIENT_ID,
      clientSecret: SECRETS.clientSecret,
      httpClient: client,
      maxRetries: 0,
    });
    const error = await rejectionOf(grant(ctx()));

    expect((error as { code?: string }).code).toBe('ECONNABORTED');
    expectNoSecrets(error, ALL);
  });

  describe('every error path of a grant, swept', () => {
    it.each([
      [
        'a 400 error body echoing every secret',
        (mock: ReturnType<typeof refreshGrant>['mock']) =>
          mock
            .onPost(TOKEN_URL)
            .reply(400, { error: 'invalid_grant', error_description: echoes(), error_uri: `https://as.example/e?${echoes()}` }),
      ],
      [
        'a 401 invalid_client echoing the Basic credential',
        (mock: ReturnType<typeof refreshGrant>['mock']) =>
          mock
            .onPost(TOKEN_URL)
            .reply(401, { error: 'invalid_client', error_description: `bad ${basicOf(CLIENT_ID, SECRETS.clientSecret)}` }),
      ],
      [
        'a 500 with an HTML body echoing the request',
        (mock: ReturnType<typeof refreshGrant>['mock']) =>
          mock.onPost(TOKEN_URL).reply(500, `<pre>${echoes()}</pre>`, { 'content-type': 'text/html' }),
      ],
      [
        'a 200 that is not a token response',
        (mock: ReturnType<typeof refreshGrant>['mock']) =>
          mock.onPost(TOKEN_URL).reply(200, { token_type: 'mac', access_token: 'at-new-0123456789' }),
      ],
      [
        'a 200 with an HTML body',
        (mock: ReturnType<typeof refreshGrant>['mock']) => mock.onPost(TOKEN_URL).reply(200, `<p>${echoes()}</p>`),
      ],
      ['a network error', (mock: ReturnType<typeof refreshGrant>['mock']) => mock.onPost(TOKEN_URL).networkError()],
      ['a timeout', (mock: ReturnType<typeof refreshGrant>['mock']) => mock.onPost(TOKEN_URL).timeout()],
    ])('%s', async (_what, arrange) => {
      const { grant, mock } = refreshGrant();
      arrange(mock);
      const error = await rejectionOf(grant(ctx(lastToken)));
      expectNoSecrets(error, ALL);
      const manager = new TokenManager({
        fetchToken: grant,
        initialToken: { accessToken: SECRETS.accessToken, refreshToken: SECRETS.refreshToken },
      });
      expectNoSecrets(await rejectionOf(manager.refresh()), ALL);
    });

    it.each([
      ['unreachable', (mock: ReturnType<typeof mockAuthServer>['mock']) => mock.onGet(/well-known/).networkError()],
      ['answering 500', (mock: ReturnType<typeof mockAuthServer>['mock']) => mock.onGet(/well-known/).reply(500, echoes())],
      [
        'answering another issuer',
        (mock: ReturnType<typeof mockAuthServer>['mock']) =>
          mock.onGet(/well-known/).reply(200, { issuer: 'https://evil.example', token_endpoint: `${ISSUER}/token` }),
      ],
    ])('a discovery failure: metadata %s', async (_what, arrange) => {
      const { http: client, mock } = mockAuthServer();
      arrange(mock);
      const grant = refreshTokenGrant({
        issuer: ISSUER,
        clientId: CLIENT_ID,
        clientSecret: SECRETS.clientSecret,
        httpClient: client,
        maxRetries: 0,
      });
      const error = await rejectionOf(grant(ctx(lastToken)));
      expect(error).toMatchObject({ code: ErrorCode.DISCOVERY_FAILED });
      expectNoSecrets(error, ALL);
    });

    it.each([
      ['a 503', (mock: ReturnType<typeof refreshGrant>['mock']) => mock.onPost(REVOCATION_URL).reply(503, echoes([SECRETS.refreshToken]))],
      [
        'a 400 error body echoing every secret',
        (mock: ReturnType<typeof refreshGrant>['mock']) =>
          mock.onPost(REVOCATION_URL).reply(400, {
            error: 'invalid_request',
            error_description: echoes([SECRETS.refreshToken]),
            error_uri: echoes([SECRETS.refreshToken]),
          }),
      ],
      ['a network error', (mock: ReturnType<typeof refreshGrant>['mock']) => mock.onPost(REVOCATION_URL).networkError()],
      ['a timeout', (mock: ReturnType<typeof refreshGrant>['mock']) => mock.onPost(REVOCATION_URL).timeout()],
    ])('a revocation failure: %s', async (_what, arrange) => {
      const { grant, mock } = refreshGrant();
      arrange(mock);
      expectNoSecrets(await rejectionOf(grant.revoke!(lastToken)), ALL);
    });
  });

  describe('scrubbing an error body that echoes the request (issue 9, item 4)', () => {
    async function oauthErrorFor(
      body: Record<string, unknown>,
      authMethod?: 'client_secret_basic' | 'client_secret_post',
    ): Promise<OAuthError> {
      const { grant, mock } = refreshGrant(authMethod);
      mock.onPost(TOKEN_URL).reply(400, body);
      const error = await rejectionOf(grant(ctx(lastToken)));
      expect(error).toBeInstanceOf(OAuthError);
      return error as OAuthError;
    }

    it('regression: error_uri echoing a secret is scrubbed', async () => {
      const error = await oauthErrorFor({ error: 'invalid_grant', error_uri: `https://as.example/why?rt=${SECRETS.refreshToken}` });
      expect(error.errorUri).toBe('https://as.example/why?rt=[REDACTED]');
      expectNoSecrets(error, ALL);
    });

    it('regression: a form-encoded echo (formEncode and encodeURIComponent) of a secret is scrubbed', async () => {
      const body = `refresh_token=${formEncode(SECRETS.refreshToken)}&client_secret=${encodeURIComponent(SECRETS.clientSecret)}`;
      const error = await oauthErrorFor({ error: 'invalid_grant', error_description: `rejected ${body}` }, 'client_secret_post');
      expect(error.errorDescription).toBe('rejected refresh_token=[REDACTED]&client_secret=[REDACTED]');
      expectNoSecrets(error, ALL);
    });

    it('regression: an echoed Basic credential (base64 of id:secret as we send it) is scrubbed', async () => {
      const error = await oauthErrorFor({
        error: 'invalid_client',
        error_description: `Authorization: Basic ${basicOf(CLIENT_ID, SECRETS.clientSecret)} is not known`,
      });
      expect(error.errorDescription).toBe('Authorization: [REDACTED] is not known');
      expectNoSecrets(error, ALL);
    });

    it('regression: a JSON-escaped echo of a secret is scrubbed', async () => {
      const { http: client, mock } = mockAuthServer();
      mock.onPost(TOKEN_URL).reply(400, { error: 'invalid_grant', error_description: `got ${JSON.stringify({ p: SECRETS.password })}` });
      const grant = passwordGrant({
        tokenUrl: TOKEN_URL,
        clientId: CLIENT_ID,
        username: 'alice',
        password: SECRETS.password,
        httpClient: client,
      });
      const error = (await rejectionOf(grant(ctx()))) as OAuthError;
      expect(error.errorDescription).toBe('got {"p":"[REDACTED]"}');
      expectNoSecrets(error, ALL);
    });

    it('regression: a short access token scrubs only where it stands alone, never inside a word', async () => {
      const { http: client, mock } = mockAuthServer();
      mock.onPost(TOKEN_URL).reply(400, { error: 'invalid_grant', error_description: 'Authorization failed for token=at&hint=at.' });
      const grant = refreshTokenGrant({
        tokenUrl: TOKEN_URL,
        clientId: CLIENT_ID,
        clientSecret: SECRETS.clientSecret,
        httpClient: client,
        maxRetries: 0,
      });
      const short: Token = { accessToken: 'at', refreshToken: 'rt-9f.x', tokenType: 'Bearer', obtainedAt: 0 };
      const error = (await rejectionOf(grant(ctx(short)))) as OAuthError;
      expect(error.errorDescription).toBe('Authorization failed for token=[REDACTED]&hint=[REDACTED].');
    });
  });

  describe('revoke() when the revocation endpoint cannot be reached (issue 9, item 17)', () => {
    it('regression: a refused connection rejects with ERR_OAUTH_REVOCATION_FAILED, the redacted AxiosError as its cause', async () => {
      const port = await closedPort();
      const grant = refreshTokenGrant({
        tokenUrl: `http://127.0.0.1:${port}/token`,
        revocationUrl: `http://127.0.0.1:${port}/revoke`,
        clientId: CLIENT_ID,
        clientSecret: SECRETS.clientSecret,
        maxRetries: 0,
        allowInsecureHttp: true,
      });
      const error = await rejectionOf(grant.revoke!(lastToken));

      expect(error).toMatchObject({ name: 'OAuthLockError', code: ErrorCode.REVOCATION_FAILED });
      expect(error.message).toMatch(
        /^Revocation failed: the revocation endpoint could not be reached \(.*ECONNREFUSED.*\); the token may still be valid/,
      );
      expect(isAxiosError(error.cause)).toBe(true);
      expect(error.cause).toMatchObject({
        code: 'ECONNREFUSED',
        config: expect.objectContaining({ data: '[REDACTED]' }),
      });
      expectNoSecrets(error, ALL);
    });

    it('regression: a timeout rejects with ERR_OAUTH_REVOCATION_FAILED too', async () => {
      const { grant, mock } = refreshGrant();
      mock.onPost(REVOCATION_URL).timeout();
      const error = await rejectionOf(grant.revoke!(lastToken));
      expect(error).toMatchObject({
        name: 'OAuthLockError',
        code: ErrorCode.REVOCATION_FAILED,
        cause: expect.objectContaining({ code: 'ECONNABORTED' }),
      });
      expectNoSecrets(error, ALL);
    });
  });
});
