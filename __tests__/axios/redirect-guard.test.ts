import { answeredByTokenOrigin, createRedirectGuard, withRedirectGuard } from '../../lib/axios/redirect-guard.js';

describe('createRedirectGuard', () => {
  const guard = createRedirectGuard(['X-Api-Key']);
  const hop = (href: string) => ({ href, headers: { 'x-api-key': 'k', 'X-API-KEY': 'k', Accept: '*/*' } as Record<string, unknown> });

  it('removes every case variant of the header when the next hop changes origin, and keeps the others', () => {
    const options = hop('https://other.example/landing');
    guard(options, {}, { url: 'https://api.example.com/start' });
    expect(options.headers).toEqual({ Accept: '*/*' });
  });

  it.each([
    ['a subdomain', 'https://evil.api.example.com/x'],
    ['an http to https upgrade', 'https://api.example.com/x', 'http://api.example.com/start'],
    ['another port', 'https://api.example.com:8443/x'],
  ])('treats %s as another origin', (_label, href, from = 'https://api.example.com/start') => {
    const options = hop(href);
    guard(options, {}, { url: from });
    expect(options.headers).toEqual({ Accept: '*/*' });
  });

  it('keeps the header on a same-origin hop (default port and case normalised)', () => {
    const options = hop('https://API.example.com:443/next');
    guard(options, {}, { url: 'https://api.example.com/start' });
    expect(options.headers['x-api-key']).toBe('k');
  });

  it('fails closed when the hop being left is unknown (an adapter that passes no requestDetails)', () => {
    const options = hop('https://api.example.com/next');
    guard(options, {});
    expect(options.headers).toEqual({ Accept: '*/*' });
  });

  it('treats two opaque origins (schemes without an authority, origin "null") as different: fail closed', () => {
    const options = hop('data:text/plain,next');
    guard(options, {}, { url: 'data:text/plain,start' });
    expect(options.headers).toEqual({ Accept: '*/*' });
  });

  it('fails closed when the next hop has no parseable URL', () => {
    const options = hop('http://[bad');
    guard(options, {}, { url: 'https://api.example.com/start' });
    expect(options.headers).toEqual({ Accept: '*/*' });
  });

  it('fails closed when neither hop is known (no href, no requestDetails)', () => {
    const options: { href?: string; headers: Record<string, unknown> } = { headers: { 'X-Api-Key': 'k' } };
    guard(options, {});
    expect(options.headers).toEqual({});
  });

  it('fails closed, without throwing, when the hop being left has an unparseable URL', () => {
    const options = hop('https://api.example.com/next');
    expect(() => guard(options, {}, { url: 'not a url' })).not.toThrow();
    expect(options.headers).toEqual({ Accept: '*/*' });
  });

  it.each([undefined, null])('does nothing to a hop whose headers are %s', (headers) => {
    const options = { href: 'https://other.example/', headers: headers as unknown as Record<string, unknown> };
    expect(() => guard(options, {}, { url: 'https://api.example.com/' })).not.toThrow();
  });

  it("survives a caller hook that drops the hop's headers, and still runs it first", () => {
    const own = jest.fn((options: { headers?: unknown }) => void (options.headers = undefined));
    const chained = withRedirectGuard(guard, own);
    const options: { href: string; headers?: Record<string, unknown> } = hop('https://other.example/');
    expect(() => chained(options, {}, { url: 'https://api.example.com/' })).not.toThrow();
    expect(own).toHaveBeenCalledTimes(1);
    expect(withRedirectGuard(guard, null)).toBe(guard);
  });

  it('strips the token even when the caller hook throws (the guard runs in a finally)', () => {
    const chained = withRedirectGuard(guard, () => {
      throw new Error('hook failed');
    });
    const options = hop('https://other.example/');
    expect(() => chained(options, {}, { url: 'https://api.example.com/' })).toThrow('hook failed');
    expect(options.headers).toEqual({ Accept: '*/*' });
  });

  it('wraps a caller hook once, and never wraps its own hooks again on replay', () => {
    const own = jest.fn();
    const chained = withRedirectGuard(guard, own);
    expect(withRedirectGuard(guard, chained)).toBe(chained);
    expect(withRedirectGuard(guard, guard)).toBe(guard);
    expect(withRedirectGuard(guard, undefined)).toBe(guard);
    const options = hop('https://other.example/');
    chained(options, {}, { url: 'https://api.example.com/' });
    expect(own).toHaveBeenCalledTimes(1);
    expect(options.headers).toEqual({ Accept: '*/*' });
  });
});

describe('answeredByTokenOrigin', () => {
  const target = { baseURL: 'https://api.example.com', url: '/orders' };
  it.each([
    ['no request', undefined, true],
    ['a Node response from the same origin', { res: { responseUrl: 'https://api.example.com/orders' } }, true],
    ['a Node response after a redirect elsewhere', { res: { responseUrl: 'https://other.example/x' } }, false],
    ['an XHR that followed a redirect elsewhere', { responseURL: 'https://other.example/x' }, false],
    ["a mock adapter's relative responseURL", { responseURL: '/orders' }, true],
    ['a null request', null, true],
    ['a final URL that cannot be parsed', { responseURL: 'http://[bad' }, false],
    ['an empty Node responseUrl, with an XHR URL elsewhere', { res: { responseUrl: '' }, responseURL: 'https://other.example/x' }, false],
  ])('%s → %s', (_label, request, expected) => {
    expect(answeredByTokenOrigin(target, request)).toBe(expected);
  });

  it('takes a response with no final URL as from the sent origin, even when the sent URL cannot be resolved', () => {
    expect(answeredByTokenOrigin({ url: '/orders' }, {})).toBe(true);
  });

  it('resolves the sent URL as axios does: an absolute URL wins over the baseURL', () => {
    const request = { res: { responseUrl: 'https://other.example/x' } };
    expect(answeredByTokenOrigin({ baseURL: 'https://api.example.com', url: 'https://other.example/x' }, request)).toBe(true);
  });

  it('is false when the sent URL itself cannot be resolved (a relative URL in Node): not our origin', () => {
    expect(answeredByTokenOrigin({ url: '/orders' }, { responseURL: 'https://api.example.com/orders' })).toBe(false);
  });
});
