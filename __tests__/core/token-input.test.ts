import { ErrorCode, TokenManager, TokenRefreshError } from '../../lib/index.js';

/*
 * What a token source (or setToken()) may hand us, and what the store makes of it (issue 9, "Tests that can fail":
 * a JWT's exp used as expiry, expiresAt input, an invalid token_type). Everything goes through the public
 * TokenManager: the token a user gets back from getToken()/setToken() is what onTokenUpdate persists.
 */

const START = Date.UTC(2026, 0, 1);
const START_S = START / 1000;

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});
afterEach(() => {
  jest.useRealTimers();
});

const fromSource = (value: unknown): Promise<unknown> => new TokenManager({ fetchToken: async () => value as never }).getToken();
const install = (value: unknown): unknown => new TokenManager({ fetchToken: async () => 'unused' }).setToken(value as never);
const b64url = (text: string): string => Buffer.from(text).toString('base64url');
const jwt = (payloadJson: string, signature = 'sig'): string => `eyJhbGciOiJub25lIn0.${b64url(payloadJson)}.${signature}`;

async function rejection(value: unknown): Promise<TokenRefreshError> {
  const error = await fromSource(value).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TokenRefreshError);
  expect(error).toMatchObject({ code: ErrorCode.INVALID_TOKEN });
  return error as TokenRefreshError;
}

describe('the token a user gets back', () => {
  it('has exactly the fields the source gave: no expiresAt, refreshToken or scope keys when none were given', () => {
    // A persisted token (onTokenUpdate, storage) must not grow `expiresAt: undefined` keys that read as "given".
    expect(install('opaque')).toStrictEqual({ accessToken: 'opaque', tokenType: 'Bearer', obtainedAt: START });
    expect(install({ access_token: 'opaque', token_type: null, expires_in: null, refresh_token: null, scope: null })).toStrictEqual({
      accessToken: 'opaque',
      tokenType: 'Bearer',
      obtainedAt: START,
    });
  });

  it('keeps every field of a full RFC 6749 §5.1 response', () => {
    expect(install({ access_token: 'at', token_type: 'bearer', expires_in: 60, refresh_token: 'rt', scope: 'read write' })).toStrictEqual({
      accessToken: 'at',
      tokenType: 'Bearer',
      expiresAt: START + 60_000,
      refreshToken: 'rt',
      scope: 'read write',
      obtainedAt: START,
    });
  });

  it('reads camelCase fields, and a camelCase accessToken wins over a spread-in wire response (expiresAt included)', () => {
    // `{ ...response.data, accessToken, expiresAt }` is a common way to adapt a server's answer: the camelCase
    // fields, expiresAt among them, are the ones meant.
    const wire = { access_token: 'at', expires_in: 3600, token_type: 'Bearer' };
    expect(install({ ...wire, accessToken: 'at', expiresAt: START + 5000 })).toMatchObject({ accessToken: 'at', expiresAt: START + 5000 });
    expect(install({ access_token: 'wire', accessToken: 'camel' })).toMatchObject({ accessToken: 'camel' });
  });

  it('keeps a token_type other than Bearer verbatim', () => {
    expect(install({ access_token: 'at', token_type: 'DPoP' })).toMatchObject({ tokenType: 'DPoP' });
    expect(install({ accessToken: 'at', tokenType: 'mac' })).toMatchObject({ tokenType: 'mac' });
  });
});

describe('expiry', () => {
  it('counts expires_in given as a numeric string, like a number', () => {
    expect(install({ access_token: 'at', expires_in: '3600' })).toMatchObject({ expiresAt: START + 3_600_000 });
    expect(install({ access_token: 'at', expires_in: ' 90 ' })).toMatchObject({ expiresAt: START + 90_000 });
  });

  it('treats a negative expires_in as already expired, never as expiring in the past', () => {
    expect(install({ access_token: 'at', expires_in: -30 })).toMatchObject({ expiresAt: START });
  });

  it('uses expiresAt as given (epoch ms), and ignores a null expiresAt in favour of expiresIn', () => {
    expect(install({ accessToken: 'at', expiresAt: START + 1234 })).toMatchObject({ expiresAt: START + 1234 });
    expect(install({ accessToken: 'at', expiresAt: null, expiresIn: 30 })).toMatchObject({ expiresAt: START + 30_000 });
  });

  it.each([
    ['a string', String(START + 1000)],
    ['NaN', NaN],
    ['Infinity', Infinity],
  ])('rejects an expiresAt that is %s', async (_label, expiresAt) => {
    const error = await rejection({ accessToken: 'at', expiresAt });
    expect(error.message).toBe('Failed to refresh token: expiresAt is not a finite number of epoch milliseconds');
  });

  it.each([
    ['an empty string', ''],
    ['a blank string', '   '],
    ['Infinity', Infinity],
    ['a boolean', true],
  ])('rejects an expires_in that is %s (never read as "expires now")', async (_label, expiresIn) => {
    const error = await rejection({ access_token: 'at', expires_in: expiresIn });
    expect(error.message).toBe('Failed to refresh token: expires_in is not a number of seconds');
  });
});

describe("a JWT's exp claim, when the response gives no expiry", () => {
  const exp = START_S + 120;

  it('is read from a base64url payload that needs its - and _ translated and its padding restored', () => {
    const token = jwt(JSON.stringify({ exp, sub: '??>>>' }));
    const payload = token.split('.')[1]!;
    // The precondition that makes this test mean something: base64url-only characters, and no padding.
    expect(payload).toMatch(/-/);
    expect(payload).toMatch(/_/);
    expect(payload.length % 4).not.toBe(0);
    expect(install(token)).toMatchObject({ expiresAt: exp * 1000 });
  });

  it('is read from an unsecured JWT (alg none) with an empty signature, and from one with one-character segments', () => {
    expect(install(jwt(JSON.stringify({ exp }), ''))).toMatchObject({ expiresAt: exp * 1000 });
    expect(install(`e.${b64url(JSON.stringify({ exp }))}.s`)).toMatchObject({ expiresAt: exp * 1000 });
  });

  it.each([
    ['a string exp', `{"exp":"${exp}"}`],
    ['an infinite exp', '{"exp":1e999}'],
    ['no exp', '{"sub":"u"}'],
    ['a null payload', 'null'],
    ['a payload that is not JSON', 'not json'],
  ])('gives no expiry for %s (the 401 is the backstop)', (_label, payloadJson) => {
    expect(install(jwt(payloadJson))).not.toHaveProperty('expiresAt');
  });

  it.each([
    ['a header segment with a character JWTs never use', `ab~c.${b64url(JSON.stringify({ exp }))}.sig`],
    ['five segments (a JWE: its second segment is a key, not claims)', `h.${b64url(JSON.stringify({ exp }))}.c.d.e`],
    ['trailing padding after the signature', `h.${b64url(JSON.stringify({ exp }))}.sig=`],
  ])('does not read an opaque token that merely contains a JWT-like part: %s', (_label, token) => {
    expect(install(token)).not.toHaveProperty('expiresAt');
  });
});

describe('invalid input is ERR_INVALID_TOKEN naming the field, never its value', () => {
  it.each([
    ['nothing', undefined, 'the token source returned nothing instead of a token'],
    ['an array', ['at'], 'the token source returned an array instead of a token'],
    ['a number', 42, 'the token source returned a number instead of a token'],
    ['a boolean', true, 'the token source returned a boolean instead of a token'],
    ['an empty string', '', 'the access token is missing or not a non-empty string'],
    ['an empty access_token', { access_token: '' }, 'the access token is missing or not a non-empty string'],
    ['padding inside the token', 'ab=cd', 'the access token has characters not allowed in an Authorization header (RFC 6750 §2.1)'],
    ['a space in the token', 'ab cd', 'the access token has characters not allowed in an Authorization header (RFC 6750 §2.1)'],
    ['a numeric token_type', { access_token: 'at', token_type: 5 }, 'the token type is not a valid header scheme'],
    ['a token_type with a space before it', { access_token: 'at', token_type: ' Bearer' }, 'the token type is not a valid header scheme'],
    ['a numeric refresh_token', { access_token: 'at', refresh_token: 7 }, 'the refresh token is not a string'],
    ['an array scope', { access_token: 'at', scope: ['read'] }, 'the scope is not a string'],
  ])('%s', async (_label, value, reason) => {
    const error = await rejection(value);
    expect(error.message).toBe(`Failed to refresh token: ${reason}`);
  });

  it('accepts the RFC 6750 b64token alphabet, trailing padding included', () => {
    const token = 'Az09-._~+/==';
    expect(install(token)).toMatchObject({ accessToken: token });
  });

  it('fails the refresh as the source failing (its error as cause), not as an invalid token, when reading the token throws', async () => {
    const crash = new Error('getter crashed');
    const value = {
      get accessToken(): string {
        throw crash;
      },
    };
    const error = await fromSource(value).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect(error).toMatchObject({ code: ErrorCode.REFRESH_FAILED, cause: crash });
  });

  it('throws the same error from setToken(), without installing anything', () => {
    const manager = new TokenManager({ fetchToken: async () => 'unused' });
    expect(() => manager.setToken({ access_token: 'at', token_type: 'Bearer x' })).toThrow(TokenRefreshError);
    expect(manager.token).toBeNull();
  });
});
