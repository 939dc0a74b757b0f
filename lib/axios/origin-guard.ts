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
const CACHE_LIMIT = 256;

/**
 * Builds the guard once per attach. It resolves the final URL the way axios does (an absolute or `//host` URL
 * wins over `baseURL` unless `allowAbsoluteUrls` is false) and caches the verdict per origin-deciding string, so
 * the usual request (relative URL, same `baseURL`) costs one string comparison.
 * @see RFC 6750 §5.3, RFC 6749 §10.3
 */
export function createOriginGuard(rules: readonly OriginRule[], allowInsecureHttp: boolean): OriginGuard {
  const verdicts = new Map<string, boolean>();
  let lastRaw: string | undefined;
  let lastVerdict = false;

  const decide = (raw: string): boolean => {
    const resolved = resolveAgainstPage(raw);
    const url = resolved === undefined ? undefined : tryParseUrl(resolved);
    return url !== undefined && insecureUrlReason(url, allowInsecureHttp) === undefined && rules.some((rule) => matches(rule, url));
  };

  return ({ url = '', baseURL, allowAbsoluteUrls }) => {
    // The string that decides the origin, picked as axios' buildFullPath picks it.
    const raw = baseURL && (allowAbsoluteUrls === false || !ABSOLUTE_URL.test(url)) ? baseURL : url;
    if (raw === lastRaw) return lastVerdict;
    let verdict = verdicts.get(raw);
    if (verdict === undefined) {
      if (verdicts.size >= CACHE_LIMIT) verdicts.clear();
      verdict = decide(raw);
      verdicts.set(raw, verdict);
    }
    lastRaw = raw;
    lastVerdict = verdict;
    return verdict;
  };
}

// In a browser, relative and `//host` URLs resolve against the page; in Node they have no origin at all.
function resolveAgainstPage(url: string): string | undefined {
  if (/^[a-z][a-z\d+\-.]*:/i.test(url)) return url;
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  return page === undefined ? undefined : tryParseUrl(url, page)?.href;
}

function matches(rule: OriginRule, url: URL): boolean {
  if (typeof rule === 'string') return rule === url.origin;
  if (rule instanceof RegExp) {
    rule.lastIndex = 0; // a /g or /y rule would otherwise remember where the last match ended
    return rule.test(url.origin);
  }
  return rule(url) === true;
}
