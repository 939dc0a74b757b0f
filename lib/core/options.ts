import type { OAuthLockEventListener } from './events.js';
import type { DPoPProofMaker } from './dpop-proof-maker.js';
import type { RefreshReason } from './refresh-reason.js';
import { readToken, type Token, type TokenInput } from './token.js';
import type { TokenStorage } from './token-storage.js';
import { MAX_TIMER_MS, durationMsOption, numberOption, optionalBoolean, requireFunction } from './validate.js';

export type { RefreshReason } from './refresh-reason.js';

/** What a token source is told on each call. */
export interface TokenSourceContext {
  /** Why the token is needed. */
  reason: RefreshReason;
  /** The token being replaced (it carries the refresh token), or `null` when there is none. */
  lastToken: Token | null;
  /** Aborted when `refreshTimeoutMs` passes or the manager is disposed; pass it to your HTTP call. */
  signal: AbortSignal;
  /**
   * The scope to request, once an API has asked for more (`insufficient_scope`, a step-up): the union of the scope in
   * use (the token's granted scope, and what earlier step-ups asked for) and the scope the API requires. Every later
   * refresh keeps it. Send it space-delimited, together with your base scope (the built-in grants do).
   * `undefined` (no step-up so far): request your usual scope.
   * @see RFC 6750 §3.1, RFC 6749 §3.3
   */
  scope?: string[];
  /**
   * A claims request (JSON text) from an API's claims challenge (`insufficient_claims`, e.g. Microsoft Entra
   * Continuous Access Evaluation), for this one refresh: send it as the `claims` parameter (the built-in grants do).
   * @see OpenID Connect Core 1.0 §5.5
   */
  claims?: string;
  /**
   * With DPoP on (`attachOAuth({ dpop })`): signs the proofs of your token requests with the key the token will be
   * bound to (`DPoP: await ctx.dpop.proof('POST', tokenUrl)`). The built-in grants use it themselves.
   * @see RFC 9449 §5
   */
  dpop?: DPoPProofMaker;
}

/**
 * Produces a token. Called by at most one caller at a time per token manager.
 * @returns camelCase fields, RFC 6749 JSON, or a bare access token string.
 */
export interface TokenSource {
  (context: TokenSourceContext): Promise<TokenInput> | TokenInput;
  /**
   * Optional: revokes a token at the authorization server (RFC 7009). The built-in grants provide it when the
   * server has a revocation endpoint; `handle.revoke()` calls it, then clears the token.
   */
  revoke?: (token: Token) => Promise<void>;
}

/** Options of the token store: where tokens come from and when they are renewed. */
export interface TokenManagerOptions {
  /** Where tokens come from: your own function, or one of the built-in grants. */
  fetchToken: TokenSource;
  /**
   * A token to start with, e.g. one loaded from storage. A refresh token alone (`{ refreshToken }` with no access
   * token) is a normal start too: the first request then calls the source with `reason: 'initial'` and a `lastToken`
   * that carries that refresh token (and an empty `accessToken`), so `refreshTokenGrant()` redeems it. An invalid
   * token is a TypeError naming `options.initialToken`.
   * @default undefined (fetch on first use)
   */
  initialToken?: TokenInput | { refreshToken: string } | { refresh_token: string };
  /**
   * Renew this long before expiry, in the background, while the old token still serves requests. Clamped to half
   * the token's lifetime, so a short-lived token never refreshes in a loop.
   * @default 60
   */
  refreshBufferSeconds?: number;
  /**
   * Give up on a token source that has not answered after this long; waiters reject. `onRefreshFailed` gets the
   * same deadline of its own.
   * @default 30000
   */
  refreshTimeoutMs?: number;
  /**
   * Never start a background refresh, nor refresh for a token that arrived already expired (`expires_in: 0`), more
   * often than this. A token that expires after it arrived is refreshed at its expiry whatever this says: a token
   * known to be expired is never sent (issue 9).
   * @default 1000
   */
  minRefreshIntervalMs?: number;
  /** After a failed background refresh, wait this long before the next attempt. @default 5000 */
  retryIntervalMs?: number;
  /** Keep the token fresh with a timer even when no request is made (the timer is `unref()`'d). @default false */
  keepFresh?: boolean;
  /**
   * Called once with every new token, e.g. to persist it. Errors it throws are reported to `onBackgroundError`.
   * A `getToken()` or `refresh()` called from it resolves with that token.
   * @default undefined
   */
  onTokenUpdate?: (token: Token) => void | Promise<void>;
  /**
   * Called once per failed refresh (not once per waiting request). Return a token to use instead (or install one
   * with `setToken()`), or nothing to let every waiter reject with the {@link TokenRefreshError}, e.g. after
   * sending the user to log in. Bounded by `refreshTimeoutMs`: past it the waiters reject and a later answer is
   * ignored. Re-entrant: a `refresh()` called while it runs starts a new attempt (so `() => handle.refresh()` retries
   * once), and that attempt's failure does not call the hook again; a `getToken()` there waits for the hook itself.
   * After a `clear()` during the hook, its answer is not installed.
   * @default undefined
   */
  onRefreshFailed?: (error: Error) => TokenInput | null | undefined | void | Promise<TokenInput | null | undefined | void>;
  /** Told about failures nobody waits for: a background refresh, a throwing hook. @default ignore */
  onBackgroundError?: (error: Error) => void;
  /** The clock, in epoch ms. Inject one in tests. @default Date.now */
  now?: () => number;
  /**
   * Where tokens live beyond this manager, and how refreshes are coordinated across tabs or processes
   * (`browserStorage()`, `redisStorage()`, `memoryStorage()`, or your own {@link TokenStorage}).
   * @default none: the token lives in this manager only
   */
  storage?: TokenStorage;
  /**
   * Told what the lock decides: refresh start and end, token endpoint attempts, replays, challenge decisions,
   * storage lock waits and background errors (README "Observability"). No payload holds a secret. Called
   * synchronously; what it throws is reported to `onBackgroundError` and never reaches a request.
   * @default undefined (no listener: no event is built)
   */
  onEvent?: OAuthLockEventListener;
  /**
   * Makes tokens DPoP-bound (RFC 9449): the token source gets it as `ctx.dpop`. `attachOAuth` builds it from its own
   * `dpop` option; set it here only on a TokenManager you create yourself.
   * @default undefined (bearer tokens)
   */
  dpop?: DPoPProofMaker;
}

export const DEFAULT_REFRESH_BUFFER_SECONDS = 60;
export const DEFAULT_REFRESH_TIMEOUT_MS = 30_000;
export const DEFAULT_MIN_REFRESH_INTERVAL_MS = 1_000;
export const DEFAULT_RETRY_INTERVAL_MS = 5_000;

/** Token manager options with every default filled in. */
export type ResolvedTokenManagerOptions = Required<
  Pick<
    TokenManagerOptions,
    'fetchToken' | 'refreshBufferSeconds' | 'refreshTimeoutMs' | 'minRefreshIntervalMs' | 'retryIntervalMs' | 'keepFresh' | 'now'
  >
> &
  Pick<TokenManagerOptions, 'onTokenUpdate' | 'onRefreshFailed' | 'onBackgroundError' | 'onEvent' | 'storage' | 'dpop'> & {
    /** `initialToken`, read; its `accessToken` is `''` when only a refresh token was given. */
    initialToken?: Token;
  };

/** Fails fast, at construction, naming the option that is wrong. */
export function validateTokenManagerOptions(options: TokenManagerOptions, path = 'options'): ResolvedTokenManagerOptions {
  if (options === null || typeof options !== 'object') throw new TypeError(`"${path}" must be an object`);
  requireFunction(options.fetchToken, `${path}.fetchToken`);
  for (const hook of ['onTokenUpdate', 'onRefreshFailed', 'onBackgroundError', 'onEvent', 'now'] as const) {
    if (options[hook] !== undefined) requireFunction(options[hook], `${path}.${hook}`);
  }
  if (options.storage !== undefined) validateStorage(options.storage, `${path}.storage`);
  if (options.dpop !== undefined) requireFunction((options.dpop as Partial<DPoPProofMaker> | null)?.proof, `${path}.dpop.proof`);
  optionalBoolean(options.keepFresh, `${path}.keepFresh`);
  const now = options.now ?? Date.now;
  return {
    ...options,
    initialToken: options.initialToken === undefined ? undefined : readInitialToken(options.initialToken, now(), `${path}.initialToken`),
    // Durations feed timers: above MAX_TIMER_MS setTimeout fires at once (issue 9).
    refreshBufferSeconds: numberOption(
      options.refreshBufferSeconds,
      DEFAULT_REFRESH_BUFFER_SECONDS,
      `${path}.refreshBufferSeconds`,
      0,
      MAX_TIMER_MS / 1000,
    ),
    refreshTimeoutMs: durationMsOption(options.refreshTimeoutMs, DEFAULT_REFRESH_TIMEOUT_MS, `${path}.refreshTimeoutMs`, 1),
    minRefreshIntervalMs: durationMsOption(options.minRefreshIntervalMs, DEFAULT_MIN_REFRESH_INTERVAL_MS, `${path}.minRefreshIntervalMs`),
    retryIntervalMs: durationMsOption(options.retryIntervalMs, DEFAULT_RETRY_INTERVAL_MS, `${path}.retryIntervalMs`),
    keepFresh: options.keepFresh ?? false,
    now,
  };
}

/** The seed token; a refresh token alone gives a Token whose empty access token is never sent (it is never current). */
function readInitialToken(input: unknown, now: number, path: string): Token {
  if (typeof input !== 'string' && (input === null || typeof input !== 'object' || Array.isArray(input))) {
    throw new TypeError(`"${path}" must be a token: a string, or an object with an access token or a refresh token`);
  }
  const fields = input as Record<string, unknown>;
  const accessToken = fields.accessToken ?? fields.access_token;
  if (typeof input === 'object' && (accessToken === undefined || accessToken === null)) {
    const refreshToken = fields.refreshToken ?? fields.refresh_token;
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      throw new TypeError(`"${path}" must have an access token or a refresh token (a non-empty string)`);
    }
    return { accessToken: '', tokenType: 'Bearer', refreshToken, obtainedAt: now };
  }
  return readToken(input, now, (reason) => new TypeError(`"${path}" is not a valid token: ${reason}`));
}

function validateStorage(storage: TokenStorage, path: string): void {
  if (storage === null || typeof storage !== 'object') throw new TypeError(`"${path}" must be a TokenStorage object`);
  const methods = storage as unknown as Record<string, unknown>;
  for (const method of ['get', 'set', 'delete']) requireFunction(methods[method], `${path}.${method}`);
  for (const method of ['withLock', 'subscribe']) {
    if (methods[method] !== undefined) requireFunction(methods[method], `${path}.${method}`);
  }
}
