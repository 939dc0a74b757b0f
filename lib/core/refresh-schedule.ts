import { RefreshTimer } from './refresh-timer.js';
import type { Token } from './token.js';

/** What the lock may do with its current token right now. */
export type TokenVerdict = 'use' | 'use-and-renew' | 'wait';

/**
 * When the current token is renewed: the timing half of the lock (the rules are in token-manager.ts's header). It
 * knows the instants (refresh due, last fetch, next retry) and owns the keep-fresh timer; the lock owns the token.
 */
export class RefreshSchedule {
  readonly #bufferMs: number;
  readonly #minIntervalMs: number;
  readonly #retryIntervalMs: number;
  readonly #timer: RefreshTimer | undefined;
  /** The token may be handed out without a check until this instant (epoch ms). Read on the hot path. */
  refreshAt = Infinity;
  #lastFetchAt = -Infinity;
  #retryAt = -Infinity;
  /** The current token was already expired when it was installed: only the min interval paces its refreshes. */
  #arrivedExpired = false;

  /** @param onDue the keep-fresh timer's callback; without one there is no timer. */
  constructor(options: { bufferMs: number; minIntervalMs: number; retryIntervalMs: number; onDue?: () => void }) {
    this.#bufferMs = options.bufferMs;
    this.#minIntervalMs = options.minIntervalMs;
    this.#retryIntervalMs = options.retryIntervalMs;
    if (options.onDue !== undefined) this.#timer = new RefreshTimer(options.onDue);
  }

  /** A call to the token source starts now. */
  fetchStarted(now: number): void {
    this.#lastFetchAt = now;
  }

  /** `token` became the current token: when is it due, and when does keep-fresh wake up for it. */
  installed(token: Token, now: number): void {
    this.refreshAt = this.#refreshAtOf(token);
    this.#arrivedExpired = token.expiresAt !== undefined && now >= token.expiresAt;
    if (this.#timer === undefined || token.expiresAt === undefined) return;
    let due = Math.max(this.refreshAt, this.#lastFetchAt + this.#minIntervalMs);
    // A token that arrived valid is renewed at its expiry at the latest, whatever the min interval says.
    if (!this.#arrivedExpired) due = Math.min(due, token.expiresAt);
    this.#timer.schedule(due - now);
  }

  /** There is no current token any more. */
  dropped(): void {
    this.refreshAt = Infinity;
    this.#timer?.stop();
  }

  /**
   * The slow half of `peek()`: `token` is past `refreshAt` or the clock went back past its issue.
   * @param refreshing an attempt is in flight.
   */
  verdict(token: Token, now: number, refreshing: boolean): TokenVerdict {
    const clockWentBack = now < token.obtainedAt;
    const expired = token.expiresAt !== undefined && now >= token.expiresAt;
    if (!clockWentBack && !expired) return refreshing || !this.mayRenewInBackground(now) ? 'use' : 'use-and-renew';
    // An expired token would only come back as a 401: callers wait for a refresh (joining one costs nothing).
    // Only a source whose tokens arrive already expired gets its expired token sent, until the min interval lets
    // the next fetch go (no loop on `expires_in: 0`).
    if (refreshing || !this.#arrivedExpired || this.#mayFetchForExpiry(now)) return 'wait';
    return 'use';
  }

  /** A background refresh may start: the min interval has passed and no failed one asks to wait longer. */
  mayRenewInBackground(now: number): boolean {
    return this.#mayFetchForExpiry(now) && now >= this.#retryAt;
  }

  /** A refresh failed while the token still works: the next background try waits `retryIntervalMs`. */
  failedWhileValid(now: number): void {
    this.#retryAt = now + this.#retryIntervalMs;
    this.#timer?.schedule(this.#retryIntervalMs);
  }

  /** Stops the keep-fresh timer for good. */
  dispose(): void {
    this.#timer?.dispose();
  }

  #mayFetchForExpiry(now: number): boolean {
    // A clock turned back past the last fetch must not lock refreshes out until it catches up.
    return now - this.#lastFetchAt >= this.#minIntervalMs || now < this.#lastFetchAt;
  }

  #refreshAtOf(token: Token): number {
    if (token.expiresAt === undefined) return Infinity;
    // Clamped to half the lifetime, so a token shorter than the buffer cannot loop.
    const lifetime = Math.max(0, token.expiresAt - token.obtainedAt);
    return token.expiresAt - Math.min(this.#bufferMs, lifetime / 2);
  }
}
