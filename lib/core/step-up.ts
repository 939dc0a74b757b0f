import type { Attempt } from './attempt.js';
import type { InsufficientScopeError, InsufficientScopeReason } from './challenge-errors.js';
import { MAX_SCOPE_TOKENS, isScopeRefusal, scopeTokens, scopeVerdict, unionScope } from './scope.js';
import type { Token } from './token.js';

/** Builds the error a request gets when its scope is refused or not granted. */
export type ScopeRefusal = (reason: InsufficientScopeReason, cause?: unknown) => InsufficientScopeError;

/**
 * The scope bookkeeping of step-ups (issue 10): what step-ups asked for and got, which every later refresh asks for
 * too (or the next refresh would lose it), and the scope the current token was requested with.
 */
export class StepUpScope {
  #steppedUp: string[] = [];
  /** The scope the current token was requested with, when the lock chose it (`context.scope`). */
  #requested: string[] | undefined;

  /** The scope a plain refresh asks for: `undefined` (the source's own) until a step-up happened. */
  forRefresh(currentScope: string | undefined): string[] | undefined {
    return this.#steppedUp.length > 0 ? unionScope(scopeTokens(currentScope), this.#steppedUp) : undefined;
  }

  /** The scope a step-up for `required` asks for: the scope in use, what earlier step-ups got, and `required`. */
  forStepUp(currentScope: string | undefined, required: readonly string[]): string[] {
    return unionScope(scopeTokens(currentScope), this.#steppedUp, required);
  }

  /** What `token` can do for `required`, knowing the scope it was requested with. */
  verdict(token: Token, required: readonly string[]): ReturnType<typeof scopeVerdict> {
    return scopeVerdict(token.scope, this.#requested, required);
  }

  /** A token from elsewhere (`setToken()`, storage, a hook) was installed: its requested scope is unknown. */
  tokenInstalled(): void {
    this.#requested = undefined;
  }

  /** `attempt` obtained the current token: remember what it asked for, and what a step-up was granted. */
  obtained(attempt: Attempt, token: Token): void {
    this.#requested = attempt.scope;
    if (!attempt.stepUp) return;
    const requested = attempt.scope!;
    // All of it when the server did not say what it granted (RFC 6749 §5.1).
    const granted = token.scope === undefined ? requested : scopeTokens(token.scope);
    const kept = requested.filter((item) => granted.includes(item));
    this.#steppedUp = unionScope(this.#steppedUp, kept).slice(0, MAX_SCOPE_TOKENS);
  }

  /** A logout ends what the user consented to. */
  forget(): void {
    this.#steppedUp = [];
  }
}

/** The step-up's token, if it covers `required`; its refusal of the scope as an {@link InsufficientScopeError}. */
export async function steppedUpToken(attempt: Attempt, required: readonly string[], refuse: ScopeRefusal): Promise<Token> {
  let token: Token;
  try {
    token = await attempt.promise;
  } catch (error) {
    throw isScopeRefusal(error) ? refuse('refused', error) : error;
  }
  if (scopeVerdict(token.scope, attempt.scope, required) !== 'granted') throw refuse('not-granted');
  return token;
}
