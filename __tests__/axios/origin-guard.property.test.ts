import axios from 'axios';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachOAuth } from '../../lib/index.js';
import fc from 'fast-check';
import { createRouteResolver } from '../../lib/axios/origin-guard.js';
import { resolveRouteRules } from '../../lib/axios/route-rules.js';
import { createOriginGuard } from '../support/origin-guard.js';
import { insecureUrlReason, tryParseUrl } from '../../lib/core/secure-url.js';

/*
 * Issue 9: the guard's verdict must equal "the origin the request is really sent to is allowed", with the truth taken
 * from axios itself: getUri() (mergeConfig + buildFullPath, as the http adapter calls it), then `new URL()` without a
 * base, as the Node http adapter parses it.
 */
const RULES = ['https://api.example.com', 'http://127.0.0.1:8080'];
const INSTANCE_BASE = 'https://api.example.com';
const instance = axios.create({ baseURL: INSTANCE_BASE });

const scheme = fc.constantFrom(
  '',
  'https://',
  'HTTPS://',
  'http://',
  '//',
  'https:',
  'https:/',
  'https:\\\\',
  '\\\\',
  '/\\',
  ' https://',
  'ftp://',
);
const userinfo = fc.constantFrom('', 'user@', 'u:p@', 'api.example.com@', 'evil.example@');
const host = fc.constantFrom(
  'api.example.com',
  'API.Example.COM',
  'api.example.com.',
  'evil.example',
  'api.example.com.evil.example',
  '127.0.0.1',
  '[::1]',
  'localhost',
  'xn--api-example',
);
const port = fc.constantFrom('', ':443', ':8443', ':80', ':8080');
const path = fc.constantFrom('', '/', '/x', '/x?next=https://evil.example/', '//evil.example/x', '/\\evil.example', '#frag', '?q=1');
const absoluteish = fc.tuple(scheme, userinfo, host, port, path).map((parts) => parts.join(''));
const relative = fc.constantFrom(
  '',
  '/orders',
  'orders',
  '?next=https://evil.example/',
  '/a//b',
  '//evil.example',
  '\\evil.example',
  '@evil.example',
  ':8443/x',
);
const url = fc.oneof(absoluteish, relative);
const baseURL = fc.oneof(
  fc.constant(undefined), // the instance's
  fc.constantFrom('', '/api', '/', 'https://api.example.com/v1/', 'https://evil.example'),
  absoluteish,
);
const allowAbsoluteUrls = fc.constantFrom(undefined, true, false);

function truth(config: { url: string; baseURL?: string; allowAbsoluteUrls?: boolean }, page?: string): boolean | 'not sent' {
  let full: string;
  try {
    full = instance.getUri(config);
  } catch {
    return 'not sent'; // axios refuses the URL (e.g. `https:evil.example` on 1.18+)
  }
  const target = tryParseUrl(full, page); // XMLHttpRequest and fetch resolve against the page
  if (target === undefined) return 'not sent';
  return insecureUrlReason(target, false) === undefined && RULES.includes(target.origin);
}

const PAGE = 'https://api.example.com/app/';

describe.each([
  ['in Node', undefined],
  ['in a browser page', PAGE],
])('origin guard (property) %s', (_label, page) => {
  const g = globalThis as { location?: { href: string } };
  beforeAll(() => {
    if (page !== undefined) g.location = { href: page };
  });
  afterAll(() => {
    delete g.location;
  });

  it('allows a request exactly when axios sends it to an allowed origin', () => {
    const shared = createOriginGuard(RULES, false); // across runs too: its caches must not mix requests up
    fc.assert(
      fc.property(url, baseURL, allowAbsoluteUrls, (u, b, a) => {
        const config = { url: u, ...(b === undefined ? {} : { baseURL: b }), ...(a === undefined ? {} : { allowAbsoluteUrls: a }) };
        const expected = truth(config, page);
        // What the interceptor sees: the request config merged over the instance defaults.
        const guard = createOriginGuard(RULES, false);
        const target = { url: u, baseURL: b ?? INSTANCE_BASE, allowAbsoluteUrls: a };
        const verdict = guard(target);
        expect(shared(target)).toBe(verdict);
        if (expected === 'not sent') return true; // no request leaves, whatever the verdict
        return verdict === expected;
      }),
      { numRuns: 1500 },
    );
  });
});

describe('routes (property): the owner is the handle whose rule matches the URL axios sends most specifically', () => {
  // Three handles: the API origin, its /v1/admin path, and the loopback origin; paths on top of the URL shapes above.
  const routes = [
    { name: 'app', rules: ['https://api.example.com'] },
    { name: 'admin', rules: ['https://api.example.com/v1/admin'] },
    { name: 'local', rules: ['http://127.0.0.1:8080'] },
  ].map((r) => ({ ...r, rules: resolveRouteRules(r.rules, undefined, false), allowInsecureHttp: false }));
  const adminPath = fc.constantFrom('', '/v1/admin', '/v1/admin/x', '/v1/administrator', '/v1/admin/../x', '/v1/%61dmin', '/V1/admin');
  const routedUrl = fc.oneof(
    url,
    fc.tuple(url, adminPath).map(([u, p]) => u + p),
  );

  function expectedOwner(config: {
    url: string;
    baseURL?: string;
    allowAbsoluteUrls?: boolean;
  }): 'app' | 'admin' | 'local' | 'not sent' | undefined {
    let full: string;
    try {
      full = instance.getUri(config);
    } catch {
      return 'not sent';
    }
    const target = tryParseUrl(full);
    if (target === undefined) return 'not sent';
    if (insecureUrlReason(target, false) !== undefined) return undefined;
    const { origin, pathname } = target;
    if (origin === 'https://api.example.com') return pathname === '/v1/admin' || pathname.startsWith('/v1/admin/') ? 'admin' : 'app';
    return origin === 'http://127.0.0.1:8080' ? 'local' : undefined;
  }

  it('matches the truth for random URL shapes, base URLs and admin paths, with one resolver shared across runs', () => {
    const shared = createRouteResolver(routes);
    fc.assert(
      fc.property(routedUrl, baseURL, allowAbsoluteUrls, (u, b, a) => {
        const config = { url: u, ...(b === undefined ? {} : { baseURL: b }), ...(a === undefined ? {} : { allowAbsoluteUrls: a }) };
        const expected = expectedOwner(config);
        const target = { url: u, baseURL: b ?? INSTANCE_BASE, allowAbsoluteUrls: a };
        const owner = shared(target)?.name;
        expect(createRouteResolver(routes)(target)?.name).toBe(owner);
        return expected === 'not sent' || owner === expected;
      }),
      { numRuns: 1500 },
    );
  });
});

describe('origin guard (regressions found by the property)', () => {
  const g = globalThis as { location?: { href: string } };
  afterEach(() => {
    delete g.location;
  });

  it('regression: judges a URL with leading whitespace (which URL parsing trims) by the origin it resolves to', () => {
    const guard = createOriginGuard(RULES, false);
    expect(guard({ url: '', baseURL: ' https://api.example.com' })).toBe(true);
    expect(guard({ url: ' https://api.example.com/x' })).toBe(true);
    expect(guard({ url: ' https://evil.example/x' })).toBe(false);
  });

  it('regression: in a browser, a relative baseURL joined with `\\host` is judged on the joined URL (`/\\evil` is `//evil`)', () => {
    g.location = { href: PAGE };
    const guard = createOriginGuard(RULES, false);
    expect(axios.getUri({ baseURL: '/', url: '\\evil.example/x' })).toBe('/\\evil.example/x');
    expect(guard({ baseURL: '/', url: '\\evil.example/x' })).toBe(false);
    expect(guard({ baseURL: '/', url: '/orders' })).toBe(true); // same base again: no stale cached verdict
    expect(guard({ baseURL: '\\', url: 'evil.example' })).toBe(false);
    expect(guard({ baseURL: '/api', url: '\\evil.example' })).toBe(true); // `/api/\evil.example` is a path
  });
});

describe('origin guard (property) against the http adapter on a loopback server', () => {
  let server: Server;
  let port = 0;
  let last: IncomingHttpHeaders | undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      last = req.headers;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('carries the token exactly when the host the adapter really reached is the allowed origin', async () => {
    const api = axios.create({
      baseURL: `http://127.0.0.1:${port}`,
      maxRedirects: 0,
      // Every name reaches this one server, so the Host header it receives tells which origin the adapter resolved.
      lookup: ((_h: string, _o: unknown, cb: (e: null, a: string, f: number) => void) => cb(null, '127.0.0.1', 4)) as never,
    });
    attachOAuth(api, { fetchToken: async () => 'tok' });
    const host = fc.constantFrom(
      '127.0.0.1',
      'localhost',
      'LOCALHOST',
      '127.0.0.1.',
      'evil.localhost',
      'user@127.0.0.1',
      '127.0.0.1@localhost',
      '[::1]',
    );
    const sample = fc.tuple(
      fc.constantFrom('http://', 'HTTP://', '//', 'http:', ' http://', 'http:\\\\', ''),
      host,
      fc.constantFrom('', '/x', '/x?next=http://localhost/', '//localhost/x'),
      fc.constantFrom(undefined, true, false),
    );
    await fc.assert(
      fc.asyncProperty(sample, async ([scheme, h, path, allowAbsoluteUrls]) => {
        last = undefined;
        const url = scheme === '' ? path || '/' : `${scheme}${h}:${port}${path}`;
        const ok = await api.get(url, { allowAbsoluteUrls }).then(
          () => true,
          () => false,
        );
        const headers = last as IncomingHttpHeaders | undefined; // set by the server handler meanwhile
        if (!ok || headers === undefined) return; // the adapter refused the URL or could not connect: nothing was sent
        const reached = new URL(`http://${headers.host}`).origin;
        // userinfo in the URL makes axios send Basic auth instead of any Authorization header: never our token.
        const basic = headers.authorization?.startsWith('Basic ') === true;
        const expected = reached === `http://127.0.0.1:${port}` && !basic;
        expect({ url, allowAbsoluteUrls, tokenSent: headers.authorization === 'Bearer tok' }).toEqual({
          url,
          allowAbsoluteUrls,
          tokenSent: expected,
        });
      }),
      { numRuns: 60 },
    );
  });
});
