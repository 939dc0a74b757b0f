import type { InsufficientScopeReason } from './challenge-errors.js';
import type { RefreshReason } from './refresh-reason.js';

/*
 * What the lock decides, as events (issue 13). Every payload is small, plain JSON, and holds no secret: no token,
 * refresh token, client secret, code, assertion, `jti` or nonce (DESIGN rule 5). A token is identified at most by
 * its generation (see `TokenManager.generation`). Errors appear as `{ name, code }` only: their messages are the
 * business of `onBackgroundError` and of whoever awaits them.
 */

/** An error in an event: its class name and stable code, never its message. */
export interface EventError {
  /** e.g. `'TokenRefreshError'`, `'OAuthError'`, `'AxiosError'`. */
  name: string;
  /** `ErrorCode` for our errors, the system code (`'ECONNREFUSED'`) for network errors; absent when there is none. */
  code?: string;
  /** The RFC 6749 §5.2 `error` of an authorization server's answer, e.g. `'invalid_grant'`. */
  oauthError?: string;
}

/** How a refresh ended: `fetched` from the token source, `adopted` from storage (another tab or process refreshed). */
export type RefreshOutcome = 'fetched' | 'adopted' | 'failed' | 'abandoned';

/** A call to the token source (or an adoption from storage) begins. */
export interface RefreshStartEvent {
  type: 'refresh:start';
  reason: RefreshReason;
  /** Generation of the token being replaced (0: none yet). */
  generation: number;
}

/**
 * That refresh settled. `failed` is the token source's failure (or the storage's timeout) before `onRefreshFailed`
 * had its say; `abandoned` means `clear()` or `setToken()` ran meanwhile and its result was not installed.
 */
export interface RefreshEndEvent {
  type: 'refresh:end';
  reason: RefreshReason;
  outcome: RefreshOutcome;
  /** From start to settle, by the manager's clock. */
  durationMs: number;
  /** Callers (requests, `getToken()`, `refresh()`) that awaited this refresh; 0 for a background refresh nobody needed. */
  waiters: number;
  /** Present when `outcome` is `failed`. */
  error?: EventError;
}

/** One HTTP attempt at the token endpoint, retries counted separately. */
export interface TokenRequestEvent {
  type: 'token-request';
  /** The `grant_type` sent, e.g. `'client_credentials'`, `'refresh_token'`. */
  grantType: string;
  /** The token endpoint's origin (`https://auth.example.com`), never its path or query. */
  origin: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
  /** The HTTP status; absent when no response came (network error, timeout). */
  status?: number;
  durationMs: number;
  /** Present when another attempt follows: the wait before it (backoff with jitter, or `Retry-After`). */
  retryDelayMs?: number;
  /** Present when no response came. */
  error?: EventError;
}

/**
 * Why a request is replayed. `refreshed`: its token was the current one, so it waited for the refresh (started or
 * joined); `stale`: it was sent with a token already replaced, so it is replayed with no refresh; `step-up`: after an
 * `insufficient_scope` 403/401, with a token that has the required scope (RFC 6750 §3.1); `claims`: after an
 * `insufficient_claims` 401, with a token refreshed with those claims; `dpop-nonce`: the resource server asked for a
 * DPoP nonce (RFC 9449 §9), replayed with a fresh proof and the same token; `dpop-clock`: it refused the proof's `iat`
 * and its `Date` corrected our clock, replayed likewise (RFC 9449 §11.1).
 */
export type ReplayCause = 'refreshed' | 'stale' | 'step-up' | 'claims' | 'dpop-nonce' | 'dpop-clock';

/** A request answered 401 (or a step-up 403) is replayed, for the {@link ReplayCause} `cause`. */
export interface ReplayEvent {
  type: 'replay';
  cause: ReplayCause;
  /** The generation the request was sent with (-1: a token that was already superseded). */
  sentGeneration: number;
  /** The generation it is replayed with. */
  generation: number;
  /** The rules of the handle that replays it (routes: several handles on one instance), e.g. `https://api.example.com/admin`. */
  route: string;
}

/**
 * The shared storage's lock (`redisStorage`). `wait`: another process holds it and this refresh waits; `acquire`:
 * it got the lock; `takeover`: it got the lock after waiting, and the holder announced nothing meanwhile (no token, no
 * release), so its lease most likely expired (it died or stalled). Best effort: a release whose message arrives after
 * the poll that took the lock also counts as a takeover. Each acquisition is one `acquire` or one `takeover`.
 */
export interface StorageLockEvent {
  type: 'storage-lock';
  phase: 'wait' | 'acquire' | 'takeover';
  /** How long this refresh waited for the lock so far (0 for `wait`, and for an `acquire` with no wait). */
  waitedMs: number;
}

/**
 * A 401/403's `WWW-Authenticate` challenge asked for more than a new token (issue 10): `step-up` (`insufficient_scope`:
 * a token with `requiredScope` is requested), `claims` (`insufficient_claims`: a refresh with the challenge's claims,
 * which are never in the event), `step-up-required` (`insufficient_user_authentication`, RFC 9470: the user must sign
 * in again; rejected with StepUpRequiredError), `insufficient-scope` (rejected with InsufficientScopeError, for
 * `reason`). A step-up the token endpoint then refuses (`refused`) or grants short (`not-granted`) is a `step-up`
 * event followed by an `insufficient-scope` one. Scope names and `acr_values` are policy names, not secrets.
 */
export interface ChallengeEvent {
  type: 'challenge';
  decision: 'step-up' | 'claims' | 'step-up-required' | 'insufficient-scope';
  /** The API's status: 401 or 403. */
  status: number;
  /** The scope the API asked for (`step-up`, `insufficient-scope`). */
  requiredScope?: string[];
  /** Why no token with `requiredScope` could be had (`insufficient-scope`). */
  reason?: InsufficientScopeReason;
  /** RFC 9470 `acr_values` (`step-up-required`), most preferred first. */
  acrValues?: string[];
  /** RFC 9470 `max_age` in seconds (`step-up-required`), when the challenge gave one. */
  maxAge?: number;
  /** The rules of the handle that decided it, as on a {@link ReplayEvent}. */
  route: string;
}

/** A failure nobody awaits was reported to `onBackgroundError` (which still receives the error itself). */
export interface BackgroundErrorEvent {
  type: 'background-error';
  error: EventError;
}

/** Every event `onEvent` receives; switch on `type`. */
export type OAuthLockEvent =
  RefreshStartEvent | RefreshEndEvent | TokenRequestEvent | ReplayEvent | ChallengeEvent | StorageLockEvent | BackgroundErrorEvent;

/** The `onEvent` option. */
export type OAuthLockEventListener = (event: OAuthLockEvent) => void;

/** `{ name, code, oauthError }` of anything thrown. */
export function eventError(error: unknown): EventError {
  const { name = 'Error', code, error: oauthError } = Object(error) as Record<string, unknown>;
  const described: EventError = { name: String(name) };
  if (typeof code === 'string') described.code = code;
  // The RFC 6749 §5.2 code of our OAuthError: one short word, not a secret.
  if (name === 'OAuthError' && typeof oauthError === 'string') described.oauthError = oauthError;
  return described;
}
