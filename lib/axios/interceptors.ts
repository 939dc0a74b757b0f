import {
  CanceledError,
  type AxiosError,
  type AxiosInstance,
  type AxiosResponse,
  type CancelToken,
  type InternalAxiosRequestConfig,
} from 'axios';
import { settleOrAbort } from '../core/abortable.js';
import { answerChallenge } from './answer-challenge.js';
import type { RequestOwner } from './augmentation.js';
import type { Routable } from './origin-guard.js';
import { describeRule } from './route-rules.js';
import { answeredByTokenOrigin, createRedirectGuard, withRedirectGuard } from './redirect-guard.js';
import { DPOP_HEADER, dpopClockDecision, dpopNonceDecision, harvestDPoPNonce, signDPoPRequest } from './dpop-requests.js';
import type { DPoPProofMaker } from '../core/dpop-proof-maker.js';
import { redactError } from '../core/redact.js';
import { emitReplay } from './replay-event.js';
import { emitChallenge } from './challenge-event.js';
import type { Token } from '../core/token.js';
import type { TokenManager } from '../core/token-manager.js';

/** Everything one handle's interceptor logic needs, resolved once at attach time. */
export interface InterceptorSettings extends Routable {
  instance: AxiosInstance;
  manager: TokenManager;
  shouldRefresh: (error: AxiosError) => boolean;
  headerName: string;
  /** `undefined`: use the token's own type. */
  headerScheme: string | undefined;
  /** Step up on `insufficient_scope` (issue 10). */
  stepUp: boolean;
  /** The manager's DPoP proof maker; `undefined` for bearer tokens (then no DPoP code runs at all). */
  dpop: DPoPProofMaker | undefined;
}

/** One handle as the instance's router sees it: its rules, and what it does with the requests it owns. */
export class Route implements Routable, RequestOwner {
  readonly rules: InterceptorSettings['rules'];
  readonly allowInsecureHttp: boolean;
  readonly headerName: string;
  /** Puts the token on a request this route owns (the router decided that). */
  readonly authorize: (config: InternalAxiosRequestConfig) => InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig>;
  /** Decides a failed response of a request this route authorised: refresh and replay, or rethrow redacted. */
  readonly rejected: (error: AxiosError) => Promise<unknown>;
  /** Looks at a successful response of a request this route authorised: its DPoP nonce. `undefined`: nothing to do. */
  readonly fulfilled: ((response: AxiosResponse) => void) | undefined;

  constructor(s: InterceptorSettings) {
    this.rules = s.rules;
    this.allowInsecureHttp = s.allowInsecureHttp;
    this.headerName = s.headerName;
    this.authorize = createRequestInterceptor(s, this);
    this.rejected = createResponseErrorInterceptor(s, s.rules.map(describeRule).join(' '));
    const dpop = s.dpop;
    // With DPoP, successes count too: their DPoP-Nonce is the next proof's (RFC 9449 §8.2, §9).
    this.fulfilled = dpop === undefined ? undefined : (response) => harvestDPoPNonce(dpop, response);
  }
}

/**
 * The request side of a route. With a fresh token it stays synchronous (no promise on the hot path); otherwise the
 * request waits for the single refresh, or rejects at once when its own `signal` aborts.
 */
function createRequestInterceptor(s: InterceptorSettings, route: Route): Route['authorize'] {
  // The DPoP proof never follows a redirect, even within the origin: its htu is the first URL (README, issue 11).
  const redirectGuard = createRedirectGuard([s.headerName], s.dpop === undefined ? [] : [DPOP_HEADER]);
  let cachedToken: Token | undefined;
  let cachedValue = '';
  const headerValue = (token: Token): string => {
    if (token !== cachedToken) {
      cachedValue = formatHeaderValue(token, s.headerScheme);
      cachedToken = token;
    }
    return cachedValue;
  };

  const authorize = (
    config: InternalAxiosRequestConfig,
    token: Token,
  ): InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig> => {
    setHeader(config, s.headerName, headerValue(token));
    // Node's redirect follower keeps a custom header across origins: our hook strips it (issue 9, item 1).
    const hook = config.beforeRedirect;
    if (hook !== redirectGuard) config.beforeRedirect = withRedirectGuard(redirectGuard, hook);
    // A token that is no longer the current one gets generation -1, so its 401 replays without a refresh.
    const generation = s.manager.token === token ? s.manager.generation : -1;
    const previous = config.oauthLockState;
    config.oauthLockState = { generation, replayed: previous?.replayed === true, owner: route };
    // RFC 9449 §7.1: a DPoP token goes with a proof signed for this very request (async: one signature).
    if (s.dpop !== undefined && token.tokenType === 'DPoP') return signDPoPRequest(config, token, s.dpop, previous);
    return config;
  };

  return (config) => {
    // A credential the caller set is theirs: leave it alone and never refresh for it (reliability scenario 5).
    if (config.oauthLockState === undefined && hasHeader(config, s.headerName)) return config;
    const token = s.manager.peek();
    if (token !== undefined) return authorize(config, token);
    return untilSettledOrAborted(s.manager.getToken(), config).then((fresh) => authorize(config, fresh));
  };
}

/** The header value for `token`: `<scheme> <token>`, or the bare token when the scheme is `''`. */
export function formatHeaderValue(token: Token, headerScheme: string | undefined): string {
  const scheme = headerScheme ?? token.tokenType;
  return scheme === '' ? token.accessToken : `${scheme} ${token.accessToken}`;
}

/**
 * The response side of a route: one refresh per token generation, each request replayed at most once,
 * through the instance so that every interceptor runs again.
 */
function createResponseErrorInterceptor(s: InterceptorSettings, routeName: string): Route['rejected'] {
  return async (error) => {
    const config = error.config!;
    const state = config.oauthLockState!;
    if (s.dpop !== undefined) {
      harvestDPoPNonce(s.dpop, error.response);
      // RFC 9449 §9: a nonce challenge is answered with a fresh proof, never with a new token.
      const nonceDecision = dpopNonceDecision(error);
      const nonce = nonceDecision ?? dpopClockDecision(error, s.dpop);
      const replayable = !isStream(config.data) && answeredByTokenOrigin(config, error.request ?? error.response?.request);
      if (nonce === 'replay' && replayable) {
        emitReplay(s.manager, state.generation, false, routeName, nonceDecision === 'replay' ? 'dpop-nonce' : 'dpop-clock');
        return s.instance.request({ ...config, oauthLockState: { ...state, dpopNonceRetried: true } });
      }
      if (nonce !== undefined) throw redactApiError(error, s.headerName);
    }
    if (config.skipAuthRefresh === true || !answeredByTokenOrigin(config, error.request ?? error.response?.request)) {
      throw redactApiError(error, s.headerName);
    }
    // The challenge decides (DESIGN rule 9, issue 10): a typed error, a step-up, a refresh (maybe with claims), or none.
    const answer = answerChallenge(error, s, state);
    if (answer instanceof Error) {
      emitChallenge(s.manager, routeName, error, answer);
      redactApiError(error, s.headerName); // it is the answer's cause
      throw answer;
    }
    if (answer === undefined || state.replayed || isStream(config.data) || (answer.refresh && !safeShouldRefresh(s.shouldRefresh, error))) {
      throw redactApiError(error, s.headerName);
    }
    const stale = state.generation !== s.manager.generation;
    if (answer.cause !== undefined) emitChallenge(s.manager, routeName, error, answer); // step-up or claims, decided
    try {
      await untilSettledOrAborted(answer.token(), config);
    } catch (refreshError) {
      if (answer.cause === 'step-up') emitChallenge(s.manager, routeName, error, refreshError); // refused, not granted
      redactApiError(error, s.headerName);
      throw refreshError;
    }
    emitReplay(s.manager, state.generation, stale, routeName, answer.cause);
    return s.instance.request({ ...config, oauthLockState: { ...state, replayed: true } });
  };
}

// A stream body was consumed by the first attempt; replaying it would send an empty or truncated body.
function isStream(data: unknown): boolean {
  return typeof data === 'object' && data !== null && typeof (data as { pipe?: unknown }).pipe === 'function';
}

/**
 * Waits for `promise` unless the request is cancelled first, by its own `signal` (axios' CanceledError) or its
 * deprecated `cancelToken` (the token's own Cancel): then it rejects at once (issue 9, item 12).
 */
function untilSettledOrAborted<T>(promise: Promise<T>, config: InternalAxiosRequestConfig): Promise<T> {
  const waiting = settleOrAbort(promise, config.signal, () => new CanceledError(undefined, undefined, config));
  return config.cancelToken === undefined ? waiting : untilCancelled(waiting, config.cancelToken);
}

// axios types the Cancel as `{ message }`; at run time it is a CanceledError, which is what callers check for.
function untilCancelled<T>(promise: Promise<T>, cancelToken: CancelToken): Promise<T> {
  if (cancelToken.reason !== undefined) {
    promise.catch(() => undefined); // nobody waits for it any more (axios #1939)
    const cancel = cancelToken.reason as unknown as Error;
    return Promise.reject(cancel);
  }
  // Promise.race observes `promise`, so a refresh that fails after the cancel is no unhandled rejection.
  return Promise.race([
    promise,
    cancelToken.promise.then((cancel): never => {
      throw cancel as unknown as Error;
    }),
  ]);
}

function safeShouldRefresh(shouldRefresh: InterceptorSettings['shouldRefresh'], error: AxiosError): boolean {
  try {
    return shouldRefresh(error) === true;
  } catch {
    return false; // a throwing predicate must not turn a plain API error into a hang or a loop
  }
}

function redactApiError(error: AxiosError, headerName: string): AxiosError {
  redactError(error, { headerNames: [headerName, DPOP_HEADER] });
  return error;
}

// Duck-typed, not `instanceof AxiosHeaders`: the instance's axios may be another copy (ESM beside CJS) than ours.
interface HeaderMethods {
  has(name: string): boolean;
  delete(name: string): boolean;
}

function hasHeader(config: InternalAxiosRequestConfig, name: string): boolean {
  const headers = config.headers as unknown as Partial<HeaderMethods> & Record<string, unknown>;
  if (typeof headers.has === 'function') return headers.has(name);
  const lower = name.toLowerCase();
  return Object.keys(headers).some((key) => key.toLowerCase() === lower);
}

/**
 * A plain property write: what AxiosHeaders#set stores for a valid name and value, without its normalisation cost
 * on every request. Safe because the name was validated at attach time, the value is a checked b64token, and no
 * other-cased copy exists (a caller's own header makes us step aside; on replay the key is our own, same case).
 */
function setHeader(config: InternalAxiosRequestConfig, name: string, value: string): void {
  (config.headers as unknown as Record<string, unknown>)[name] = value;
}

/** Takes a request away from its previous owner: that owner's header and state go. */
export function forget(config: InternalAxiosRequestConfig, headerName: string): void {
  const headers = config.headers as unknown as Partial<HeaderMethods> & Record<string, unknown>;
  if (typeof headers.delete === 'function') headers.delete(headerName);
  else delete headers[headerName];
  delete config.oauthLockState;
}
