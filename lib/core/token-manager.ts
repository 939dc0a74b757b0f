import type { AuthChallenge } from './auth-challenge.js';
import { InsufficientScopeError, type InsufficientScopeReason } from './challenge-errors.js';
import { ErrorCode, TokenRefreshError, isOAuthError } from './errors.js';
import { eventSink, lendSink, type EventSink } from './event-sink.js';
import { Hooks } from './hooks.js';
import { writeStored } from './obtain-token.js';
import { validateTokenManagerOptions, type RefreshReason, type TokenManagerOptions, type TokenSource } from './options.js';
import type { DPoPProofMaker } from './dpop-proof-maker.js';
import { RefreshSchedule } from './refresh-schedule.js';
import { linkSignal, runSignIn, signInInProgress, toSignInError, validateSignIn, type SignInOptions } from './sign-in.js';
import { toRefreshError } from './refresh-error.js';
import { traceRefresh, type RefreshTrace } from './trace-refresh.js';
import type { TokenStorage } from './token-storage.js';
import { normalizeToken, type Token, type TokenInput } from './token.js';
import { coversScope, isScopeRefusal, scopeTokens } from './scope.js';
import { StepUpScope, steppedUpToken } from './step-up.js';
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
  readonly #timeoutMs: number;
  readonly #hooks: Hooks;
  readonly #events: EventSink | undefined;
  readonly #schedule: RefreshSchedule;
  readonly #scopes = new StepUpScope();
  readonly #storage: TokenStorage | undefined;
  readonly #unsubscribe: (() => void) | undefined;
  readonly #dpop: DPoPProofMaker | undefined;

  #current: Token | null = null;
  #generation = 0;
  #invalidated = false;
  #attempt: Attempt | null = null;
  /** A refresh token given alone as `initialToken`: redeemed by the first refresh, never sent as an access token. */
  #seed: Token | null = null;
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
    this.#timeoutMs = o.refreshTimeoutMs;
    this.#schedule = new RefreshSchedule({
      bufferMs: o.refreshBufferSeconds * 1000,
      minIntervalMs: o.minRefreshIntervalMs,
      retryIntervalMs: o.retryIntervalMs,
      ...(o.keepFresh ? { onDue: () => this.#onTimer() } : {}),
    });
    this.#events = eventSink(o.onEvent, o.onBackgroundError);
    lendSink(this, this.#events);
    this.#hooks = new Hooks(o, this.#events);
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
    const refreshAt = this.#schedule.refreshAt;
    if (refreshAt === Infinity) return token;
    const now = this.#now();
    if (now < refreshAt && now >= token.obtainedAt) return token;
    const verdict = this.#schedule.verdict(token, now, this.#attempt !== null);
    // Failures of a background refresh are handled in #recover (reported, retried later); this catch only keeps them observed.
    if (verdict === 'use-and-renew') this.#join('expiring').catch(() => undefined);
    return verdict === 'wait' ? undefined : token;
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
    // The tokens of now and of the refusal: the step-up in between replaces the one the challenge may echo.
    const before = this.#secrets();
    const refuse = (reason: InsufficientScopeReason, cause?: unknown): InsufficientScopeError =>
      new InsufficientScopeError({ requiredScope: required, reason, challenge, cause, secrets: [...before, ...this.#secrets()] });
    for (let round = 0; round < STEP_UP_ROUNDS; round++) {
      const current = this.#current;
      if (current !== null && !this.#invalidated && generation !== this.#generation) {
        // The request went out with an older token: the current one may already have what it needs.
        const verdict = this.#scopes.verdict(current, required);
        if (verdict === 'granted') return current;
        if (verdict === 'refused') throw refuse('not-granted');
      }
      const running = this.#attempt;
      if (running === null) break;
      if (running.stepUp && coversScope(running.scope!, required)) return steppedUpToken(running, required, refuse);
      await running.promise.catch(() => undefined); // its own waiters see its failure; we only wait our turn
    }
    const scope = this.#scopes.forStepUp(this.#current?.scope, required);
    this.#join('step-up', { scope, stepUp: true }).catch(() => undefined); // observed below
    return steppedUpToken(this.#attempt!, required, refuse);
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
    this.#scopes.forget();
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
    this.#schedule.dispose();
    this.#unsubscribe?.();
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
      scope: request.scope ?? this.#scopes.forRefresh(this.#current?.scope),
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
    this.#schedule.fetchStarted(this.#now());
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
      this.#scopes.obtained(attempt, token);
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
    if (stillWorks) this.#schedule.failedWhileValid(now);
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

  #install(token: Token, notify: boolean): void {
    this.#current = token;
    this.#scopes.tokenInstalled();
    this.#seed = null;
    this.#generation++;
    this.#invalidated = false;
    this.#schedule.installed(token, this.#now());
    if (notify) this.#hooks.tokenUpdated(token);
  }

  #onTimer(): void {
    const token = this.#current;
    if (token === null || this.#invalidated || this.#attempt !== null) return;
    const now = this.#now();
    if (token.expiresAt !== undefined && now >= token.expiresAt) {
      this.#join('expired').catch(() => undefined); // waiters, if any, see the failure; nobody else needs it
    } else if (this.#schedule.mayRenewInBackground(now)) {
      this.#join('expiring').catch(() => undefined); // a failure is handled in #recover
    }
  }

  /** @param forget also delete the token from storage (for every realm), not only here. */
  #dropToken(forget: boolean): void {
    this.#current = null;
    this.#seed = null;
    this.#generation++;
    this.#invalidated = false;
    this.#schedule.dropped();
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
