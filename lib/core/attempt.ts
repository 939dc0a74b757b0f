import type { Token } from './token.js';

/** One call to the token source, and the waiters it serves (its promise). */
export interface Attempt {
  promise: Promise<Token>;
  controller: AbortController;
  /** Someone needs a new token from it, not only a background refresh: its failure is a failure for them. */
  required: boolean;
  /** The source failed and `onRefreshFailed` runs: `refresh()` starts a new attempt rather than join this one. */
  recovering: boolean;
  /** Started while another attempt's `onRefreshFailed` ran: its failure does not call the hook a second time. */
  nested: boolean;
  /** Settles the attempt's waiters at once when `clear()` or `setToken()` abandons it, whatever the source does. */
  abandon: () => void;
  /** Callers awaiting it (for the `refresh:end` event). */
  waiters: number;
  /** The scope it asks for (`context.scope`); `undefined`: the source's own. */
  scope: string[] | undefined;
  /** A step-up: asks for `scope` because an API wanted more (issue 10). */
  stepUp: boolean;
  /** The claims request it sends (`context.claims`). */
  claims: string | undefined;
  /** A `signIn()`, not a call to `fetchToken`: never retried through `onRefreshFailed`, never joined by another sign-in. */
  signIn?: boolean;
}

/** What a new attempt asks for beyond a plain refresh. */
export interface AttemptRequest {
  scope?: string[];
  stepUp?: boolean;
  claims?: string;
}

/**
 * A new attempt, not started yet (its `promise` is set by whoever runs it). One waiter unless it is a background
 * refresh nobody asked for.
 */
export function newAttempt(init: Pick<Attempt, 'required' | 'nested'> & AttemptRequest & { signIn?: boolean }): Attempt {
  return {
    promise: undefined as unknown as Promise<Token>,
    controller: new AbortController(),
    required: init.required,
    recovering: false,
    nested: init.nested,
    abandon: () => undefined,
    waiters: init.required ? 1 : 0,
    scope: init.scope,
    stepUp: init.stepUp === true,
    claims: init.claims,
    ...(init.signIn === true ? { signIn: true } : {}),
  };
}

/** What the attempt adds to the token source's context: the scope of a step-up, the claims of a claims challenge. */
export function attemptContext(attempt: Attempt): { scope?: string[]; claims?: string } {
  const extra: { scope?: string[]; claims?: string } = {};
  if (attempt.scope !== undefined) extra.scope = [...attempt.scope];
  if (attempt.claims !== undefined) extra.claims = attempt.claims;
  return extra;
}
