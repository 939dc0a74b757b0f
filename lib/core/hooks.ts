import { ErrorCode, TokenRefreshError } from './errors.js';
import { emit, wants, type EventSink } from './event-sink.js';
import { eventError } from './events.js';
import type { TokenManagerOptions } from './options.js';
import type { Token, TokenInput } from './token.js';

/** What the hook deadline resolves with: no value a hook can return. */
const OVERRUN: unique symbol = Symbol('overrun');

/**
 * The user's hooks, called so that none of them can break a request: a hook that throws or rejects is reported
 * to `onBackgroundError`, and never becomes an unhandled rejection (axios-auth-refresh 5.0.0 changelog).
 */
export class Hooks {
  readonly #options: Pick<TokenManagerOptions, 'onTokenUpdate' | 'onRefreshFailed' | 'onBackgroundError'>;

  readonly #events: EventSink | undefined;

  constructor(options: Pick<TokenManagerOptions, 'onTokenUpdate' | 'onRefreshFailed' | 'onBackgroundError'>, events?: EventSink) {
    this.#options = options;
    this.#events = events;
  }

  tokenUpdated(token: Token): void {
    const hook = this.#options.onTokenUpdate;
    if (hook === undefined) return;
    try {
      const result = hook(token);
      if (result instanceof Promise) result.catch((error: unknown) => this.report(error));
    } catch (error) {
      this.report(error);
    }
  }

  /**
   * What `onRefreshFailed` offers instead of the failed refresh, or `undefined` for nothing (or a throw). Bounded by
   * `timeoutMs` (the refresh deadline): a hook that never settles must not wedge every waiter (issue 9); what it
   * answers later is ignored, and the overrun is reported.
   */
  async replacementFor(error: Error, timeoutMs: number): Promise<TokenInput | undefined> {
    const hook = this.#options.onRefreshFailed;
    if (hook === undefined) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const answer = Promise.resolve().then(() => hook(error));
      // Waiters await this timer, so it is not unref()'d (DESIGN rule 3).
      const overrun = new Promise<typeof OVERRUN>((resolve) => (timer = setTimeout(() => resolve(OVERRUN), timeoutMs)));
      const result = await Promise.race([answer, overrun]);
      if (result !== OVERRUN) return result ?? undefined;
      answer.catch((late: unknown) => this.report(late));
      this.report(
        new TokenRefreshError(ErrorCode.REFRESH_TIMEOUT, `onRefreshFailed did not settle within ${timeoutMs} ms; the waiters reject`),
      );
      return undefined;
    } catch (hookError) {
      this.report(hookError);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  report(error: unknown): void {
    if (wants(this.#events, 'background-error')) emit(this.#events, { type: 'background-error', error: eventError(error) });
    const hook = this.#options.onBackgroundError;
    if (hook === undefined) return;
    try {
      hook(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // A reporting hook that throws has nowhere left to report to; never let it reach a request.
    }
  }
}
