import { tryParseUrl } from '../core/secure-url.js';
import { resolveRequestUrl, type RequestTarget } from './origin-guard.js';

/** What axios' Node http adapter hands to `config.beforeRedirect`: follow-redirects' options of the next hop. */
export interface RedirectOptions {
  href?: string;
  headers?: Record<string, unknown>;
}

/** follow-redirects' description of the hop being left (axios >= 1.16.0 passes it on). */
export interface RedirectRequestDetails {
  url?: string;
}

export type BeforeRedirect = (options: RedirectOptions, responseDetails: unknown, requestDetails?: RedirectRequestDetails) => void;

// Hooks we installed (the guard itself, or a user hook chained to it): a replay must not wrap them again.
const installed = new WeakSet<object>();

/**
 * Builds, once per attach, the `beforeRedirect` that keeps our credential on one origin. follow-redirects strips only
 * `Authorization`, `Cookie` and `Proxy-Authorization`, and keeps them on subdomains and on http→https
 * (CVE-2022-0536, GHSA-r4q5-vmmm-2653), so a custom `headerName` such as `X-Api-Key` followed a 302 anywhere.
 * Here every header in `headerNames` is removed as soon as a hop changes origin. It is not put back if the chain
 * returns to the first origin: once the token could have been seen elsewhere, the rest of the chain goes without it.
 * Headers in `onEveryHop` (the DPoP proof) are removed on every hop, to another origin or not.
 * @see RFC 6750 §5.3, RFC 9449 §4.3, DESIGN rule 4
 */
export function createRedirectGuard(headerNames: readonly string[], onEveryHop: readonly string[] = []): BeforeRedirect {
  const names = new Set(headerNames.map((name) => name.toLowerCase()));
  const always = new Set(onEveryHop.map((name) => name.toLowerCase()));
  const guard: BeforeRedirect = (options, _responseDetails, requestDetails) => {
    const headers = options.headers;
    if (headers === undefined || headers === null) return;
    // A header bound to the first URL (a DPoP proof's htu) is wrong on any other one, same origin or not.
    if (always.size > 0) for (const key of Object.keys(headers)) if (always.has(key.toLowerCase())) delete headers[key];
    const from = requestDetails?.url === undefined ? undefined : tryParseUrl(requestDetails.url)?.origin;
    const to = options.href === undefined ? undefined : tryParseUrl(options.href)?.origin;
    // Unknown on either side counts as "another origin": fail closed.
    if (from !== undefined && from !== 'null' && from === to) return;
    for (const key of Object.keys(headers)) if (names.has(key.toLowerCase())) delete headers[key];
  };
  installed.add(guard);
  return guard;
}

/**
 * The `beforeRedirect` to put on a request: the guard, or the caller's own hook followed by the guard (the guard
 * runs last, so nothing a hook does can carry the token to another origin). Allocates only when the caller has a hook.
 */
export function withRedirectGuard(guard: BeforeRedirect, current: unknown): BeforeRedirect {
  if (current === undefined || current === null) return guard;
  if (installed.has(current)) return current as BeforeRedirect;
  const own = current as BeforeRedirect;
  const chained: BeforeRedirect = (options, responseDetails, requestDetails) => {
    try {
      own(options, responseDetails, requestDetails);
    } finally {
      guard(options, responseDetails, requestDetails);
    }
  };
  installed.add(chained);
  return chained;
}

/**
 * False when the response came from another origin than the one the request (and so the token) was sent to: a
 * redirect took it elsewhere, and that origin's 401 says nothing about our token (issue 9, item 5). The final URL
 * is `request.res.responseUrl` in Node (follow-redirects) and `request.responseURL` for XMLHttpRequest; without
 * either, the response is taken as the sent origin's.
 */
export function answeredByTokenOrigin(target: RequestTarget, request: unknown): boolean {
  const finalUrl = finalUrlOf(request);
  if (finalUrl === undefined) return true;
  const sent = resolveRequestUrl(target);
  // Resolved against the sent URL: a mock adapter reports the relative `config.url` as its responseURL.
  return sent !== undefined && sent.origin === tryParseUrl(finalUrl, sent.href)?.origin;
}

function finalUrlOf(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const node = (request as { res?: { responseUrl?: unknown } }).res?.responseUrl;
  if (typeof node === 'string' && node !== '') return node;
  const xhr = (request as { responseURL?: unknown }).responseURL;
  return typeof xhr === 'string' && xhr !== '' ? xhr : undefined;
}
