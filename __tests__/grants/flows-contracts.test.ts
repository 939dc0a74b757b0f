import axios from 'axios';
import { ErrorCode, TokenRefreshError, clientCredentials, passwordGrant, refreshTokenGrant, tokenExchangeGrant } from '../../lib/index.js';
import { thrown } from '../support/thrown';
import { CLIENT, TOKEN_URL, ctx, form, mockAuthServer, rejectionOf, tokenBody } from './helpers';

/*
 * What the token-endpoint grants promise at creation and per request (issue 9, mutation run over the grant flows and
 * lib/grants/validate-options.ts): which methods and modes are accepted, which option a refusal names, and which
 * parameters a request carries.
 */

const base = { tokenUrl: TOKEN_URL, ...CLIENT };
const token = (extra: Record<string, unknown> = {}) => ({ accessToken: 'at-0', tokenType: 'Bearer', obtainedAt: 0, ...extra });

describe('endpoint options: accepted', () => {
  it.each(['tls_client_auth', 'self_signed_tls_client_auth', 'none'])('takes authMethod %s without a secret', (authMethod) => {
    expect(() => clientCredentials({ tokenUrl: TOKEN_URL, clientId: 'svc', authMethod } as never)).not.toThrow();
  });

  it('takes a privateKey without a secret, with or without authMethod', () => {
    const privateKey = {
      kty: 'OKP',
      crv: 'Ed25519',
      x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
      d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
    };
    expect(() => clientCredentials({ tokenUrl: TOKEN_URL, clientId: 'svc', privateKey })).not.toThrow();
    expect(() =>
      clientCredentials({ tokenUrl: TOKEN_URL, clientId: 'svc', authMethod: 'private_key_jwt', privateKey } as never),
    ).not.toThrow();
  });

  it.each(['auto', 'openid-configuration', 'oauth-authorization-server'])('takes discovery %s with an issuer', (discovery) => {
    expect(() => clientCredentials({ issuer: 'https://op.example.com', ...CLIENT, discovery } as never)).not.toThrow();
  });

  it('takes maxRetries up to 10, and an empty extra parameter', () => {
    expect(() => clientCredentials({ ...base, maxRetries: 10 })).not.toThrow();
    expect(() => clientCredentials({ ...base, extraParams: { prompt: '' } })).not.toThrow();
  });
});

describe('endpoint options: refusals name the option at fault', () => {
  it.each([
    ['options that are not an object', null, TypeError, '"options" must be an object'],
    ['options that are a string', 'x', TypeError, '"options" must be an object'],
    ['a client_secret_basic client without a secret', { tokenUrl: TOKEN_URL, clientId: 'svc' }, TypeError, '"options.clientSecret"'],
    ['an unusable revocationUrl', { ...base, revocationUrl: 'ftp://auth.example.com/revoke' }, TypeError, '"options.revocationUrl"'],
    [
      'an unknown discovery mode',
      { issuer: 'https://op.example.com', ...CLIENT, discovery: 'webfinger' },
      TypeError,
      '"options.discovery"',
    ],
    ['an unusable issuer', { issuer: 'op.example.com', ...CLIENT }, TypeError, '"options.issuer"'],
    ['extraParams that are null', { ...base, extraParams: null }, TypeError, '"options.extraParams" must be an object'],
    ['extraParams that are a string', { ...base, extraParams: 'a=b' }, TypeError, '"options.extraParams" must be an object'],
    ['an empty extra parameter list', { ...base, extraParams: { ui_locales: [] } }, TypeError, '"options.extraParams.ui_locales"'],
    [
      'an extra parameter list with a number',
      { ...base, extraParams: { ui_locales: ['de', 1] } },
      TypeError,
      '"options.extraParams.ui_locales"',
    ],
    ['a scope with a quote', { ...base, scope: 'a"b' }, TypeError, "printable ASCII except space, '\"' and '\\' (RFC 6749 §3.3)"],
    ['an httpClient object without request()', { ...base, httpClient: { get() {} } }, TypeError, '"options.httpClient"'],
    ['an httpClient function without request()', { ...base, httpClient: () => undefined }, TypeError, '"options.httpClient"'],
    ['maxRetries above 10', { ...base, maxRetries: 11 }, RangeError, '"options.maxRetries" must be an integer from 0 to 10'],
    ['a fractional maxRetries', { ...base, maxRetries: 1.5 }, RangeError, '"options.maxRetries" must be an integer from 0 to 10'],
  ])('refuses %s', (_case, options, type, message) => {
    const error = thrown(() => clientCredentials(options as never));
    expect(error).toBeInstanceOf(type);
    expect(error.message).toContain(message);
    expect(error.message).not.toContain(CLIENT.clientSecret);
  });

  it('takes an axios instance as httpClient', () => {
    expect(() => clientCredentials({ ...base, httpClient: axios.create() })).not.toThrow();
  });
});

describe('tokenExchangeGrant', () => {
  const SUBJECT_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
  const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
  const exchange = (extra: Record<string, unknown> = {}) => {
    const { http, mock } = mockAuthServer();
    const grant = tokenExchangeGrant({
      ...base,
      httpClient: http,
      subjectToken: () => 'st-1',
      subjectTokenType: SUBJECT_TYPE,
      ...extra,
    });
    return { grant, mock };
  };

  it.each([
    ['an empty subjectTokenType', { subjectTokenType: '' }, '"options.subjectTokenType"'],
    ['an actorToken that is not a function', { actorToken: 'at', actorTokenType: SUBJECT_TYPE }, '"options.actorToken"'],
    ['an actorTokenType without an actorToken', { actorTokenType: SUBJECT_TYPE }, '"options.actorTokenType" needs "options.actorToken"'],
    ['an empty requestedTokenType', { requestedTokenType: '' }, '"options.requestedTokenType"'],
  ])('refuses %s', (_case, extra, message) => {
    const error = thrown(() => exchange(extra));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain(message);
  });

  it('sends neither actor nor requested type when none is given, and takes any issued type', async () => {
    const { grant, mock } = exchange();
    mock.onPost(TOKEN_URL).reply(200, tokenBody({ issued_token_type: JWT_TYPE }));
    await expect(grant(ctx())).resolves.toMatchObject({ accessToken: 'at-1' });
    expect(Object.keys(form(mock.history.post[0]!)).sort()).toEqual(['grant_type', 'subject_token', 'subject_token_type']);
  });

  it.each([
    ['subjectToken', { subjectToken: () => '' }, 'the subjectToken() result'],
    ['actorToken', { actorToken: () => '', actorTokenType: SUBJECT_TYPE }, 'the actorToken() result'],
  ])('names the %s() result when it is not a usable token', async (_name, extra, message) => {
    const { grant } = exchange(extra);
    await expect(grant(ctx())).rejects.toThrow(message);
  });

  it('says that issued_token_type is missing (RFC 8693 §2.2.1)', async () => {
    const { grant, mock } = exchange();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    const error = await rejectionOf(grant(ctx()));
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect((error as TokenRefreshError).code).toBe(ErrorCode.INVALID_RESPONSE);
    expect(error.message).toBe('Invalid token response: "issued_token_type" is missing (RFC 8693 §2.2.1)');
  });
});

describe('passwordGrant after a failed refresh', () => {
  it('does not fall back to the password for an error other than invalid_grant', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(401, { error: 'invalid_client' });
    const grant = passwordGrant({ ...base, httpClient: http, username: 'u', password: 'pw-secret', maxRetries: 0 });
    await expect(grant(ctx(token({ refreshToken: 'rt-1' })))).rejects.toMatchObject({ error: 'invalid_client' });
    expect(mock.history.post.map((request) => form(request).grant_type)).toEqual(['refresh_token']);
  });

  it('falls back to the password after invalid_grant', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).replyOnce(400, { error: 'invalid_grant' }).onPost(TOKEN_URL).replyOnce(200, tokenBody());
    const grant = passwordGrant({ ...base, httpClient: http, username: 'u', password: 'pw-secret', maxRetries: 0 });
    await expect(grant(ctx(token({ refreshToken: 'rt-1' })))).resolves.toMatchObject({ accessToken: 'at-1' });
    expect(mock.history.post.map((request) => form(request).grant_type)).toEqual(['refresh_token', 'password']);
  });
});

describe('refreshTokenGrant without a usable refresh token', () => {
  it('says there is none for an empty refresh token, and sends nothing', async () => {
    const { http, mock } = mockAuthServer();
    const grant = refreshTokenGrant({ ...base, httpClient: http });
    const error = await rejectionOf(grant(ctx(token({ refreshToken: '' }))));
    expect((error as TokenRefreshError).code).toBe(ErrorCode.REFRESH_TOKEN_UNUSABLE);
    expect(error.message).toContain('there is no refresh token to redeem');
    expect(mock.history.post).toHaveLength(0);
  });

  it('says the server already rejected it after invalid_grant', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(400, { error: 'invalid_grant' });
    const grant = refreshTokenGrant({ ...base, httpClient: http, maxRetries: 0 });
    await rejectionOf(grant(ctx(token({ refreshToken: 'rt-dead' }))));
    const error = await rejectionOf(grant(ctx(token({ refreshToken: 'rt-dead' }))));
    expect(error.message).toContain('already rejected this refresh token');
    expect(mock.history.post).toHaveLength(1);
  });
});
