import { createOriginGuard } from '../support/origin-guard.js';

/*
 * The origin guard's verdicts on URL shapes the property test does not reach cheaply, and the bound on its memory
 * (issue 9, "Tests that can fail": page-relative URLs in a browser, RegExp and function rules, relative baseURLs).
 */

const API = 'https://api.example.com';

describe('verdicts', () => {
  const guard = createOriginGuard([API], false);

  it('judges a URL with a custom scheme (digits included) on its own, never on the baseURL', () => {
    expect(guard({ baseURL: API, url: 'web+app2://api.example.com/x' })).toBe(false);
    expect(guard({ baseURL: API, url: 'h2c://api.example.com/x' })).toBe(false);
  });

  it('judges a baseURL that is only a scheme on the URL axios joins to it (`https:` + `api.example.com/x`)', () => {
    expect(guard({ baseURL: 'https:', url: 'api.example.com/x' })).toBe(true);
    expect(guard({ baseURL: 'https:', url: 'evil.example/x' })).toBe(false);
  });

  it('judges a request with no url on its baseURL', () => {
    expect(guard({ baseURL: API })).toBe(true);
    expect(guard({ baseURL: 'https://evil.example' })).toBe(false);
  });

  it('joins a leading-slash URL to a scheme-only baseURL as axios does (`https:` + `/api.example.com/x`)', () => {
    expect(guard({ baseURL: 'https:', url: '/api.example.com/x' })).toBe(true);
  });

  it('sends nothing for a URL that resolves nowhere in Node (relative, no baseURL)', () => {
    expect(guard({ url: '/orders' })).toBe(false);
    expect(guard({ baseURL: '/api', url: '/orders' })).toBe(false);
  });

  it('requires a function rule to answer exactly true', () => {
    const truthy = createOriginGuard([(() => 'yes') as unknown as (url: URL) => boolean], false);
    expect(truthy({ url: `${API}/x` })).toBe(false);
  });

  it('matches a /g RegExp rule every time, not every other time (lastIndex is reset)', () => {
    const global = createOriginGuard([/^https:\/\/api\.example\.com$/g], false);
    expect([1, 2, 3].map((i) => global({ url: `${API}/${i}` }))).toEqual([true, true, true]);
  });
});

describe('in a browser (a page location)', () => {
  const realLocation = Object.getOwnPropertyDescriptor(globalThis, 'location');
  beforeEach(() => {
    Object.defineProperty(globalThis, 'location', { value: { href: `${API}/app/page` }, configurable: true });
  });
  afterEach(() => {
    if (realLocation) Object.defineProperty(globalThis, 'location', realLocation);
    else delete (globalThis as { location?: unknown }).location;
  });

  it('resolves page-relative and protocol-relative URLs against the page', () => {
    const guard = createOriginGuard([API], false);
    expect(guard({ url: 'orders' })).toBe(true);
    expect(guard({ url: '/orders' })).toBe(true);
    expect(guard({ url: '//evil.example/x' })).toBe(false);
  });

  it('judges a baseURL of `/` on the joined URL: `/` + `\\evil.example` is another host', () => {
    const guard = createOriginGuard([API], false);
    expect(guard({ baseURL: '/', url: 'orders' })).toBe(true);
    expect(guard({ baseURL: '/', url: '\\evil.example/x' })).toBe(false);
    expect(guard({ baseURL: '/api', url: '\\evil.example/x' })).toBe(true); // stays a path: /api/\evil.example/x
  });

  it('joins as axios does: every trailing slash of the baseURL and every leading one of the URL go', () => {
    const guard = createOriginGuard([API], false);
    // axios sends these to the page's origin: `/evil.example/x`, not `//evil.example/x`.
    expect(guard({ baseURL: '//', url: 'evil.example/x' })).toBe(true);
    expect(guard({ baseURL: '/', url: '//evil.example/x', allowAbsoluteUrls: false })).toBe(true);
  });

  it('asks a function rule once for a path baseURL, however many paths are requested', () => {
    const rule = jest.fn((url: URL) => url.origin === API);
    const guard = createOriginGuard([rule], false);
    expect(['a', 'b', 'c'].map((url) => guard({ baseURL: '/api', url }))).toEqual([true, true, true]);
    expect(rule).toHaveBeenCalledTimes(1);
  });
});

describe('memory', () => {
  it('asks a function rule once per distinct URL origin string, however requests alternate', () => {
    const rule = jest.fn((url: URL) => url.hostname === 'api.example.com');
    const guard = createOriginGuard([rule], false);
    for (let i = 0; i < 3; i++) {
      expect(guard({ url: `${API}/a` })).toBe(true);
      expect(guard({ url: 'https://other.example/b' })).toBe(false);
    }
    expect(rule).toHaveBeenCalledTimes(2);
  });

  it('asks a function rule once for an absolute baseURL, however many paths are requested (the hot path)', () => {
    const rule = jest.fn((url: URL) => url.origin === API);
    const guard = createOriginGuard([rule], false);
    expect(['/a', '/b', 'c?d=1'].map((url) => guard({ baseURL: API, url }))).toEqual([true, true, true]);
    expect(rule).toHaveBeenCalledTimes(1);
  });

  it('keeps at most 256 verdicts: a flood of distinct URLs drops the cache whole, and it is rebuilt on demand', () => {
    const rule = jest.fn((url: URL) => url.hostname === 'api.example.com');
    const guard = createOriginGuard([rule], false);
    const first = `${API}/first`;
    guard({ url: first });
    for (let i = 1; i < 256; i++) guard({ url: `https://h${i}.example/` }); // the cache is now full: 256 entries
    guard({ url: first });
    expect(rule).toHaveBeenCalledTimes(256); // still remembered
    guard({ url: 'https://one-more.example/' }); // the 257th: the cache is dropped before it is stored
    expect(guard({ url: first })).toBe(true);
    expect(rule).toHaveBeenCalledTimes(258); // asked again
  });
});
