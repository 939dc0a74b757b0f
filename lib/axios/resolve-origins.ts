import type { OriginRule } from './attach-options.js';
import { insecureUrlReason, tryParseUrl } from '../core/secure-url.js';

/**
 * Turns `options.origins` (or, by default, the instance's `baseURL`) into checked rules. Fails at attach time
 * rather than sending a token everywhere, or over plain http to a remote host.
 * @see RFC 6750 §5.3 ("bearer tokens are not leaked to unintended parties"), RFC 6749 §10.3
 */
export function resolveOrigins(
  origins: OriginRule | OriginRule[] | undefined,
  baseURL: string | undefined,
  allowInsecureHttp: boolean,
): OriginRule[] {
  if (origins === undefined) return [defaultOrigin(baseURL, allowInsecureHttp)];
  const list = Array.isArray(origins) ? origins : [origins];
  if (list.length === 0) throw new RangeError('"options.origins" must name at least one origin');
  return list.map((rule, i) => checkRule(rule, Array.isArray(origins) ? `options.origins[${i}]` : 'options.origins', allowInsecureHttp));
}

function defaultOrigin(baseURL: string | undefined, allowInsecureHttp: boolean): string {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  const absolute = baseURL === undefined ? page : tryParseUrl(baseURL, page)?.href;
  if (absolute === undefined) {
    throw new TypeError(
      '"options.origins" is required when the instance has no absolute baseURL: without it the token could go to any host',
    );
  }
  return checkRule(absolute, 'instance.defaults.baseURL', allowInsecureHttp, false) as string;
}

/** @param exact the string must be an origin and nothing more (a `baseURL` may have a path; its origin is taken). */
function checkRule(rule: OriginRule, path: string, allowInsecureHttp: boolean, exact = true): OriginRule {
  if (rule instanceof RegExp || typeof rule === 'function') return rule;
  if (typeof rule !== 'string') throw new TypeError(`"${path}" must be a string, a RegExp or a function`);
  const url = tryParseUrl(rule);
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new TypeError(`"${path}" must be an http(s) origin such as "https://api.example.com"`);
  }
  // A wildcard host never matches anything, and a path would be silently dropped: say so instead.
  if (url.hostname.includes('*')) {
    throw new TypeError(`"${path}" has a wildcard host, which is never matched: use a RegExp or a function for a family of hosts`);
  }
  if (exact && (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || /[?#]$/.test(rule))) {
    throw new TypeError(`"${path}" must be an origin only (scheme, host and port), such as "https://api.example.com"`);
  }
  if (insecureUrlReason(url, allowInsecureHttp) !== undefined) {
    throw new RangeError(
      `"${path}" is plain http to a non-loopback host, so the token would travel unencrypted: use https or set "options.allowInsecureHttp"`,
    );
  }
  return url.origin;
}
