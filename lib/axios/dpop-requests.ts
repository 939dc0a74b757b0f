import type { AxiosError, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { DPoPProofMaker } from '../core/dpop-proof-maker.js';
import type { Token } from '../core/token.js';
import type { RequestAuthState } from './augmentation.js';
import { resolveRequestUrl } from './origin-guard.js';
import { answeredByTokenOrigin } from './redirect-guard.js';
import { parseWwwAuthenticate, wwwAuthenticateOf } from './www-authenticate.js';

/*
 * The API side of DPoP (RFC 9449 §7): the proof of each request, the nonces servers hand out, and the one replay a
 * resource server's nonce challenge earns. The interceptors call in here only for requests that carry a DPoP token,
 * so bearer requests do none of this work.
 */

/** The header the proof travels in (RFC 9449 §4.1). */
export const DPOP_HEADER = 'DPoP';

/**
 * Adds a fresh proof (new jti and iat; htm, htu of the URL the request really goes to, ath of the token, the origin's
 * nonce) to a request that `authorize` gave a DPoP token, and carries over the nonce-replay mark of the attempt
 * before, so that a nonce challenge is answered once per request (RFC 9449 §9).
 * @param previous the request's state before this attempt, if it is a replay.
 */
export function signDPoPRequest(
  config: InternalAxiosRequestConfig,
  token: Token,
  maker: DPoPProofMaker,
  previous: RequestAuthState | undefined,
): Promise<InternalAxiosRequestConfig> {
  const href = requestHref(config);
  if (href === undefined) return Promise.reject(new TypeError('DPoP: the request URL cannot be resolved to an absolute URL for the proof'));
  const state = config.oauthLockState!;
  if (previous?.dpopNonceRetried === true) state.dpopNonceRetried = true;
  const nonce = maker.nonceFor(href);
  if (nonce !== undefined) state.dpopNonce = nonce;
  // One reaction on the proof's promise, no async frame around it: this is every DPoP request's path.
  return maker.proof(config.method ?? 'get', href, token.accessToken).then((proof) => {
    (config.headers as unknown as Record<string, unknown>)[DPOP_HEADER] = proof;
    return config;
  });
}

// The last request target resolved and its URL: sequential requests mostly go to the same URL, and parsing it is a
// URL parse per request otherwise. The page's address is part of the key (a relative URL resolves against it).
let lastTarget: { baseURL: unknown; url: unknown; allowAbsoluteUrls: unknown; page: unknown; href: string | undefined } | undefined;

function requestHref(config: InternalAxiosRequestConfig): string | undefined {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  const last = lastTarget;
  if (
    last !== undefined &&
    last.url === config.url &&
    last.baseURL === config.baseURL &&
    last.allowAbsoluteUrls === config.allowAbsoluteUrls &&
    last.page === page
  ) {
    return last.href;
  }
  const href = resolveRequestUrl(config)?.href;
  lastTarget = { baseURL: config.baseURL, url: config.url, allowAbsoluteUrls: config.allowAbsoluteUrls, page, href };
  return href;
}

/** Remembers the `DPoP-Nonce` of any response (success or error) for its origin (RFC 9449 §8.2, §9). */
export function harvestDPoPNonce(maker: DPoPProofMaker, response: AxiosResponse | undefined): void {
  if (response === undefined) return;
  const nonce = header(response, 'dpop-nonce');
  // A redirect's last hop is another origin's: its nonce is not ours to send back.
  if (nonce === undefined || !answeredByTokenOrigin(response.config, response.request)) return;
  const url = resolveRequestUrl(response.config);
  if (url !== undefined) maker.observeNonce(url.href, nonce);
}

/**
 * What to do with a resource server's `401` whose challenge is `DPoP error="use_dpop_nonce"` (RFC 9449 §9):
 * - `'replay'`: the server gave a new nonce and the request has not been replayed for one yet: replay it (a fresh
 *   proof with the new nonce) with no token refresh, and without spending its one refresh replay.
 * - `'fail'`: a nonce challenge that cannot be answered (no new nonce, the same nonce again, or already retried):
 *   returned as it is, and no refresh either: the token is fine.
 * - `undefined`: not a nonce challenge.
 */
export function dpopNonceDecision(error: AxiosError): 'replay' | 'fail' | undefined {
  const response = error.response;
  if (response?.status !== 401 || !dpopChallengeNames(response, 'use_dpop_nonce')) return undefined;
  const state = error.config?.oauthLockState;
  const nonce = header(response, 'dpop-nonce');
  if (state === undefined || state.dpopNonceRetried === true || nonce === undefined || nonce === state.dpopNonce) return 'fail';
  return 'replay';
}

/**
 * A resource server's `401` with `DPoP error="invalid_dpop_proof"` whose `Date` says our clock is off by 5 s or more
 * (the usual cause: `iat` outside its window): the clock is corrected once from that header and the request replayed
 * once with a fresh proof (the same one DPoP replay a nonce challenge gets). `undefined` for anything else.
 * @see RFC 9449 §11.1 (iat), RFC 9110 §6.6.1 (Date)
 */
export function dpopClockDecision(error: AxiosError, maker: DPoPProofMaker): 'replay' | undefined {
  const response = error.response;
  if (response?.status !== 401 || error.config?.oauthLockState?.dpopNonceRetried === true) return undefined;
  if (!dpopChallengeNames(response, 'invalid_dpop_proof')) return undefined;
  const date = Date.parse(header(response, 'date') ?? '');
  return !Number.isNaN(date) && maker.correctClock?.(date) === true ? 'replay' : undefined;
}

/**
 * Whether a `DPoP` challenge of the response names `code` as its `error` (RFC 9449 §7.1, §9; RFC 6750 §3), read from
 * the parsed challenges as every other decision is (challenge.ts): a Bearer or other scheme's challenge, a parameter
 * or a description that merely contains the text, or a quoted string that looks like a challenge, is not one.
 * Error codes are compared lower-cased, as `decideChallenge` does.
 */
function dpopChallengeNames(response: AxiosResponse, code: string): boolean {
  return parseWwwAuthenticate(wwwAuthenticateOf(response)).some(
    (challenge) => challenge.scheme === 'dpop' && challenge.params.error?.toLowerCase() === code,
  );
}

function header(response: AxiosResponse, name: string): string | undefined {
  const headers = response.headers as Record<string, unknown> & { get?: (n: string) => unknown };
  const value = typeof headers?.get === 'function' ? headers.get(name) : headers?.[name];
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'string' ? value : undefined;
}
