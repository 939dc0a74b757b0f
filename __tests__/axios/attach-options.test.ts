import axios from 'axios';
import { attachOAuth, TokenManager } from '../../lib/index.js';

const fetchToken = async (): Promise<string> => 'tok';
const api = () => axios.create({ baseURL: 'https://api.example.com' });

describe('bad options fail at attachOAuth() time, naming the option', () => {
  it.each<[string, () => unknown, ErrorConstructor, string]>([
    ['a missing fetchToken', () => attachOAuth(api(), {}), TypeError, '"options.fetchToken" must be a function'],
    [
      'a non-function hook',
      () => attachOAuth(api(), { fetchToken, onTokenUpdate: 'x' as never }),
      TypeError,
      '"options.onTokenUpdate" must be a function',
    ],
    [
      'a negative buffer',
      () => attachOAuth(api(), { fetchToken, refreshBufferSeconds: -1 }),
      RangeError,
      '"options.refreshBufferSeconds" must be a finite number >= 0',
    ],
    [
      'a string timeout',
      () => attachOAuth(api(), { fetchToken, refreshTimeoutMs: '5' as never }),
      TypeError,
      '"options.refreshTimeoutMs" must be a number',
    ],
    [
      'a zero timeout',
      () => attachOAuth(api(), { fetchToken, refreshTimeoutMs: 0 }),
      RangeError,
      '"options.refreshTimeoutMs" must be a finite number >= 1',
    ],
    [
      'a non-boolean keepFresh',
      () => attachOAuth(api(), { fetchToken, keepFresh: 1 as never }),
      TypeError,
      '"options.keepFresh" must be a boolean',
    ],
    [
      'no baseURL and no origins',
      () => attachOAuth(axios.create(), { fetchToken }),
      TypeError,
      '"options.origins" is required when the instance has no absolute baseURL: without it the token could go to any host',
    ],
    [
      'an empty origins list',
      () => attachOAuth(api(), { fetchToken, origins: [] }),
      RangeError,
      '"options.origins" must name at least one origin',
    ],
    [
      'an origin that is not a URL',
      () => attachOAuth(api(), { fetchToken, origins: ['api.example.com'] }),
      TypeError,
      '"options.origins[0]" must be an http(s) origin such as "https://api.example.com"',
    ],
    [
      'an http origin to a remote host',
      () => attachOAuth(api(), { fetchToken, origins: ['http://api.example.com'] }),
      RangeError,
      '"options.origins[0]" is plain http to a non-loopback host, so the token would travel unencrypted: use https or set "options.allowInsecureHttp"',
    ],
    [
      'an http baseURL to a remote host',
      () => attachOAuth(axios.create({ baseURL: 'http://api.example.com' }), { fetchToken }),
      RangeError,
      '"instance.defaults.baseURL" is plain http to a non-loopback host, so the token would travel unencrypted: use https or set "options.allowInsecureHttp"',
    ],
    [
      'a header name with a space',
      () => attachOAuth(api(), { fetchToken, headerName: 'X Token' }),
      TypeError,
      '"options.headerName" must be a valid HTTP header name',
    ],
    [
      'a token option beside a shared manager',
      () => attachOAuth(api(), { tokenManager: new TokenManager({ fetchToken }), fetchToken }),
      TypeError,
      '"options.fetchToken" cannot be combined with "options.tokenManager": set it on the shared manager',
    ],
    [
      'something that is not an axios instance',
      () => attachOAuth({} as never, { fetchToken }),
      TypeError,
      '"instance" must be an axios instance (from axios.create())',
    ],
    [
      'regression: a misspelled option key, silently ignored in plain JavaScript',
      () => attachOAuth(api(), { fetchToken, refreshBuferSeconds: 30 } as never),
      TypeError,
      '"options.refreshBuferSeconds" is not an option of attachOAuth()',
    ],
    [
      'regression: a header scheme with a control character',
      () => attachOAuth(api(), { fetchToken, headerScheme: 'Bearer\u0007' }),
      TypeError,
      '"options.headerScheme" must be an HTTP auth-scheme',
    ],
    [
      'regression: a header scheme with a non-Latin-1 character',
      () => attachOAuth(api(), { fetchToken, headerScheme: 'Bearér' }),
      TypeError,
      '"options.headerScheme" must be an HTTP auth-scheme',
    ],
    [
      'regression: a wildcard origin, which never matched',
      () => attachOAuth(api(), { fetchToken, origins: 'https://*.example.com' }),
      TypeError,
      '"options.origins" has a wildcard host, which is never matched: use a RegExp or a function for a family of hosts',
    ],
    [
      'an origin with a fragment',
      () => attachOAuth(api(), { fetchToken, origins: ['https://api.example.com/v1#x'] }),
      TypeError,
      '"options.origins[0]" must be an origin with an optional path, such as "https://api.example.com/admin"',
    ],
    [
      'an origin with userinfo',
      () => attachOAuth(api(), { fetchToken, origins: 'https://user@api.example.com' }),
      TypeError,
      '"options.origins" must be an origin with an optional path',
    ],
    [
      'an origin with a query',
      () => attachOAuth(api(), { fetchToken, origins: 'https://api.example.com?' }),
      TypeError,
      '"options.origins" must be an origin with an optional path',
    ],
  ])('rejects %s', (_label, attach, type, message) => {
    expect(attach).toThrow(type);
    expect(attach).toThrow(message);
  });

  it('accepts plain http to loopback, and to any host with allowInsecureHttp', () => {
    expect(() => attachOAuth(axios.create({ baseURL: 'http://127.0.0.1:3000' }), { fetchToken })).not.toThrow();
    expect(() => attachOAuth(axios.create({ baseURL: 'http://localhost' }), { fetchToken })).not.toThrow();
    expect(() => attachOAuth(axios.create({ baseURL: 'http://svc.internal' }), { fetchToken, allowInsecureHttp: true })).not.toThrow();
  });

  it('accepts an origin with a trailing slash, a default port or upper case, and a baseURL with a path', () => {
    expect(() => attachOAuth(api(), { fetchToken, origins: ['https://API.example.com:443/'] })).not.toThrow();
    expect(() => attachOAuth(axios.create({ baseURL: 'https://api.example.com/v1/' }), { fetchToken })).not.toThrow();
  });

  it('accepts every documented option name', () => {
    const everyOption = {
      fetchToken,
      initialToken: 'tok',
      refreshBufferSeconds: 1,
      refreshTimeoutMs: 1000,
      minRefreshIntervalMs: 0,
      retryIntervalMs: 0,
      keepFresh: false,
      onTokenUpdate: () => undefined,
      onRefreshFailed: () => undefined,
      onBackgroundError: () => undefined,
      now: Date.now,
      storage: undefined,
      origins: 'https://api.example.com',
      allowInsecureHttp: false,
      shouldRefresh: () => false,
      headerName: 'X-Token',
      headerScheme: '',
    };
    attachOAuth(api(), everyOption).detach();
    expect(() => attachOAuth(api(), { tokenManager: new TokenManager({ fetchToken }) }).detach()).not.toThrow();
  });
});
