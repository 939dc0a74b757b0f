import type { OriginRule } from './attach-options.js';
import { insecureUrlReason, tryParseUrl } from '../core/secure-url.js';

/** A string rule, parsed: an origin, and a path prefix (`''` for the whole origin). */
export interface PrefixRule {
  origin: string;
  path: string;
}

/** A checked rule: a prefix, or the user's RegExp or function (matched against the origin and the URL). */
export type RouteRule = PrefixRule | RegExp | ((url: URL) => boolean);

/** How well a rule matches a URL; the most specific rule of all handles owns the request. */
export const NO_MATCH = -1;

/**
 * Turns `options.origins` (or, by default, the instance's `baseURL`) into checked rules. Fails at attach time
 * rather than sending a token everywhere, or over plain http to a remote host.
 * @see RFC 6750 §5.3 ("bearer tokens are not leaked to unintended parties"), RFC 6749 §10.3
 */
export function resolveRouteRules(
  origins: OriginRule | OriginRule[] | undefined,
  baseURL: string | undefined,
  allowInsecureHttp: boolean,
): RouteRule[] {
  if (origins === undefined) return [defaultRule(baseURL, allowInsecureHttp)];
  const list = Array.isArray(origins) ? origins : [origins];
  if (list.length === 0) throw new RangeError('"options.origins" must name at least one origin');
  return list.map((rule, i) => checkRule(rule, Array.isArray(origins) ? `options.origins[${i}]` : 'options.origins', allowInsecureHttp));
}

/**
 * The rule's specificity for `url`, or {@link NO_MATCH}: a longer path prefix beats a shorter one, any string rule
 * beats a RegExp or a function (0), so `https://api.example.com/admin` owns `/admin/x` over `https://api.example.com`.
 */
export function ruleScore(rule: RouteRule, url: URL): number {
  if (rule instanceof RegExp) {
    rule.lastIndex = 0; // a /g or /y rule would otherwise remember where the last match ended
    return rule.test(url.origin) ? 0 : NO_MATCH;
  }
  if (typeof rule === 'function') return rule(url) === true ? 0 : NO_MATCH;
  if (rule.origin !== url.origin) return NO_MATCH;
  if (rule.path === '') return 1;
  // Segment boundaries: `/admin` owns `/admin` and `/admin/x`, never `/administrator`.
  const pathname = url.pathname;
  const owns = pathname === rule.path || (pathname.startsWith(rule.path) && pathname.charCodeAt(rule.path.length) === 0x2f);
  return owns ? 1 + rule.path.length : NO_MATCH;
}

/** The origins where some rule can only be decided with the URL's path, not with the origin alone. */
export function pathRuleOrigins(rules: readonly RouteRule[]): string[] {
  return rules.flatMap((rule) => (typeof rule === 'object' && !(rule instanceof RegExp) && rule.path !== '' ? [rule.origin] : []));
}

/** Two rules that would always tie: the same prefix, the same RegExp source and flags, or the same function. */
export function sameRule(a: RouteRule, b: RouteRule): boolean {
  if (a instanceof RegExp || b instanceof RegExp) return a instanceof RegExp && b instanceof RegExp && String(a) === String(b);
  if (typeof a === 'function' || typeof b === 'function') return a === b;
  return a.origin === b.origin && a.path === b.path;
}

/** The rule as a user wrote it, for error messages. */
export function describeRule(rule: RouteRule): string {
  if (rule instanceof RegExp) return String(rule);
  if (typeof rule === 'function') return 'a function rule';
  return rule.origin + rule.path;
}

function defaultRule(baseURL: string | undefined, allowInsecureHttp: boolean): RouteRule {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  const absolute = baseURL === undefined ? page : tryParseUrl(baseURL, page)?.href;
  if (absolute === undefined) {
    throw new TypeError(
      '"options.origins" is required when the instance has no absolute baseURL: without it the token could go to any host',
    );
  }
  // The whole origin: a baseURL's path is where requests start, not a fence around them.
  return { origin: checkUrl(absolute, 'instance.defaults.baseURL', allowInsecureHttp).origin, path: '' };
}

function checkRule(rule: OriginRule, path: string, allowInsecureHttp: boolean): RouteRule {
  if (rule instanceof RegExp || typeof rule === 'function') return rule;
  if (typeof rule !== 'string') throw new TypeError(`"${path}" must be a string, a RegExp or a function`);
  const url = checkUrl(rule, path, allowInsecureHttp);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '' || /[?#]$/.test(rule)) {
    throw new TypeError(`"${path}" must be an origin with an optional path, such as "https://api.example.com/admin"`);
  }
  // `/admin/` and `/admin` are one prefix; `/` is the whole origin.
  return { origin: url.origin, path: url.pathname.replace(/\/+$/, '') };
}

function checkUrl(value: string, path: string, allowInsecureHttp: boolean): URL {
  const url = tryParseUrl(value);
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new TypeError(`"${path}" must be an http(s) origin such as "https://api.example.com"`);
  }
  // A wildcard host never matches anything: say so instead.
  if (url.hostname.includes('*')) {
    throw new TypeError(`"${path}" has a wildcard host, which is never matched: use a RegExp or a function for a family of hosts`);
  }
  if (insecureUrlReason(url, allowInsecureHttp) !== undefined) {
    throw new RangeError(
      `"${path}" is plain http to a non-loopback host, so the token would travel unencrypted: use https or set "options.allowInsecureHttp"`,
    );
  }
  return url;
}
