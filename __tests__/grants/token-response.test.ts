import { ErrorCode, OAuthError, TokenRefreshError } from '../../lib/core/errors';
import { clientCredentials } from '../../lib/grants';
import { CLIENT, TOKEN_URL, ctx, mockAuthServer, rejectionOf, tokenBody } from './helpers';

function grantAnswering(status: number, body: unknown, headers: Record<string, string> = {}) {
  const { http, mock } = mockAuthServer();
  mock.onPost(TOKEN_URL).reply(status, body, headers);
  return { grant: clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http, maxRetries: 0 }), mock };
}

describe('token endpoint responses', () => {
  it('accepts expires_in as a numeric string', async () => {
    const { grant } = grantAnswering(200, tokenBody({ expires_in: '3600' }));
    await expect(grant(ctx())).resolves.toMatchObject({ expiresIn: 3600 });
  });

  it('accepts token_type "BEARER" case-insensitively and reports it as Bearer', async () => {
    const { grant } = grantAnswering(200, tokenBody({ token_type: 'BEARER' }));
    await expect(grant(ctx())).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('reads a JSON body that arrives as text', async () => {
    const { grant } = grantAnswering(200, JSON.stringify(tokenBody()), { 'content-type': 'application/json' });
    await expect(grant(ctx())).resolves.toMatchObject({ accessToken: 'at-1' });
  });

  it.each([
    ['a DPoP token_type', tokenBody({ token_type: 'DPoP' }), '"token_type" "DPoP" is not supported'],
    ['no access_token', { token_type: 'Bearer' }, '"access_token" is missing'],
    ['an empty access_token', tokenBody({ access_token: '' }), '"access_token" is missing'],
    ['a non-numeric expires_in', tokenBody({ expires_in: 'soon' }), '"expires_in" is not a non-negative number'],
    ['a numeric refresh_token', tokenBody({ refresh_token: 42 }), '"refresh_token" is not a string'],
    ['an array scope', tokenBody({ scope: ['a'] }), '"scope" is not a string'],
  ])('rejects a 200 with %s as ERR_OAUTH_INVALID_RESPONSE', async (_name, body, message) => {
    const error = await rejectionOf(grantAnswering(200, body).grant(ctx()));
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect(error).toMatchObject({ code: ErrorCode.INVALID_RESPONSE });
    expect(error.message).toContain(message);
  });

  it('turns a 400 invalid_grant body into an OAuthError with every RFC 6749 §5.2 member', async () => {
    const body = { error: 'invalid_grant', error_description: 'grant expired', error_uri: 'https://auth.example.com/e' };
    const error = await rejectionOf(grantAnswering(400, body).grant(ctx()));

    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({
      code: ErrorCode.OAUTH_ERROR,
      error: 'invalid_grant',
      errorDescription: 'grant expired',
      errorUri: 'https://auth.example.com/e',
      status: 400,
    });
    expect(error.message).toBe('Authorization server answered "invalid_grant": grant expired');
  });

  it('turns a 401 invalid_client into an OAuthError without retrying', async () => {
    const { grant, mock } = grantAnswering(401, { error: 'invalid_client' });
    await expect(grant(ctx())).rejects.toMatchObject({ name: 'OAuthError', error: 'invalid_client', status: 401 });
    expect(mock.history.post).toHaveLength(1);
  });

  it.each([
    [
      'an HTML 502 page',
      502,
      '<html><body>Bad gateway</body></html>',
      { 'content-type': 'text/html; charset=utf-8' },
      'HTTP 502 with a text/html body',
    ],
    ['an empty 200', 200, '', {}, 'HTTP 200 with an empty body'],
    [
      'a 200 with a truncated JSON body',
      200,
      '{"access_tok',
      { 'content-type': 'application/json' },
      'HTTP 200 with a application/json body',
    ],
    ['a 302 redirect', 302, '', { location: 'https://evil.example.com/' }, 'HTTP 302 with an empty body'],
    ['a 400 without an error member', 400, { message: 'nope' }, {}, 'HTTP 400'],
  ])('turns %s into a typed error, never a parse exception', async (_name, status, body, headers, message) => {
    const error = await rejectionOf(grantAnswering(status, body, headers).grant(ctx()));
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect(error).toMatchObject({ code: ErrorCode.INVALID_RESPONSE });
    expect(error.message).toContain(message);
  });
});
