import type { TokenManagerOptions } from './options.js';
import type { Token, TokenInput } from './token.js';

/**
 * The user's hooks, called so that none of them can break a request: a hook that throws or rejects is reported
 * to `onBackgroundError`, and never becomes an unhandled rejection (axios-auth-refresh 5.0.0 changelog).
 */
export class Hooks {
  readonly #options: Pick<TokenManagerOptions, 'onTokenUpdate' | 'onRefreshFailed' | 'onBackgroundError'>;

  constructor(options: Pick<TokenManagerOptions, 'onTokenUpdate' | 'onRefreshFailed' | 'onBackgroundError'>) {
    this.#options = options;
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

  /** What `onRefreshFailed` offers instead of the failed refresh, or `undefined` for nothing (or a throw). */
  async replacementFor(error: Error): Promise<TokenInput | undefined> {
    const hook = this.#options.onRefreshFailed;
    if (hook === undefined) return undefined;
    try {
      return (await hook(error)) ?? undefined;
    } catch (hookError) {
      this.report(hookError);
      return undefined;
    }
  }

  report(error: unknown): void {
    const hook = this.#options.onBackgroundError;
    if (hook === undefined) return;
    try {
      hook(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // A reporting hook that throws has nowhere left to report to; never let it reach a request.
    }
  }
}
