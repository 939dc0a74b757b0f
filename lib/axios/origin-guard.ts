import type { OriginRule } from './attach-options.js';
import { insecureUrlReason, tryParseUrl } from '../core/secure-url.js';

/** The parts of a request config that decide where it goes (as axios' buildFullPath reads them). */
export interface RequestTarget {
  url?: string;
  baseURL?: string;
  allowAbsoluteUrls?: boolean;
}

/** Answers "may this request carry the token?". */
export type OriginGuard = (target: RequestTarget) => boolean;

// axios' own test for an absolute URL: a scheme, or a protocol-relative `//host` (axios #6463).
const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;
// A relative baseURL such as `/api`: whatever follows it, the result stays a path on the page's origin.
const PATH_BASE = /^\/[^/\\]/;
const CACHE_LIMIT = 256;

/**
 * Builds the guard once per attach. It resolves the final URL the way axios (the peer range, >= 1.16.1) does: an
 * absolute or `//host` URL wins over `baseURL` unless `allowAbsoluteUrls` is false, then `new URL()` without a
 * base in Node, against the page in a browser. Verdicts are cached per origin-deciding string, so the usual request
 * (relative URL, same `baseURL`) costs one string comparison.
 * @see RFC 6750 §5.3, RFC 6749 §10.3
 */
export function createOriginGuard(rules: readonly OriginRule[], allowInsecureHttp: boolean): OriginGuard {
  let lastRaw: string | undefined;
  let lastVerdict = false;

  const decide = (raw: string): boolean => {
    const url = tryParseUrl(raw, pageHref());
    return url !== undefined && insecureUrlReason(url, allowInsecureHttp) === undefined && rules.some((rule) => matches(rule, url));
  };
  const cached = memoize(decide);
  const isSelfContained = memoize(hasOwnAuthority);

  return (target) => {
    const raw = originDecidingString(target);
    if (raw === lastRaw) return lastVerdict;
    // A baseURL without an authority of its own (`/`, `\`, `api`, `https:`): what the URL appends can turn it into
    // `//host` or `https:/host`, so decide on the joined URL itself (rare; never the hot path of an absolute baseURL).
    if (raw === target.baseURL && !isSelfContained(raw)) return decide(fullPath(target));
    lastRaw = raw;
    lastVerdict = cached(raw);
    return lastVerdict;
  };
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

function matches(rule: OriginRule, url: URL): boolean {
  if (typeof rule === 'string') return rule === url.origin;
  if (rule instanceof RegExp) {
    rule.lastIndex = 0; // a /g or /y rule would otherwise remember where the last match ended
    return rule.test(url.origin);
  }
  return rule(url) === true;
}

/** `compute`, remembered per string; the cache is dropped whole when full, so odd URLs cannot grow it without bound. */
function memoize(compute: (key: string) => boolean): (key: string) => boolean {
  const cache = new Map<string, boolean>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}
