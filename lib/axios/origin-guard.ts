import { NO_MATCH, pathRuleOrigins, ruleScore, type RouteRule } from './route-rules.js';
import { insecureUrlReason, tryParseUrl } from '../core/secure-url.js';

/** The parts of a request config that decide where it goes (as axios' buildFullPath reads them). */
export interface RequestTarget {
  url?: string;
  baseURL?: string;
  allowAbsoluteUrls?: boolean;
}

/** Anything a request can be routed to: its rules, and whether it accepts plain http to a remote host. */
export interface Routable {
  readonly rules: readonly RouteRule[];
  readonly allowInsecureHttp: boolean;
}

/** Answers "which of the routes owns this request?": the one whose rule matches most specifically, or none. */
export type RouteResolver<R extends Routable> = (target: RequestTarget) => R | undefined;

// axios' own test for an absolute URL: a scheme, or a protocol-relative `//host` (axios #6463).
const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;
// A relative baseURL such as `/api`: whatever follows it, the result stays a path on the page's origin.
const PATH_BASE = /^\/[^/\\]/;
const CACHE_LIMIT = 256;

/**
 * Builds the resolver once per change of an instance's routes. It resolves the final URL the way axios (the peer
 * range, >= 1.16.1) does: an absolute or `//host` URL wins over `baseURL` unless `allowAbsoluteUrls` is false, then
 * `new URL()` without a base in Node, against the page in a browser. Owners are cached per origin-deciding string,
 * so the usual request (relative URL, same `baseURL`) costs one string comparison however many routes there are;
 * only on an origin where some rule has a path is the joined URL the cache key.
 * @see RFC 6750 §5.3, RFC 6749 §10.3
 */
export function createRouteResolver<R extends Routable>(routes: readonly R[]): RouteResolver<R> {
  const pathOrigins = new Set(routes.flatMap((route) => pathRuleOrigins(route.rules)));
  let lastRaw: string | undefined;
  let lastOwner: R | undefined;

  const decide = (raw: string): R | undefined => {
    const url = tryParseUrl(raw, pageHref());
    return url === undefined ? undefined : ownerOf(routes, url);
  };
  const cached = memoize(decide);
  const isSelfContained = memoize(hasOwnAuthority);
  const needsPath = memoize((raw) => pathOrigins.has(tryParseUrl(raw, pageHref())?.origin ?? ''));

  return (target) => {
    const raw = originDecidingString(target);
    if (raw === lastRaw) return lastOwner;
    // A baseURL without an authority of its own (`/`, `\`, `api`, `https:`): what the URL appends can turn it into
    // `//host` or `https:/host`, so decide on the joined URL itself (rare; never the hot path of an absolute baseURL).
    if (raw === target.baseURL && !isSelfContained(raw)) return decide(fullPath(target));
    if (pathOrigins.size > 0 && needsPath(raw)) return cached(fullPath(target));
    lastRaw = raw;
    lastOwner = cached(raw);
    return lastOwner;
  };
}

function ownerOf<R extends Routable>(routes: readonly R[], url: URL): R | undefined {
  let owner: R | undefined;
  let best = NO_MATCH;
  for (const route of routes) {
    if (insecureUrlReason(url, route.allowInsecureHttp) !== undefined) continue;
    for (const rule of route.rules) {
      const score = ruleScore(rule, url);
      // Strictly greater: on a tie (two RegExp or function rules), the route attached first keeps the request.
      if (score > best) [owner, best] = [route, score];
    }
  }
  return owner;
}

/** Where the request really goes, as axios resolves it, or `undefined` when it cannot go anywhere. */
export function resolveRequestUrl(target: RequestTarget): URL | undefined {
  return tryParseUrl(fullPath(target), pageHref());
}

// The string that decides the origin, picked as axios' buildFullPath picks it.
function originDecidingString({ url = '', baseURL, allowAbsoluteUrls }: RequestTarget): string {
  return baseURL && (allowAbsoluteUrls === false || !ABSOLUTE_URL.test(url)) ? baseURL : url;
}

// axios' buildFullPath + combineURLs (1.16.1 through 1.21): base without its trailing slashes, '/', url without leading ones.
function fullPath(target: RequestTarget): string {
  const { url = '', baseURL } = target;
  if (originDecidingString(target) !== baseURL || baseURL === undefined) return url;
  return url ? `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : baseURL;
}

// An absolute http(s) URL on its own: appending `/…` to it cannot change its origin.
function hasOwnAuthority(baseURL: string): boolean {
  return PATH_BASE.test(baseURL) || tryParseUrl(baseURL) !== undefined;
}

// In a browser, relative and `//host` URLs resolve against the page; in Node they have no origin at all.
function pageHref(): string | undefined {
  return (globalThis as { location?: { href?: string } }).location?.href;
}

/** `compute`, remembered per string; the cache is dropped whole when full, so odd URLs cannot grow it without bound. */
function memoize<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    if (cache.has(key)) return cache.get(key) as T; // `undefined` (no owner) is a remembered answer too
    if (cache.size >= CACHE_LIMIT) cache.clear();
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}
