import { AxiosHeaders, type AxiosResponse } from 'axios';
import { ErrorCode, OAuthError, TokenRefreshError } from '../../lib/core/errors';
import { describeResponse, jsonObjectBody, oauthErrorFromBody } from '../../lib/grants/response-body';
import { readTokenResponse } from '../../lib/grants/token-response';
import { thrown } from '../support/thrown';

/*
 * How the token endpoint's answer is read (issue 9, mutation run over lib/grants/token-response.ts and
 * response-body.ts): the status range, each member's accepted shapes, and what an error says about the response.
 */

function response(
  status: number,
  data: unknown,
  headers: Record<string, string> = {},
  sent: Record<string, string> = {},
): AxiosResponse<unknown> {
  return { status, statusText: '', data, headers, config: { headers: new AxiosHeaders(sent) } } as AxiosResponse<unknown>;
}
const body = (extra: Record<string, unknown> = {}) => ({ access_token: 'at-1', token_type: 'Bearer', ...extra });

function invalid(run: () => unknown): string {
  const error = thrown(run);
  expect(error).toBeInstanceOf(TokenRefreshError);
  expect((error as TokenRefreshError).code).toBe(ErrorCode.INVALID_RESPONSE);
  return error.message;
}

describe('readTokenResponse: status', () => {
  it.each([200, 201, 299])('reads a token from a %i', (status) => {
    expect(readTokenResponse(response(status, body()), [])).toEqual({ accessToken: 'at-1', tokenType: 'Bearer' });
  });

  it.each([199, 300, 302])('refuses a token in a %i', (status) => {
    expect(invalid(() => readTokenResponse(response(status, body()), []))).toBe(
      `Invalid token response: the token endpoint answered HTTP ${status} with a body of no declared type`,
    );
  });

  it('turns an error body into an OAuthError with its status', () => {
    const error = thrown(() => readTokenResponse(response(400, { error: 'invalid_scope' }), []));
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ error: 'invalid_scope', status: 400 });
  });

  it('says a 200 that is not a JSON object is not one', () => {
    expect(invalid(() => readTokenResponse(response(200, '<html>', { 'content-type': 'text/html' }), []))).toBe(
      'Invalid token response: the token endpoint answered HTTP 200 with a text/html body, not a JSON object',
    );
  });
});

describe('readTokenResponse: members', () => {
  it('refuses an empty access token', () => {
    expect(invalid(() => readTokenResponse(response(200, body({ access_token: '' })), []))).toContain('"access_token" is missing');
  });

  it.each([
    [undefined, false, 'Bearer'],
    [null, false, 'Bearer'],
    ['BEARER', false, 'Bearer'],
    ['DPoP', true, 'DPoP'],
    ['dpop', true, 'DPoP'],
  ])('reads token_type %p (proof sent: %p) as %s', (tokenType, dpopSent, expected) => {
    expect(readTokenResponse(response(200, body({ token_type: tokenType })), [], dpopSent).tokenType).toBe(expected);
  });

  it.each([
    [5, false, '"token_type" is not a string'],
    ['DPoP', false, '"token_type" "DPoP" is not supported; no DPoP proof was sent (set "dpop" in attachOAuth)'],
    ['mac', true, '"token_type" "mac" is not supported; only Bearer and DPoP tokens can be sent (RFC 6750, RFC 9449)'],
    ['a'.repeat(21), false, '"token_type" this value is not supported'],
    ['x y', false, '"token_type" this value is not supported'],
  ])('refuses token_type %p (proof sent: %p)', (tokenType, dpopSent, message) => {
    expect(invalid(() => readTokenResponse(response(200, body({ token_type: tokenType })), [], dpopSent))).toContain(message);
  });

  it.each([
    [0, 0],
    [3600, 3600],
    ['3600', 3600],
    [' 12.5 ', 12.5],
  ])('reads expires_in %p as %p', (value, seconds) => {
    expect(readTokenResponse(response(200, body({ expires_in: value })), []).expiresIn).toBe(seconds);
  });

  it('leaves out a null expires_in', () => {
    expect(readTokenResponse(response(200, body({ expires_in: null })), [])).not.toHaveProperty('expiresIn');
  });

  it.each([-1, '-1', 'soon', '1e3', true])('refuses expires_in %p', (value) => {
    expect(invalid(() => readTokenResponse(response(200, body({ expires_in: value })), []))).toContain(
      '"expires_in" is not a non-negative number of seconds',
    );
  });

  it('keeps refresh_token, scope and issued_token_type; drops an empty refresh token and nulls', () => {
    const full = readTokenResponse(response(200, body({ refresh_token: 'rt-1', scope: '', issued_token_type: 'urn:x' })), []);
    expect(full).toEqual({ accessToken: 'at-1', tokenType: 'Bearer', refreshToken: 'rt-1', scope: '', issuedTokenType: 'urn:x' });
    const none = readTokenResponse(response(200, body({ refresh_token: '', scope: null, issued_token_type: null })), []);
    expect(none).toEqual({ accessToken: 'at-1', tokenType: 'Bearer' });
  });

  it.each(['refresh_token', 'scope', 'issued_token_type'])('names a %s that is not a string', (name) => {
    expect(invalid(() => readTokenResponse(response(200, body({ [name]: 7 })), []))).toBe(
      `Invalid token response: "${name}" is not a string`,
    );
  });
});

describe('response bodies', () => {
  it('reads a JSON object from an object or a JSON string, and nothing else', () => {
    expect(jsonObjectBody(response(200, { a: 1 }))).toEqual({ a: 1 });
    expect(jsonObjectBody(response(200, '{"a":1}'))).toEqual({ a: 1 });
    for (const data of ['[1]', [1], 'null', null, '{', 42, '"x"']) expect(jsonObjectBody(response(200, data))).toBeUndefined();
  });

  it('describes a body by its status and media type only', () => {
    for (const data of [undefined, null, '']) expect(describeResponse(response(502, data))).toBe('HTTP 502 with an empty body');
    expect(describeResponse(response(502, '<p>x</p>', { 'content-type': 'text/html; charset=utf-8' }))).toBe(
      'HTTP 502 with a text/html body',
    );
    expect(describeResponse(response(502, 'x', { 'content-type': '; nonsense' }))).toBe('HTTP 502 with a body of no declared type');
  });

  it('is no OAuth error without a non-empty string error', () => {
    for (const data of [{}, { error: '' }, { error: 5 }]) expect(oauthErrorFromBody(response(400, data), [])).toBeUndefined();
  });

  it('keeps only string descriptions and URIs', () => {
    const error = oauthErrorFromBody(response(400, { error: 'invalid_client', error_description: 5, error_uri: {} }), []);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error!.errorDescription).toBeUndefined();
    expect(error!.errorUri).toBeUndefined();
  });

  it('scrubs the credential the request sent, whole or alone, from every member kept', () => {
    const basic = btoa('svc:cs-basic-secret');
    const echoed = { error: 'invalid_client', error_description: `bad Basic ${basic}`, error_uri: `https://op.example.com/e?c=${basic}` };
    const error = oauthErrorFromBody(response(401, echoed, {}, { Authorization: `Basic ${basic}` }), [])!;
    expect(`${error.errorDescription} ${error.errorUri}`).not.toContain(basic);
    expect(error.status).toBe(401);
  });

  it('finds the sent credential in a plain headers object, whatever the name case', () => {
    const basic = btoa('svc:cs-plain-secret');
    const plain = {
      status: 401,
      data: { error: 'invalid_client', error_description: basic },
      headers: {},
      config: { headers: { authorization: `Basic ${basic}` } },
    };
    expect(oauthErrorFromBody(plain as never, [])!.errorDescription).not.toContain(basic);
  });
});
