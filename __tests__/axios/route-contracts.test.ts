import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { attachOAuth } from '../../lib/index.js';
import { resolveRequestUrl } from '../../lib/axios/origin-guard.js';
import { resolveRouteRules, sameRule } from '../../lib/axios/route-rules.js';
import { BASE_URL, countingSource } from '../support/fake-api.js';

/*
 * Issue 9, "tests that can fail", second pass: route rules and the resolved request URL, pinned where the mutation
 * run (`npm run test:mutation -- origin-guard`) found them loose.
 */

describe('sameRule (two handles that would always tie)', () => {
  const prefix = { origin: 'https://api.example.com', path: '' };

  it('tells different RegExps apart, and a RegExp from a prefix either way round', () => {
    expect(sameRule(/^https:\/\/a\./, /^https:\/\/b\./)).toBe(false);
    expect(sameRule(/^https:\/\/a\./, prefix)).toBe(false);
    expect(sameRule(prefix, /^https:\/\/a\./)).toBe(false);
    expect(sameRule(/^https:\/\/a\./i, /^https:\/\/a\./i)).toBe(true);
  });

  it('tells two different functions apart', () => {
    expect(
      sameRule(
        () => true,
        () => true,
      ),
    ).toBe(false);
    const rule = (): boolean => true;
    expect(sameRule(rule, rule)).toBe(true);
  });

  it('lets two handles attach with different function rules', () => {
    const api = axios.create({ baseURL: BASE_URL });
    attachOAuth(api, { origins: (url) => url.hostname === 'a.example.com', fetchToken: countingSource() });
    expect(() => attachOAuth(api, { origins: (url) => url.hostname === 'b.example.com', fetchToken: countingSource() })).not.toThrow();
  });
});

describe('an origin rule with a query', () => {
  it('is refused: a rule is an origin with an optional path', () => {
    expect(() => resolveRouteRules(['https://api.example.com/a?x=1'], undefined, false)).toThrow(/origin with an optional path/);
    expect(() => resolveRouteRules(['https://api.example.com/?x'], undefined, false)).toThrow(TypeError);
  });
});

describe('resolveRequestUrl (the URL a proof and a path rule are decided on)', () => {
  it('joins a baseURL with trailing slashes and a URL with leading ones as axios does', () => {
    expect(resolveRequestUrl({ baseURL: 'https://api.example.com/v1//', url: '/items' })?.href).toBe('https://api.example.com/v1/items');
  });

  it('is the baseURL itself when the request has no url', () => {
    expect(resolveRequestUrl({ baseURL: 'https://api.example.com/v1' })?.href).toBe('https://api.example.com/v1');
  });
});

describe('a protocol-relative URL beside a path rule, in Node', () => {
  it('goes out without any token (it has no origin here) instead of throwing', async () => {
    const api = axios.create({ baseURL: BASE_URL });
    let authorization: unknown = 'not sent';
    new MockAdapter(api)
      .onAny()
      .reply((config) => ((authorization = (config.headers as Record<string, unknown>).Authorization), [200, {}]));
    attachOAuth(api, { origins: `${BASE_URL}/admin`, fetchToken: countingSource() });
    await expect(api.get('//other.example.com/x')).resolves.toMatchObject({ status: 200 });
    expect(authorization).toBeUndefined();
  });
});
