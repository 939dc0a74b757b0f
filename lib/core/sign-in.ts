import { abortReason, settleOrAbort } from './abortable.js';
import type { DPoPProofMaker } from './dpop-proof-maker.js';
import { ErrorCode, SignInError } from './errors.js';
import type { TokenSource } from './options.js';
import { redactError, scrubSecrets } from './redact.js';
import { normalizeToken, type Token } from './token.js';
import { requireFunction } from './validate.js';

/*
 * A sign-in is a one-shot token source run under the token manager's lock (issue 12): the user logs in once (an
 * authorization code redirect, a device code, a password), and every request that needs a token meanwhile waits
 * for that same promise instead of calling `fetchToken`. What the lock does around it lives in token-manager.ts
 * (`signIn()`); this file runs the source itself and shapes its failure.
 *
 * Decisions (documented in the README, "Getting the first token"):
 * - No `refreshTimeoutMs`: a device sign-in takes minutes. The source's own deadline (the loopback `timeoutMs`, the
 *   device code's `expires_in`, the token endpoint's `timeoutMs`) and the caller's `signal` bound it.
 * - A second `signIn()` while one runs is refused (`ERR_SIGN_IN_IN_PROGRESS`), not joined: it brings its own
 *   source (another user, another flow), and silently dropping it would hand its caller someone else's login.
 * - A `signIn()` while a refresh runs supersedes the refresh: the refresh is aborted, its result would be discarded,
 *   and its waiters wait for the sign-in instead.
 * - A sign-in starts a new session: the current token is dropped at once (requests wait for the sign-in rather than
 *   go out as the previous user), and a failed sign-in leaves no token, here or in storage.
 */

/** Options of `signIn()`. */
export interface SignInOptions {
  /**
   * Aborts the sign-in (and the source, which gets an aborted `signal`): `signIn()` and its waiters reject with a
   * {@link SignInError} whose `cause` is the abort reason. `AbortSignal.timeout(ms)` gives it a deadline.
   * @default none: the source's own deadline bounds it
   */
  signal?: AbortSignal;
}

/** Fails fast, when `signIn()` is called, naming the argument that is wrong. */
export function validateSignIn(source: unknown, options: SignInOptions = {}): SignInOptions {
  requireFunction(source, 'source');
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" must be an object');
  if (options.signal !== undefined && typeof options.signal?.addEventListener !== 'function') {
    throw new TypeError('"options.signal" must be an AbortSignal');
  }
  return options;
}

/**
 * Runs `source` once and reads its answer as a token. Rejects as soon as `controller` aborts, even if the source
 * ignores its signal. `expiresIn` counts from when the source settled, not from its start: a device or browser
 * sign-in takes minutes, and only its last request issued the token.
 * @param dpop the manager's DPoP proof maker, handed to the source as `ctx.dpop`.
 */
export async function runSignIn(
  source: TokenSource,
  controller: AbortController,
  now: () => number,
  dpop?: DPoPProofMaker,
): Promise<Token> {
  const { signal } = controller;
  if (signal.aborted) throw abortReason(signal);
  // The manager's proof maker, as a refresh gets it: a DPoP-bound sign-in's token is bound to the key the manager
  // signs its API requests with, so renewals and requests need no other key (RFC 9449 §5, issue 11).
  const context = { reason: 'initial' as const, lastToken: null, signal, ...(dpop === undefined ? {} : { dpop }) };
  const answer = Promise.resolve().then(() => source(context));
  const input = await settleOrAbort(answer, signal, () => abortReason(signal));
  return normalizeToken(input, now());
}

/** Forwards an abort of the caller's signal to the sign-in's own controller; returns the listener's remover. */
export function linkSignal(signal: AbortSignal | undefined, controller: AbortController): () => void {
  const forward = (): void => controller.abort(signal!.reason);
  if (signal?.aborted) forward();
  signal?.addEventListener('abort', forward, { once: true });
  return () => signal?.removeEventListener('abort', forward);
}

/** The one error a failed sign-in's caller and waiters receive, its cause redacted (an AxiosError holds the form). */
export function toSignInError(error: unknown): SignInError {
  if (error instanceof SignInError) return error;
  redactError(error, { redactBody: true });
  const summary = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new SignInError(ErrorCode.SIGN_IN_FAILED, `Sign-in failed: ${scrubSecrets(summary, [])}`, { cause: error });
}

/** `signIn()` while another sign-in runs. */
export function signInInProgress(): SignInError {
  return new SignInError(ErrorCode.SIGN_IN_IN_PROGRESS, 'Sign-in failed: another signIn() is still running; await or abort it first');
}
