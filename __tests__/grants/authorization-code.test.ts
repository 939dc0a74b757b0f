import { ErrorCode, OAuthError, TokenManager, authorizationCodeGrant, createAuthorizationRequest } from '../../lib/index.js';
import { codeChallengeS256, randomToken } from '../../lib/grants/pkce';
import { expectNoSecrets } from '../support/secrets-sweep';
import { ctx, form, mockAuthServer, rejectionOf, tokenBody } from './helpers';

let n = 0;
const nextIssuer = (): string => `https://az${++n}.example.com`;
const REDIRECT = 'https://app.example.com/callback';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

function server(issuer: string, extra: Record<string, unknown> = {}) {
  const { http, mock } = mockAuthServer();
  mock.onGet(`${issuer}/.well-known/openid-configuration`).reply(200, {
    issuer,
    token_endpoint: `${issuer}/token`,
    authorization_endpoint: `${issuer}/authorize`,
    ...extra,
  });
  return { http, mock };
}

const callback = (params: Record<string, string>): string => `${REDIRECT}?${new URLSearchParams(params)}`;

describe('PKCE', () => {
  it('computes the S256 challenge of RFC 7636 Appendix B', async () => {
    await expect(codeChallengeS256(VERIFIER)).resolves.toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character verifiers from crypto.getRandomValues', () => {
    const spy = jest.spyOn(crypto, 'getRandomValues');
    const a = randomToken();
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
  });
});

describe('createAuthorizationRequest', () => {
  it('builds the URL with response_type=code, state, an S256 challenge and every requested parameter', async () => {
    const request = await createAuthorizationRequest({
      authorizationUrl: 'https://id.example.com/authorize?tenant=acme',
      clientId: 'spa',
      redirectUri: REDIRECT,
      scope: ['openid', 'orders:read'],
      resource: ['https://api.example.com', 'https://files.example.com'],
      audience: 'orders',
      prompt: 'login',
      loginHint: 'alice@example.com',
      acrValues: ['urn:mace:incommon:iap:silver', 'mfa'],
      maxAge: 300,
      extraParams: { ui_locales: 'fr', skipped: undefined },
    });
    const url = new URL(request.url);
    expect(url.origin + url.pathname).toBe('https://id.example.com/authorize');
    const q = url.searchParams;
    expect(Object.fromEntries([...q].filter(([k]) => k !== 'resource'))).toEqual({
      tenant: 'acme',
      response_type: 'code',
      client_id: 'spa',
      redirect_uri: REDIRECT,
      scope: 'openid orders:read',
      audience: 'orders',
      prompt: 'login',
      login_hint: 'alice@example.com',
      acr_values: 'urn:mace:incommon:iap:silver mfa',
      max_age: '300',
      ui_locales: 'fr',
      state: request.state,
      code_challenge: await codeChallengeS256(request.codeVerifier),
      code_challenge_method: 'S256',
    });
    expect(q.getAll('resource')).toEqual(['https://api.example.com', 'https://files.example.com']);
    expect(request.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.parse(JSON.stringify(request))).toEqual(request);
    expect(Object.keys(request).sort()).toEqual(['codeVerifier', 'redirectUri', 'state', 'url']);
  });

  it('takes the authorization endpoint from the issuer metadata', async () => {
    const issuer = nextIssuer();
    const { http, mock } = server(issuer);
    const request = await createAuthorizationRequest({ issuer, clientId: 'spa', redirectUri: REDIRECT, httpClient: http });
    expect(request.url.startsWith(`${issuer}/authorize?response_type=code&client_id=spa&`)).toBe(true);
    expect(mock.history.get).toHaveLength(1);
  });

  it.each([
    [{ clientId: 'spa', redirectUri: REDIRECT }, '"options" must have exactly one of "issuer" and "authorizationUrl"'],
    [{ authorizationUrl: 'https://id.example.com/a', clientId: 'spa' }, '"options.redirectUri" must be a non-empty string'],
    [
      { authorizationUrl: 'https://id.example.com/a', clientId: 'spa', redirectUri: '/cb' },
      '"options.redirectUri" must be an absolute URI',
    ],
    [
      { authorizationUrl: 'https://id.example.com/a', clientId: 'spa', redirectUri: `${REDIRECT}#x` },
      '"options.redirectUri" must not have a fragment (RFC 6749 §3.1.2)',
    ],
    [
      { authorizationUrl: 'https://id.example.com/a', clientId: 'spa', redirectUri: REDIRECT, extraParams: { state: 'mine' } },
      '"options.extraParams.state" is set by createAuthorizationRequest and cannot be overridden',
    ],
    [
      { authorizationUrl: 'https://id.example.com/a', clientId: 'spa', redirectUri: REDIRECT, maxAge: 1.5 },
      '"options.maxAge" must be a whole number of seconds',
    ],
    [
      { authorizationUrl: 'https://id.example.com/a', clientId: 'spa', redirectUri: REDIRECT, nonse: 'x' },
      '"options.nonse" is not an option of createAuthorizationRequest()',
    ],
  ])('refuses bad options naming them: %j', async (options, message) => {
    await expect(createAuthorizationRequest(options as never)).rejects.toThrow(message);
  });
});

describe('authorizationCodeGrant', () => {
  const grantFor = (issuer: string, params: Record<string, string>, extra: Record<string, unknown> = {}) => {
    const s = server(issuer, extra);
    const grant = authorizationCodeGrant({
      issuer,
      clientId: 'spa',
      httpClient: s.http,
      maxRetries: 0,
      url: 'ignored',
      redirectUri: REDIRECT,
      state: 'state-1234567890',
      codeVerifier: VERIFIER,
      callbackUrl: callback(params),
    });
    return { grant, ...s };
  };

  it('redeems the code with the code verifier and the redirect URI, once', async () => {
    const issuer = nextIssuer();
    const { grant, mock } = grantFor(issuer, { code: 'code-AAAA1111', state: 'state-1234567890', iss: issuer });
    mock.onPost(`${issuer}/token`).reply(200, tokenBody({ refresh_token: 'rt-1' }));
    await expect(grant(ctx())).resolves.toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });
    expect(form(mock.history.post[0]!)).toEqual({
      grant_type: 'authorization_code',
      code: 'code-AAAA1111',
      redirect_uri: REDIRECT,
      code_verifier: VERIFIER,
      client_id: 'spa',
    });
    const again = await rejectionOf(grant(ctx()));
    expect((again as OAuthError).code).toBe(ErrorCode.AUTHORIZATION_RESPONSE_INVALID);
    expect(mock.history.post).toHaveLength(1);
  });

  it('refuses a callback whose state differs, before believing anything in it (no token request)', async () => {
    const issuer = nextIssuer();
    const { grant, mock } = grantFor(issuer, { code: 'code-AAAA1111', state: 'state-other', error: 'access_denied' });
    const error = await rejectionOf(grant(ctx()));
    expect(error).toMatchObject({ code: ErrorCode.AUTHORIZATION_RESPONSE_INVALID });
    expect(error.message).toContain('"state" does not match');
    expect(mock.history.post).toHaveLength(0);
    expectNoSecrets(error, ['state-1234567890', 'code-AAAA1111']);
  });

  it('turns an error callback into an OAuthError', async () => {
    const issuer = nextIssuer();
    const { grant } = grantFor(issuer, { error: 'access_denied', error_description: 'The user said no', state: 'state-1234567890' });
    const error = await rejectionOf(grant(ctx()));
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ error: 'access_denied', errorDescription: 'The user said no' });
  });

  it('refuses a present iss that differs, whether or not the server advertises iss (RFC 9207 mix-up)', async () => {
    for (const extra of [{}, { authorization_response_iss_parameter_supported: true }]) {
      const issuer = nextIssuer();
      const { grant, mock } = grantFor(
        issuer,
        { code: 'code-AAAA1111', state: 'state-1234567890', iss: 'https://evil.example.com' },
        extra,
      );
      const error = await rejectionOf(grant(ctx()));
      expect(error.message).toContain('"iss" is not');
      expect(mock.history.post).toHaveLength(0);
    }
  });

  it('requires iss when the server advertises authorization_response_iss_parameter_supported, and not otherwise', async () => {
    const strict = nextIssuer();
    const a = grantFor(
      strict,
      { code: 'code-AAAA1111', state: 'state-1234567890' },
      { authorization_response_iss_parameter_supported: true },
    );
    expect((await rejectionOf(a.grant(ctx()))).message).toContain('has no "iss"');
    const lax = nextIssuer();
    const b = grantFor(lax, { code: 'code-AAAA1111', state: 'state-1234567890' });
    b.mock.onPost(`${lax}/token`).reply(200, tokenBody());
    await expect(b.grant(ctx())).resolves.toMatchObject({ accessToken: 'at-1' });
  });

  it('keeps the code, the verifier and the state out of a failed redemption', async () => {
    const issuer = nextIssuer();
    const { grant, mock } = grantFor(issuer, { code: 'code-AAAA1111', state: 'state-1234567890', iss: issuer });
    mock.onPost(`${issuer}/token`).reply(400, { error: 'invalid_grant', error_description: `code code-AAAA1111 with ${VERIFIER} is used` });
    const error = await rejectionOf(new TokenManager({ fetchToken: jest.fn() }).signIn(grant));
    expect(error).toMatchObject({ code: ErrorCode.SIGN_IN_FAILED });
    expect((error as { cause?: unknown }).cause).toMatchObject({ error: 'invalid_grant' });
    expectNoSecrets(error, ['code-AAAA1111', VERIFIER, 'state-1234567890']);
  });

  it('checks its options at creation', () => {
    const base = {
      tokenUrl: 'https://id.example.com/token',
      clientId: 'spa',
      redirectUri: REDIRECT,
      state: 's',
      callbackUrl: callback({}),
    };
    expect(() => authorizationCodeGrant({ ...base, codeVerifier: 'short' })).toThrow(
      '"options.codeVerifier" must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)',
    );
    expect(() => authorizationCodeGrant({ ...base, codeVerifier: VERIFIER, callbackUrl: '?code=1' })).toThrow(
      '"options.callbackUrl" must be the absolute URL the browser was sent back to',
    );
    expect(() => authorizationCodeGrant({ ...base, codeVerifier: VERIFIER, extraParams: { code_verifier: 'x' } })).toThrow(
      '"options.extraParams.code_verifier" is set by the grant and cannot be overridden',
    );
  });
});
