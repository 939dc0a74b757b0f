import { ErrorCode, TokenRefreshError, isOAuthError } from './errors.js';
import { Hooks } from './hooks.js';
import { obtainToken, writeStored } from './obtain-token.js';
import { validateTokenManagerOptions, type RefreshReason, type TokenManagerOptions } from './options.js';
import { RefreshTimer } from './refresh-timer.js';
import { toRefreshError } from './refresh-error.js';
import type { TokenStorage } from './token-storage.js';
import { normalizeToken, type Token, type TokenInput } from './token.js';

/*
 * The lock. One current token, a generation that counts tokens, and at most one refresh in flight: every caller that
 * needs a token while it runs awaits the same promise, which is the queue.
 *
 * When is a token renewed? (after Azure core-rest-pipeline's tokenCycler)
 * - must refresh (callers wait): there is no token, a 401 invalidated it, it has expired, or the clock went back
 *   past the moment it was requested (RFC 6749 gives expiry relative to issue, so we can no longer trust it).
 * - should refresh (callers go on with the current token, one background refresh starts): inside the refresh
 *   buffer, which is clamped to half the lifetime so a token shorter than the buffer cannot loop.
 * - never more often than `minRefreshIntervalMs` for expiry (an `expires_in` of 0 would otherwise refresh on every
 *   request), and after a failed background refresh not before `retryIntervalMs` has passed.
 */
export class TokenManager {
  readonly #fetchToken: TokenManagerOptions['fetchToken'];
  readonly #now: () => number;
  readonly #bufferMs: number;
  readonly #timeoutMs: number;
  readonly #minIntervalMs: number;
  readonly #retryIntervalMs: number;
  readonly #hooks: Hooks;
  readonly #timer: RefreshTimer | undefined;
  readonly #storage: TokenStorage | undefined;
  readonly #unsubscribe: (() => void) | undefined;

  #current: Token | null = null;
  #generation = 0;
  #invalidated = false;
  /** The token may be handed out without a check until this instant (epoch ms). */
  #refreshAt = Infinity;
  #lastFetchAt = -Infinity;
  #retryAt = -Infinity;
  #inflight: Promise<Token> | null = null;
  #inflightAbort: AbortController | null = null;
  /** Bumped by `clear()` and `setToken()`: a refresh started before that must not install its result. */
  #epoch = 0;

  /**
   * Usually created for you by `attachOAuth()`; create one yourself to share a single lock between instances.
   * @example
   * const tokens = new TokenManager({ fetchToken });
   * attachOAuth(apiA, { tokenManager: tokens });
   * attachOAuth(apiB, { tokenManager: tokens });
   */
  constructor(options: TokenManagerOptions) {
    const o = validateTokenManagerOptions(options);
    this.#fetchToken = o.fetchToken;
    this.#now = o.now;
    this.#bufferMs = o.refreshBufferSeconds * 1000;
    this.#timeoutMs = o.refreshTimeoutMs;
    this.#minIntervalMs = o.minRefreshIntervalMs;
    this.#retryIntervalMs = o.retryIntervalMs;
    this.#hooks = new Hooks(o);
    if (o.keepFresh) this.#timer = new RefreshTimer(() => this.#onTimer());
    this.#storage = o.storage;
    if (o.initialToken !== undefined) this.#install(normalizeToken(o.initialToken, this.#now()), false);
    this.#unsubscribe = o.storage?.subscribe?.((token) => this.#onStoredElsewhere(token));
  }

  /** Counts installed tokens; a request remembers the generation it was sent with. 0 = no token yet. */
  get generation(): number {
    return this.#generation;
  }

  /** The current token, valid or not, or `null`. Never calls the token source. */
  get token(): Token | null {
    return this.#current;
  }

  /**
   * The hot path: the current token if it may be used right now, else `undefined` (the caller must wait for
   * {@link getToken}). Inside the refresh buffer it starts a background refresh and still returns the token.
   */
  peek(): Token | undefined {
    const token = this.#current;
    if (token === null || this.#invalidated) return undefined;
    if (this.#refreshAt === Infinity) return token;
    const now = this.#now();
    if (now < this.#refreshAt && now >= token.obtainedAt) return token;
    return this.#peekSlow(token, now);
  }

  /** A usable token: the current one, or the result of the refresh in flight (started if none is). */
  getToken(): Promise<Token> {
    const token = this.peek();
    if (token !== undefined) return Promise.resolve(token);
    return this.#join(this.#current === null ? 'initial' : this.#invalidated ? 'unauthorized' : 'expired');
  }

  /** Forces a new token; joins the refresh already in flight rather than starting a second one. */
  refresh(): Promise<Token> {
    return this.#join('manual');
  }

  /**
   * A request sent with `generation` was rejected as unauthorized. If a newer token exists, hand it out with no
   * refresh (the 401 was for a token already replaced); otherwise invalidate the token and join the refresh.
   * @see RFC 6750 §3.1 (invalid_token)
   */
  tokenAfterRejection(generation: number): Promise<Token> {
    if (generation !== this.#generation) return this.getToken();
    this.#invalidated = true;
    return this.#join('unauthorized');
  }

  /** Installs a token you obtained yourself (e.g. after a login); `onTokenUpdate` runs. */
  setToken(input: TokenInput): Token {
    const token = normalizeToken(input, this.#now());
    this.#abandonInflight();
    this.#install(token, true);
    this.#persist(token);
    return token;
  }

  /** Forgets the token (e.g. on logout). A refresh in flight is abandoned and its waiters reject. */
  clear(): void {
    this.#abandonInflight();
    this.#dropToken(true);
  }

  /**
   * Revokes the current token at the authorization server when the token source knows how (RFC 7009), then
   * clears it, even if revocation failed (the failure is still thrown).
   * @see RFC 7009 §2
   */
  async revoke(): Promise<void> {
    const token = this.#current;
    try {
      if (token !== null && this.#fetchToken.revoke !== undefined) await this.#fetchToken.revoke(token);
    } finally {
      this.clear();
    }
  }

  /** Stops the keep-fresh timer for good. A refresh in flight still settles for those waiting on it. */
  dispose(): void {
    this.#timer?.dispose();
    this.#unsubscribe?.();
  }

  #peekSlow(token: Token, now: number): Token | undefined {
    const clockWentBack = now < token.obtainedAt;
    const expired = token.expiresAt !== undefined && now >= token.expiresAt;
    // Joining a refresh already in flight costs the token source nothing, so an expired token is never handed
    // out while one runs (it would only come back as a 401).
    if ((clockWentBack || expired) && (this.#inflight !== null || this.#mayFetchForExpiry(now))) return undefined;
    if (!clockWentBack && !expired) this.#startBackground(now);
    return token;
  }

  #mayFetchForExpiry(now: number): boolean {
    // A clock turned back past the last fetch must not lock refreshes out until it catches up.
    return now - this.#lastFetchAt >= this.#minIntervalMs || now < this.#lastFetchAt;
  }

  #startBackground(now: number): void {
    if (this.#inflight !== null || !this.#mayFetchForExpiry(now) || now < this.#retryAt) return;
    // Failures here are handled in #recover (reported, retried later); this catch only keeps them observed.
    this.#join('expiring').catch(() => undefined);
  }

  #join(reason: RefreshReason): Promise<Token> {
    if (this.#inflight !== null) return this.#inflight;
    const controller = new AbortController();
    this.#inflightAbort = controller;
    this.#inflight = this.#refreshOnce(reason, controller);
    return this.#inflight;
  }

  async #refreshOnce(reason: RefreshReason, controller: AbortController): Promise<Token> {
    const epoch = this.#epoch;
    const lastToken = this.#current;
    this.#lastFetchAt = this.#now();
    try {
      const { token } = await obtainToken({
        source: this.#fetchToken,
        context: { reason, lastToken, signal: controller.signal },
        storage: this.#storage,
        now: this.#now,
        timeoutMs: this.#timeoutMs,
        controller,
        report: (error) => this.#hooks.report(error),
      });
      if (epoch !== this.#epoch) return this.#afterAbandon();
      this.#install(token, true);
      return token;
    } catch (error) {
      if (epoch !== this.#epoch) return this.#afterAbandon();
      return await this.#recover(toRefreshError(error, lastToken), reason);
    } finally {
      if (epoch === this.#epoch) {
        this.#inflight = null;
        this.#inflightAbort = null;
      }
    }
  }

  /** A background refresh that fails while the token still works changes nothing for callers; anything else is a failed refresh. */
  async #recover(error: TokenRefreshError, reason: RefreshReason): Promise<Token> {
    // RFC 6749 §5.2: invalid_grant means the grant (e.g. the refresh token) is dead; keeping its tokens only
    // invites another doomed refresh, so the failure is terminal whatever the access token's expiry says.
    if (isOAuthError(error.cause) && error.cause.error === 'invalid_grant') this.#dropToken(true);
    const now = this.#now();
    const token = this.#current;
    if (reason === 'expiring' && token !== null && !this.#invalidated && (token.expiresAt === undefined || now < token.expiresAt)) {
      this.#retryAt = now + this.#retryIntervalMs;
      this.#timer?.schedule(this.#retryAt - now);
      this.#hooks.report(error);
      return token;
    }
    const input = await this.#hooks.replacementFor(error);
    if (input === undefined) throw error;
    let replacement: Token;
    try {
      replacement = normalizeToken(input, this.#now());
    } catch (invalid) {
      this.#hooks.report(invalid);
      throw error;
    }
    this.#install(replacement, true);
    this.#persist(replacement);
    return replacement;
  }

  #install(token: Token, notify: boolean): void {
    this.#current = token;
    this.#generation++;
    this.#invalidated = false;
    this.#refreshAt = this.#computeRefreshAt(token);
    if (this.#timer !== undefined && this.#refreshAt !== Infinity) {
      const due = Math.max(this.#refreshAt, this.#lastFetchAt + this.#minIntervalMs);
      this.#timer.schedule(due - this.#now());
    }
    if (notify) this.#hooks.tokenUpdated(token);
  }

  #computeRefreshAt(token: Token): number {
    if (token.expiresAt === undefined) return Infinity;
    const lifetime = Math.max(0, token.expiresAt - token.obtainedAt);
    return token.expiresAt - Math.min(this.#bufferMs, lifetime / 2);
  }

  #onTimer(): void {
    const token = this.#current;
    if (token === null || this.#invalidated || this.#inflight !== null) return;
    const now = this.#now();
    if (token.expiresAt !== undefined && now >= token.expiresAt) {
      this.#join('expired').catch(() => undefined); // waiters, if any, see the failure; nobody else needs it
    } else {
      this.#startBackground(now);
    }
  }

  /** @param forget also delete the token from storage (for every realm), not only here. */
  #dropToken(forget: boolean): void {
    this.#current = null;
    this.#generation++;
    this.#invalidated = false;
    this.#refreshAt = Infinity;
    this.#timer?.stop();
    if (forget && this.#storage !== undefined) {
      Promise.resolve()
        .then(() => this.#storage!.delete())
        .catch((error: unknown) => this.#hooks.report(error));
    }
  }

  #persist(token: Token): void {
    if (this.#storage !== undefined) void writeStored(this.#storage, token, (error) => this.#hooks.report(error));
  }

  /** Another tab or process stored a token (or deleted it): take it, with no refresh of our own. */
  #onStoredElsewhere(token: Token | null): void {
    // A refresh in flight here wins: it will store its own result, which is newer than what was heard.
    if (this.#inflight !== null) return;
    if (token === null) {
      this.#dropToken(false);
    } else if (token.accessToken !== this.#current?.accessToken) {
      this.#install(token, true);
    }
  }

  #abandonInflight(): void {
    this.#epoch++;
    this.#inflightAbort?.abort();
    this.#inflight = null;
    this.#inflightAbort = null;
  }

  /** Waiters of an abandoned refresh get the token that replaced it, or learn it was cleared. */
  #afterAbandon(): Token {
    if (this.#current !== null && !this.#invalidated) return this.#current;
    throw new TokenRefreshError(ErrorCode.TOKEN_CLEARED, 'Failed to refresh token: the token was cleared while it was being refreshed');
  }
}
