import type { AuthChallenge } from './auth-challenge.js';
import { InsufficientScopeError, type InsufficientScopeReason } from './challenge-errors.js';
import { ErrorCode, TokenRefreshError, isOAuthError } from './errors.js';
import { eventSink, lendSink, type EventSink } from './event-sink.js';
import { Hooks } from './hooks.js';
import { writeStored } from './obtain-token.js';
import { validateTokenManagerOptions, type RefreshReason, type TokenManagerOptions, type TokenSource } from './options.js';
import type { DPoPProofMaker } from './dpop-proof-maker.js';
import { RefreshTimer } from './refresh-timer.js';
import { linkSignal, runSignIn, signInInProgress, toSignInError, validateSignIn, type SignInOptions } from './sign-in.js';
import { toRefreshError } from './refresh-error.js';
import { traceRefresh, type RefreshTrace } from './trace-refresh.js';
import type { TokenStorage } from './token-storage.js';
import { normalizeToken, type Token, type TokenInput } from './token.js';
import { MAX_SCOPE_TOKENS, coversScope, isScopeRefusal, scopeTokens, scopeVerdict, unionScope } from './scope.js';
import { attemptContext, newAttempt, type Attempt, type AttemptRequest } from './attempt.js';

/*
 * The lock. One current token, a generation that counts tokens, and at most one refresh in flight: every caller that
 * needs a token while it runs awaits the same promise, which is the queue.
 *
 * When is a token renewed? (after Azure core-rest-pipeline's tokenCycler)
 * - must refresh (callers wait): there is no token, a 401 invalidated it, it has expired, or the clock went back
 *   past the moment it was requested (RFC 6749 gives expiry relative to issue, so we can no longer trust it).
 * - should refresh (callers go on with the current token, one background refresh starts): inside the refresh
 *   buffer, which is clamped to half the lifetime so a token shorter than the buffer cannot loop.
 * - a token known to be expired is never sent (it could only come back as a 401, issue 9), so its expiry forces a
 *   refresh whatever `minRefreshIntervalMs` says; that interval paces only background refreshes and a source whose
 *   tokens arrive already expired (an `expires_in` of 0 would otherwise refresh on every request). After a failed
 *   background refresh, the next is not before `retryIntervalMs` has passed.
 *
 * Step-up (issue 10): a step-up is one more kind of attempt in the same single slot. It asks for the union of the
 * scope in use and the required scope, does not invalidate the current token (it still serves other requests), never
 * adopts another realm's stored token, and is remembered, so every later refresh asks for that scope too. A refused
 * scope (`invalid_scope`) fails only the step-up's waiters: no hook, no dropped tokens.
 *
 * Re-entrancy (issue 9): hooks run outside the lock's critical path. `onRefreshFailed` is bounded by
 * `refreshTimeoutMs`; a `refresh()` called while it runs starts a new attempt (which does not call the hook again)
 * instead of joining the failing one; a `setToken()` from it answers the waiters.
 */

/** Rounds of waiting for other attempts before a step-up starts its own; each waits for one attempt to settle. */
const STEP_UP_ROUNDS = 3;
export class TokenManager {
  readonly #fetchToken: TokenManagerOptions['fetchToken'];
  readonly #now: () => number;
  readonly #bufferMs: number;
  readonly #timeoutMs: number;
  readonly #minIntervalMs: number;
  readonly #retryIntervalMs: number;
  readonly #hooks: Hooks;
  readonly #events: EventSink | undefined;
  readonly #timer: RefreshTimer | undefined;
  readonly #storage: TokenStorage | undefined;
  readonly #unsubscribe: (() => void) | undefined;
  readonly #dpop: DPoPProofMaker | undefined;

  #current: Token | null = null;
  #generation = 0;
  #invalidated = false;
  /** The token may be handed out without a check until this instant (epoch ms). */
  #refreshAt = Infinity;
  #lastFetchAt = -Infinity;
  #retryAt = -Infinity;
  /** The current token was already expired when it was installed: only the min interval paces its refreshes. */
  #arrivedExpired = false;
  #attempt: Attempt | null = null;
  /** A refresh token given alone as `initialToken`: redeemed by the first refresh, never sent as an access token. */
  #seed: Token | null = null;
  /** Bumped by `clear()` and `setToken()`: a refresh started before that must not install its result. */
  #epoch = 0;
  /** What step-ups asked for and got: every later refresh asks for it too, so a refresh never loses it (issue 10). */
  #steppedUpScope: string[] = [];
  /** The scope the current token was requested with, when this manager chose it (`context.scope`). */
  #requestedScope: string[] | undefined;

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
    this.#events = eventSink(o.onEvent, o.onBackgroundError);
    lendSink(this, this.#events);
    this.#hooks = new Hooks(o, this.#events);
    if (o.keepFresh) this.#timer = new RefreshTimer(() => this.#onTimer());
    this.#storage = o.storage;
    this.#dpop = o.dpop;
    if (o.initialToken?.accessToken === '') this.#seed = o.initialToken;
    else if (o.initialToken !== undefined) this.#install(o.initialToken, false);
    this.#unsubscribe = o.storage?.subscribe?.((token) => this.#onStoredElsewhere(token));
  }

  /** Counts installed tokens; a request remembers the generation it was sent with. 0 = no token yet. */
  get generation(): number {
    return this.#generation;
  }

  /** The DPoP proof maker of this manager's tokens (RFC 9449), or `undefined` for bearer tokens. */
  get dpop(): DPoPProofMaker | undefined {
    return this.#dpop;
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

  /**
   * Forces a new token: resolves with a token newer than the current one, or rejects. Joins the refresh already in
   * flight rather than starting a second one, except one whose `onRefreshFailed` is running: then it starts a new
   * attempt (so the hook may "retry once" with `refresh()`; that attempt's failure does not call the hook again).
   */
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

  /**
   * A request sent with `generation` was refused for want of `requiredScope` (`insufficient_scope`): resolves with a
   * token whose scope covers it, through ONE step-up shared by every request that needs that scope (the token source is
   * called with `reason: 'step-up'` and `context.scope` = the union of the scope in use and `requiredScope`). A token
   * newer than the request's that already covers it is handed out with no token request. Rejects with
   * {@link InsufficientScopeError} when the token endpoint refuses the scope (`invalid_scope`: the current tokens stay)
   * or grants less.
   * @param challenge the API's challenge, carried by the error.
   * @see RFC 6750 §3.1
   */
  async tokenForScope(generation: number, requiredScope: readonly string[], challenge?: AuthChallenge): Promise<Token> {
    const required = scopeTokens(requiredScope);
    const refuse = (reason: InsufficientScopeReason, cause?: unknown): InsufficientScopeError =>
      new InsufficientScopeError({ requiredScope: required, reason, challenge, cause, secrets: this.#secrets() });
    for (let round = 0; round < STEP_UP_ROUNDS; round++) {
      const current = this.#current;
      if (current !== null && !this.#invalidated && generation !== this.#generation) {
        // The request went out with an older token: the current one may already have what it needs.
        const verdict = scopeVerdict(current.scope, this.#requestedScope, required);
        if (verdict === 'granted') return current;
        if (verdict === 'refused') throw refuse('not-granted');
      }
      const running = this.#attempt;
      if (running === null) break;
      if (running.stepUp && coversScope(running.scope!, required)) return this.#steppedUp(running, required, refuse);
      await running.promise.catch(() => undefined); // its own waiters see its failure; we only wait our turn
    }
    const scope = unionScope(scopeTokens(this.#current?.scope), this.#steppedUpScope, required);
    this.#join('step-up', { scope, stepUp: true }).catch(() => undefined); // observed below
    return this.#steppedUp(this.#attempt!, required, refuse);
  }

  /**
   * A request sent with `generation` was refused with a claims challenge (`insufficient_claims`, e.g. Microsoft Entra
   * CAE): as {@link tokenAfterRejection}, but the refresh it starts sends `claims` (`context.claims`).
   * @see OpenID Connect Core 1.0 §5.5
   */
  tokenWithClaims(generation: number, claims: string): Promise<Token> {
    if (generation !== this.#generation) return this.getToken();
    this.#invalidated = true;
    return this.#join('unauthorized', { claims });
  }

  /**
   * Runs a one-shot token source (a sign-in: `authorizationCodeGrant()`, `deviceAuthorization()`,
   * `loopbackAuthorization()`, `passwordGrant()`) under the lock: the current token is dropped, and every request
   * needing a token meanwhile waits for the sign-in (bounded by its own signal and the source's deadline, not by
   * `refreshTimeoutMs`) instead of calling `fetchToken`. The result is installed and stored like any new token;
   * later renewals call `fetchToken` with the refresh token it brought. A refresh in flight is superseded (its
   * waiters wait for the sign-in); a second `signIn()` meanwhile rejects with `ERR_SIGN_IN_IN_PROGRESS`. A failed
   * sign-in rejects its waiters with the same {@link SignInError} and leaves no token (`onRefreshFailed` is not called:
   * the caller of `signIn()` is told).
   * @example
   * await tokens.signIn(deviceAuthorization({ issuer, clientId, onUserCode: ({ verificationUri, userCode }) => show(verificationUri, userCode) }));
   */
  signIn(source: TokenSource, options?: SignInOptions): Promise<Token> {
    const { signal } = validateSignIn(source, options);
    if (this.#attempt?.signIn === true) return Promise.reject(signInInProgress());
    this.#abandonInflight();
    this.#dropToken(false);
    const attempt = newAttempt({ required: true, nested: false, signIn: true });
    this.#attempt = attempt;
    attempt.promise = this.#signInOnce(source, attempt, linkSignal(signal, attempt.controller));
    return attempt.promise;
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
    this.#steppedUpScope = []; // a logout ends what the user consented to
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
    if (!clockWentBack && !expired) {
      this.#startBackground(now);
      return token;
    }
    // An expired token would only come back as a 401: callers wait for a refresh (joining one costs nothing).
    // Only a source whose tokens arrive already expired gets its expired token sent, until the min interval lets
    // the next fetch go (no loop on `expires_in: 0`).
    if (this.#attempt !== null || !this.#arrivedExpired || this.#mayFetchForExpiry(now)) return undefined;
    return token;
  }

  #mayFetchForExpiry(now: number): boolean {
    // A clock turned back past the last fetch must not lock refreshes out until it catches up.
    return now - this.#lastFetchAt >= this.#minIntervalMs || now < this.#lastFetchAt;
  }

  #startBackground(now: number): void {
    if (this.#attempt !== null || !this.#mayFetchForExpiry(now) || now < this.#retryAt) return;
    // Failures here are handled in #recover (reported, retried later); this catch only keeps them observed.
    this.#join('expiring').catch(() => undefined);
  }

  /** The step-up's token, if it covers `required`; its refusal of the scope as an {@link InsufficientScopeError}. */
  async #steppedUp(
    attempt: Attempt,
    required: string[],
    refuse: (reason: InsufficientScopeReason, cause?: unknown) => InsufficientScopeError,
  ): Promise<Token> {
    let token: Token;
    try {
      token = await attempt.promise;
    } catch (error) {
      throw isScopeRefusal(error) ? refuse('refused', error) : error;
    }
    if (scopeVerdict(token.scope, attempt.scope, required) !== 'granted') throw refuse('not-granted');
    return token;
  }

  /** The tokens a challenge in an error could echo back. */
  #secrets(): string[] {
    const token = this.#current;
    return [token?.accessToken, token?.refreshToken].filter((s): s is string => typeof s === 'string' && s !== '');
  }

  #join(reason: RefreshReason, request: AttemptRequest = {}): Promise<Token> {
    const running = this.#attempt;
    const background = reason === 'expiring';
    if (running !== null && !(running.recovering && reason === 'manual')) {
      if (!background) running.required = true; // e.g. refresh() joining a background refresh wants a new token
      if (!background) running.waiters++;
      return running.promise;
    }
    const attempt = newAttempt({
      required: !background,
      nested: running !== null,
      // After a step-up every refresh keeps asking for what it got, or the next refresh would lose it.
      scope:
        request.scope ??
        (this.#steppedUpScope.length > 0 ? unionScope(scopeTokens(this.#current?.scope), this.#steppedUpScope) : undefined),
      stepUp: request.stepUp,
      claims: request.claims,
    });
    lendSink(attempt.controller.signal, this.#events);
    this.#attempt = attempt;
    attempt.promise = this.#refreshOnce(reason, attempt);
    return attempt.promise;
  }

  async #refreshOnce(reason: RefreshReason, attempt: Attempt): Promise<Token> {
    const { controller } = attempt;
    const epoch = this.#epoch;
    const lastToken = this.#current ?? this.#seed;
    this.#lastFetchAt = this.#now();
    // A source that ignores its aborted signal must not keep the waiters of an abandoned attempt until its deadline.
    const abandoned = new Promise<never>((_, reject) => (attempt.abandon = () => reject(new Error('abandoned'))));
    abandoned.catch(() => undefined);
    try {
      const obtaining = traceRefresh(this.#traceOf(attempt, epoch), {
        source: this.#fetchToken,
        context: {
          reason,
          lastToken,
          signal: controller.signal,
          ...attemptContext(attempt),
          ...(this.#dpop === undefined ? {} : { dpop: this.#dpop }),
        },
        storage: this.#storage,
        now: this.#now,
        timeoutMs: this.#timeoutMs,
        controller,
        report: (error) => this.#hooks.report(error),
        fresh: attempt.stepUp || attempt.claims !== undefined,
      });
      const { token } = await Promise.race([obtaining, abandoned]);
      if (epoch !== this.#epoch) return this.#afterAbandon();
      this.#install(token, true);
      this.#requestedScope = attempt.scope;
      if (attempt.stepUp) this.#rememberScope(token, attempt.scope!);
      return token;
    } catch (error) {
      // Abandoned by clear() or setToken(): its failure is nobody's business, least of all onRefreshFailed's.
      if (epoch !== this.#epoch) return this.#afterAbandon();
      // A refused step-up is no failed refresh: the tokens still do what they did (issue 10), so no hook, no drop.
      if (attempt.stepUp && isScopeRefusal(error)) throw toRefreshError(error, lastToken);
      return await this.#recover(toRefreshError(error, lastToken), attempt, epoch);
    } finally {
      // Only our own slot: an abandoned attempt must not free the one a newer refresh holds (two fetches at once).
      if (this.#attempt === attempt) this.#attempt = null;
    }
  }

  /** What the refresh events say about `attempt`, read when they are built. */
  #traceOf(attempt: Attempt, epoch: number): RefreshTrace {
    return { events: this.#events, generation: this.#generation, waiters: () => attempt.waiters, abandoned: () => epoch !== this.#epoch };
  }

  async #signInOnce(source: TokenSource, attempt: Attempt, unlink: () => void): Promise<Token> {
    const epoch = this.#epoch;
    try {
      const token = await runSignIn(source, attempt.controller, this.#now, this.#dpop);
      if (epoch !== this.#epoch) return await this.#afterAbandon();
      this.#install(token, true);
      this.#persist(token);
      return token;
    } catch (error) {
      if (epoch !== this.#epoch) return await this.#afterAbandon();
      this.#dropToken(true); // no token, here or in storage, after a failed sign-in
      throw toSignInError(error);
    } finally {
      unlink();
      if (this.#attempt === attempt) this.#attempt = null;
    }
  }

  /** A background refresh that fails while the token still works changes nothing for callers; anything else is a failed refresh. */
  async #recover(error: TokenRefreshError, attempt: Attempt, epoch: number): Promise<Token> {
    // RFC 6749 §5.2: invalid_grant means the grant (e.g. the refresh token) is dead; keeping its tokens only
    // invites another doomed refresh, so the failure is terminal whatever the access token's expiry says.
    if (isOAuthError(error.cause) && error.cause.error === 'invalid_grant') this.#dropToken(true);
    const now = this.#now();
    const token = this.#current;
    const stillWorks = token !== null && !this.#invalidated && (token.expiresAt === undefined || now < token.expiresAt);
    if (stillWorks) {
      this.#retryAt = now + this.#retryIntervalMs;
      this.#timer?.schedule(this.#retryAt - now);
    }
    if (stillWorks && !attempt.required) {
      this.#hooks.report(error);
      return token;
    }
    if (attempt.nested) throw error; // the onRefreshFailed that started it sees this failure: no second call
    attempt.recovering = true;
    const generation = this.#generation;
    const input = await this.#hooks.replacementFor(error, this.#timeoutMs);
    return this.#afterHook(input, error, epoch, generation);
  }

  /**
   * The waiters' answer once `onRefreshFailed` has spoken: a token installed meanwhile by `setToken()` or by a
   * `refresh()` the hook started, else the token the hook returned, else the failure.
   */
  #afterHook(input: TokenInput | undefined, error: TokenRefreshError, epoch: number, generation: number): Token {
    const current = this.#current;
    const usable = current !== null && !this.#invalidated;
    // clear() or setToken() ran meanwhile: what they left stands; the hook's answer is not installed over it.
    if (epoch !== this.#epoch) {
      if (usable) return current;
      throw error;
    }
    const newer = usable && this.#generation !== generation;
    if (input === undefined) {
      if (newer) return current;
      throw error;
    }
    let replacement: Token;
    try {
      replacement = normalizeToken(input, this.#now());
    } catch (invalid) {
      this.#hooks.report(invalid);
      throw error;
    }
    // The hook handed back the token its own refresh() already installed: no second install or onTokenUpdate.
    if (newer && current.accessToken === replacement.accessToken) return current;
    this.#install(replacement, true);
    this.#persist(replacement);
    return replacement;
  }

  /** Remembers what a step-up asked for and was granted (all of it when the server did not say what it granted). */
  #rememberScope(token: Token, requested: string[]): void {
    const granted = token.scope === undefined ? requested : scopeTokens(token.scope);
    const kept = requested.filter((item) => granted.includes(item));
    this.#steppedUpScope = unionScope(this.#steppedUpScope, kept).slice(0, MAX_SCOPE_TOKENS);
  }

  #install(token: Token, notify: boolean): void {
    const now = this.#now();
    this.#current = token;
    this.#requestedScope = undefined;
    this.#seed = null;
    this.#generation++;
    this.#invalidated = false;
    this.#refreshAt = this.#computeRefreshAt(token);
    this.#arrivedExpired = token.expiresAt !== undefined && now >= token.expiresAt;
    if (this.#timer !== undefined && token.expiresAt !== undefined) {
      let due = Math.max(this.#refreshAt, this.#lastFetchAt + this.#minIntervalMs);
      // A token that arrived valid is renewed at its expiry at the latest, whatever the min interval says.
      if (!this.#arrivedExpired) due = Math.min(due, token.expiresAt);
      this.#timer.schedule(due - now);
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
    if (token === null || this.#invalidated || this.#attempt !== null) return;
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
    this.#seed = null;
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
    if (this.#attempt !== null) return;
    if (token === null) {
      this.#dropToken(false);
    } else if (token.accessToken !== this.#current?.accessToken) {
      this.#install(token, true);
    }
  }

  #abandonInflight(): void {
    this.#epoch++;
    this.#attempt?.controller.abort();
    this.#attempt?.abandon();
    this.#attempt = null;
  }

  /** Waiters of an abandoned refresh get the token that replaced it (or the sign-in that will), or learn it was cleared. */
  #afterAbandon(): Token | Promise<Token> {
    if (this.#attempt?.signIn === true) return this.#attempt.promise;
    if (this.#current !== null && !this.#invalidated) return this.#current;
    throw new TokenRefreshError(ErrorCode.TOKEN_CLEARED, 'Failed to refresh token: the token was cleared while it was being refreshed');
  }
}

/** The context members an attempt adds to a plain refresh's. */
