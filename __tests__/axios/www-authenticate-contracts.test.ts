import { AxiosHeaders } from 'axios';
import { MAX_CHALLENGES, MAX_HEADER_LENGTH, parseWwwAuthenticate, wwwAuthenticateOf } from '../../lib/axios/www-authenticate.js';

/*
 * Issue 9 ("tests that can fail"): what the WWW-Authenticate parser promises that the mutation run found unpinned.
 * RFC 9110 §11.6.1 / §11.3 grammar; the bounds are the parser's own (see lib/axios/www-authenticate.ts).
 */

/** The parse result in plain objects, for readable expectations. */
function parsed(header: unknown): Array<{ scheme: string; params: Record<string, string>; token68?: string }> {
  return parseWwwAuthenticate(header).map((c) => ({ ...c, params: { ...c.params } }));
}

const BEARER_INVALID = { scheme: 'bearer', params: { error: 'invalid_token' } };

/** One header line of exactly `length` characters: a Bearer challenge whose realm pads it out. */
function lineOf(length: number): string {
  const head = 'Bearer error="invalid_token", realm="';
  return `${head}${'r'.repeat(length - head.length - 1)}"`;
}

describe('WWW-Authenticate header lines (an array from repeated headers)', () => {
  it('reads at most MAX_CHALLENGES lines, even when the first ones hold no challenge', () => {
    const lines: string[] = Array.from({ length: MAX_CHALLENGES }, () => '');
    expect(parsed([...lines, 'Bearer error="invalid_token"'])).toEqual([]);
    expect(parsed([...lines.slice(1), 'Bearer error="invalid_token"'])).toEqual([BEARER_INVALID]);
  });

  it('skips a line that is not a string and reads the lines after it', () => {
    expect(parsed([null, 42, 'Bearer error="invalid_token"'])).toEqual([BEARER_INVALID]);
  });

  it('still stops at MAX_HEADER_LENGTH after a line that is not a string', () => {
    expect(parsed([42, lineOf(MAX_HEADER_LENGTH + 1)])).toEqual([]);
  });

  it('reads a header of exactly MAX_HEADER_LENGTH characters, and none longer', () => {
    expect(lineOf(MAX_HEADER_LENGTH)).toHaveLength(MAX_HEADER_LENGTH);
    expect(parsed(lineOf(MAX_HEADER_LENGTH))).toMatchObject([BEARER_INVALID]);
    expect(parsed(lineOf(MAX_HEADER_LENGTH + 1))).toEqual([]);
  });

  it('counts MAX_HEADER_LENGTH over all lines together: the line that crosses it and the rest are not read', () => {
    const half = lineOf(MAX_HEADER_LENGTH / 2 + 1);
    expect(parsed([half, half, 'Basic realm="x"'])).toMatchObject([BEARER_INVALID]);
  });
});

describe('WWW-Authenticate elements', () => {
  it('gives the parameters after a bare scheme and a comma to that scheme', () => {
    expect(parsed('Bearer, error="invalid_token"')).toEqual([BEARER_INVALID]);
    expect(parsed('Basic realm="x", Bearer , error="invalid_token", scope="a"')).toEqual([
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'bearer', params: { error: 'invalid_token', scope: 'a' } },
    ]);
  });

  it('ignores separators at the end of a value: no challenge without a scheme', () => {
    expect(parsed('Bearer error="invalid_token", ,\t ')).toEqual([BEARER_INVALID]);
    expect(parsed(' , ')).toEqual([]);
  });

  it('gives no parameters to a token68 challenge: a name=value after it is dropped', () => {
    expect(parsed('Negotiate YIIBhg==, realm="x", Bearer error="invalid_token"')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'YIIBhg==' },
      BEARER_INVALID,
    ]);
  });

  it('reads a malformed challenge once: the challenges before it are not read again', () => {
    expect(parsed('Basic realm="a", Bearer realm="x" junk, error="invalid_token"')).toEqual([
      { scheme: 'basic', params: { realm: 'a' } },
      { scheme: 'bearer', params: {} },
    ]);
  });

  it('reads nothing into a challenge whose credentials are neither a token68 nor a parameter', () => {
    expect(parsed('Bearer @x, Basic realm="a"')).toEqual([
      { scheme: 'bearer', params: {} },
      { scheme: 'basic', params: { realm: 'a' } },
    ]);
  });

  it('does not read a name without "=" as a parameter', () => {
    expect(parsed('Bearer error invalid_token')).toEqual([{ scheme: 'bearer', params: {} }]);
  });

  it('does not read an empty unquoted value: the malformed parameter ends the challenge', () => {
    // (`Bearer realm=` alone is a token68: RFC 9110 §11.3 lets it end in "=")
    expect(parsed('Bearer error="invalid_token", realm=, scope="a"')).toEqual([BEARER_INVALID]);
  });

  it('keeps a tab inside a quoted string (RFC 9110 qdtext)', () => {
    expect(parsed('Bearer realm="a\tb"')).toEqual([{ scheme: 'bearer', params: { realm: 'a\tb' } }]);
  });

  it('refuses a control character escaped with a backslash inside a quoted string', () => {
    expect(parsed('Bearer realm="a\\\u0001b", Basic realm="x"')).toEqual([
      { scheme: 'bearer', params: {} },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
  });

  it('skips a malformed element whole, commas inside its quoted strings included', () => {
    expect(parsed('Bearer realm="x" junk="a, Basic realm=b", DPoP algs="ES256"')).toEqual([
      { scheme: 'bearer', params: {} },
      { scheme: 'dpop', params: { algs: 'ES256' } },
    ]);
  });

  it('skips a malformed element whole, an escaped quote inside its quoted string included', () => {
    expect(parsed('Bearer realm="x" junk "a\\", Basic b=c", DPoP algs="ES256"')).toEqual([
      { scheme: 'bearer', params: {} },
      { scheme: 'dpop', params: { algs: 'ES256' } },
    ]);
  });
});

describe('wwwAuthenticateOf: the header of a response as axios holds it', () => {
  it('reads AxiosHeaders case-insensitively', () => {
    const headers = new AxiosHeaders({ 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    expect(wwwAuthenticateOf({ headers })).toBe('Bearer error="invalid_token"');
  });

  it('reads plain-object headers (a custom adapter), lower-cased as Node gives them', () => {
    expect(wwwAuthenticateOf({ headers: { 'www-authenticate': ['Basic realm="x"', 'Bearer'] } })).toEqual(['Basic realm="x"', 'Bearer']);
  });

  it('gives undefined for no response, no headers or null headers', () => {
    expect(wwwAuthenticateOf(undefined)).toBeUndefined();
    expect(wwwAuthenticateOf({})).toBeUndefined();
    expect(wwwAuthenticateOf({ headers: null })).toBeUndefined();
  });
});
