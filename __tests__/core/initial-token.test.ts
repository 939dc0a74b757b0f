import { attachOAuth, ErrorCode, OAuthError, refreshTokenGrant, TokenManager, type TokenSourceContext } from '../../lib/index.js';
import { createFakeApi } from '../support/fake-api.js';
import { form, mockAuthServer, TOKEN_URL, tokenBody } from '../grants/helpers.js';

/* Issue 9 item 16: `initialToken` errors are option errors, and a refresh token alone is a normal start. */

const START = Date.UTC(2026, 0, 1);

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('initialToken', () => {
  it.each([
    ['a token with a newline', 'abc\r\nX-Evil: 1', /^"options\.initialToken" is not a valid token: the access token has characters/],
    ['a number access token', { accessToken: 42 }, /^"options\.initialToken" is not a valid token: the access token is missing/],
    [
      'an invalid token_type',
      { access_token: 'a', token_type: 'Bearer x' },
      /^"options\.initialToken" is not a valid token: the token type/,
    ],
    ['null', null, /^"options\.initialToken" must be a token/],
    ['an object with neither token', { scope: 'read' }, /^"options\.initialToken" must have an access token or a refresh token/],
    ['an empty refresh token', { refreshToken: '' }, /^"options\.initialToken" must have an access token or a refresh token/],
  ])('regression: rejects %s at attach time with a TypeError naming "options.initialToken"', (_label, initialToken, message) => {
    const { api } = createFakeApi();
    const attach = (): unknown => attachOAuth(api, { fetchToken: async () => 'unused', initialToken: initialToken as never });
    expect(attach).toThrow(TypeError);
    expect(attach).toThrow(message);
  });

  it.each([
    ['camelCase', { refreshToken: 'rt-0' }],
    ['wire JSON', { refresh_token: 'rt-0' }],
  ])(
    'regression: starts from a refresh token alone (%s): the first request redeems it, none is sent without an access token',
    async (_label, initialToken) => {
      const { http, mock: auth } = mockAuthServer();
      auth.onPost(TOKEN_URL).reply(200, tokenBody({ access_token: 'at-1', refresh_token: 'rt-1' }));
      const grant = refreshTokenGrant({ tokenUrl: TOKEN_URL, clientId: 'spa', httpClient: http, maxRetries: 0 });
      const reasons: TokenSourceContext[] = [];
      const fetchToken = Object.assign((ctx: TokenSourceContext) => (reasons.push(ctx), grant(ctx)), { revoke: grant.revoke });
      const { api, valid, seen } = createFakeApi();
      valid.add('at-1');
      const handle = attachOAuth(api, { fetchToken, initialToken });
      expect(handle.tokenManager.token).toBeNull();
      expect(handle.tokenManager.peek()).toBeUndefined();

      await expect(api.get('/orders')).resolves.toMatchObject({ status: 200 });
      expect(seen.map((s) => s.authorization)).toEqual(['Bearer at-1']);
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toMatchObject({ reason: 'initial', lastToken: { accessToken: '', refreshToken: 'rt-0' } });
      expect(form(auth.history.post[0]!)).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-0' });
      expect(handle.tokenManager.token).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });
    },
  );

  it('forgets a lone refresh token on clear(): the next call has no lastToken', async () => {
    const fetchToken = jest.fn(async (_ctx: TokenSourceContext) => 'fresh');
    const manager = new TokenManager({ fetchToken, initialToken: { refreshToken: 'rt-0' } });
    manager.clear();
    await manager.getToken();
    expect(fetchToken.mock.calls[0]![0].lastToken).toBeNull();
  });

  it('regression: after invalid_grant the next error says to install a token with setToken()', async () => {
    const { http, mock: auth } = mockAuthServer();
    auth.onPost(TOKEN_URL).reply(400, { error: 'invalid_grant' });
    const grant = refreshTokenGrant({ tokenUrl: TOKEN_URL, clientId: 'spa', httpClient: http, maxRetries: 0 });
    const manager = new TokenManager({ fetchToken: grant, initialToken: { refreshToken: 'rt-dead' } });
    await expect(manager.getToken()).rejects.toMatchObject({ cause: expect.any(OAuthError) });
    const next = await manager.getToken().catch((error: unknown) => error);
    expect(next).toMatchObject({ code: ErrorCode.REFRESH_TOKEN_UNUSABLE, message: expect.stringContaining('setToken()') });
    expect(auth.history.post).toHaveLength(1);
  });
});
