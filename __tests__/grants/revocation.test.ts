import { ErrorCode, OAuthError } from '../../lib/core/errors';
import { clientCredentials, refreshTokenGrant } from '../../lib/grants';
import type { Token } from '../../lib/core/token';
import { CLIENT, REVOCATION_URL, TOKEN_URL, basicCredentials, form, mockAuthServer, rejectionOf } from './helpers';

const token = (refreshToken?: string): Token => ({
  accessToken: 'at-live',
  tokenType: 'Bearer',
  obtainedAt: 0,
  ...(refreshToken ? { refreshToken } : {}),
});

function setup() {
  const { http, mock } = mockAuthServer();
  const grant = refreshTokenGrant({ tokenUrl: TOKEN_URL, revocationUrl: REVOCATION_URL, ...CLIENT, httpClient: http, maxRetries: 0 });
  return { grant, mock };
}

describe('revocation (RFC 7009)', () => {
  it('POSTs the refresh token with its hint, client-authenticated, never in the URL', async () => {
    const { grant, mock } = setup();
    mock.onPost(REVOCATION_URL).reply(200, '');
    await grant.revoke!(token('rt-live'));

    const request = mock.history.post[0]!;
    expect(request.url).toBe(REVOCATION_URL);
    expect(form(request)).toEqual({ token: 'rt-live', token_type_hint: 'refresh_token' });
    expect(basicCredentials(request)).toEqual([CLIENT.clientId, CLIENT.clientSecret]);
  });

  it('revokes the access token when there is no refresh token', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(REVOCATION_URL).reply(200, '');
    await clientCredentials({ tokenUrl: TOKEN_URL, revocationUrl: REVOCATION_URL, ...CLIENT, httpClient: http }).revoke!(token());
    expect(form(mock.history.post[0]!)).toEqual({ token: 'at-live', token_type_hint: 'access_token' });
  });

  it('tells the caller with a typed error when the server answers 503', async () => {
    const { grant, mock } = setup();
    mock.onPost(REVOCATION_URL).reply(503, '', { 'retry-after': '1' });
    const error = await rejectionOf(grant.revoke!(token('rt-live')));

    expect(error).toMatchObject({ name: 'OAuthLockError', code: ErrorCode.REVOCATION_FAILED });
    expect(error.message).toContain('HTTP 503');
    expect(error.message).toContain('may still be valid');
  });

  it('turns unsupported_token_type into an OAuthError', async () => {
    const { grant, mock } = setup();
    mock.onPost(REVOCATION_URL).reply(400, { error: 'unsupported_token_type' });
    await expect(grant.revoke!(token('rt-live'))).rejects.toBeInstanceOf(OAuthError);
  });

  it('resolves without a request when the discovered server has no revocation endpoint', async () => {
    const { http, mock } = mockAuthServer();
    const issuer = 'https://no-revocation.example.com';
    mock.onGet(`${issuer}/.well-known/openid-configuration`).reply(200, { issuer, token_endpoint: `${issuer}/token` });
    await expect(refreshTokenGrant({ issuer, clientId: 'spa', httpClient: http }).revoke!(token('rt'))).resolves.toBeUndefined();
    expect(mock.history.post).toHaveLength(0);
  });

  it('uses the discovered revocation endpoint', async () => {
    const { http, mock } = mockAuthServer();
    const issuer = 'https://with-revocation.example.com';
    mock
      .onGet(`${issuer}/.well-known/openid-configuration`)
      .reply(200, { issuer, token_endpoint: `${issuer}/token`, revocation_endpoint: `${issuer}/revoke` });
    mock.onPost(`${issuer}/revoke`).reply(200, '');
    await refreshTokenGrant({ issuer, clientId: 'spa', httpClient: http }).revoke!(token('rt'));
    expect(form(mock.history.post[0]!)).toEqual({ token: 'rt', token_type_hint: 'refresh_token', client_id: 'spa' });
  });
});
