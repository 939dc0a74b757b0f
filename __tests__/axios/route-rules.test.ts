import { NO_MATCH, describeRule, pathRuleOrigins, resolveRouteRules, ruleScore, sameRule } from '../../lib/axios/route-rules.js';

/* The origin rules of `attachOAuth({ origins })` as parsed values: what the router compares and ranks. */

const rules = (origins: Parameters<typeof resolveRouteRules>[0], baseURL?: string) => resolveRouteRules(origins, baseURL, false);

describe('resolveRouteRules', () => {
  it('takes the whole origin of the baseURL by default, whatever its path', () => {
    expect(rules(undefined, 'https://api.example.com/v1/')).toEqual([{ origin: 'https://api.example.com', path: '' }]);
  });

  it('reads one prefix from a path with or without trailing slashes', () => {
    expect(rules(['https://api.example.com/admin//', 'https://api.example.com/'])).toEqual([
      { origin: 'https://api.example.com', path: '/admin' },
      { origin: 'https://api.example.com', path: '' },
    ]);
  });

  it.each([
    [['https://user:secret@api.example.com'], 'options.origins[0]', /origin with an optional path/],
    [['https://:secret@api.example.com'], 'options.origins[0]', /origin with an optional path/],
    [['https://api.example.com/a?'], 'options.origins[0]', /origin with an optional path/],
    [['https://api.example.com/a#'], 'options.origins[0]', /origin with an optional path/],
    [['not a url'], 'options.origins[0]', /http\(s\) origin/],
    [['ftp://api.example.com'], 'options.origins[0]', /http\(s\) origin/],
    [[42 as unknown as string], 'options.origins[0]', /a string, a RegExp or a function/],
    ['https://*.example.com', 'options.origins', /wildcard host/],
  ])('refuses %p, naming %s', (origins, path, message) => {
    expect(() => rules(origins)).toThrow(TypeError);
    expect(() => rules(origins)).toThrow(`"${path}"`);
    expect(() => rules(origins)).toThrow(message);
  });

  it('refuses plain http to a remote host with a RangeError, and an empty list', () => {
    expect(() => rules('http://api.example.com')).toThrow(RangeError);
    expect(() => rules([])).toThrow('"options.origins" must name at least one origin');
  });

  it('needs origins when there is no absolute baseURL to default to', () => {
    expect(() => rules(undefined, '/relative')).toThrow(/"options.origins" is required/);
    expect(() => rules(undefined, undefined)).toThrow(/"options.origins" is required/);
  });
});

describe('ruleScore', () => {
  const url = new URL('https://api.example.com/admin/users');
  it('ranks a longer path over a shorter one over the whole origin over a RegExp or function', () => {
    const [admin, whole] = rules(['https://api.example.com/admin', 'https://api.example.com']);
    expect(ruleScore(admin!, url)).toBeGreaterThan(ruleScore(whole!, url));
    expect(ruleScore(whole!, url)).toBe(1);
    expect(ruleScore(/api\.example\.com$/, url)).toBe(0);
    expect(ruleScore(() => true, url)).toBe(0);
    expect(ruleScore(() => false, url)).toBe(NO_MATCH);
  });
});

describe('sameRule and the rules a router must tell apart', () => {
  const fn = (): boolean => true;
  it.each([
    [/a/g, /a/g, true],
    [/a/g, /a/, false],
    [/a/, { origin: 'https://a', path: '' }, false],
    [{ origin: 'https://a', path: '' }, /a/, false],
    [fn, fn, true],
    [fn, (): boolean => true, false],
    [fn, { origin: 'https://a', path: '' }, false],
    [{ origin: 'https://a', path: '' }, fn, false],
    [{ origin: 'https://a', path: '/x' }, { origin: 'https://a', path: '/x' }, true],
    [{ origin: 'https://a', path: '/x' }, { origin: 'https://a', path: '' }, false],
  ])('%p and %p: %p', (a, b, same) => {
    expect(sameRule(a, b)).toBe(same);
  });

  it('lists the origins that only a path can decide', () => {
    expect(pathRuleOrigins([/x/, fn, { origin: 'https://a', path: '' }, { origin: 'https://b', path: '/v2' }])).toEqual(['https://b']);
  });

  it('describes each kind of rule for messages', () => {
    expect([describeRule(/api/i), describeRule(fn), describeRule({ origin: 'https://a', path: '/x' })]).toEqual([
      '/api/i',
      'a function rule',
      'https://a/x',
    ]);
  });
});
