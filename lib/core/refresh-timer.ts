/** setTimeout's delay is a signed 32-bit integer; beyond it Node fires at once (and warns), a refresh loop. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * One re-armable, `unref()`'d timer for the keep-fresh refresh. Long delays are split into steps that fit
 * setTimeout, so a token that lives a year does not fire at once (keycloak-js #107, directus #4054).
 */
export class RefreshTimer {
  readonly #onDue: () => void;
  #handle: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;

  constructor(onDue: () => void) {
    this.#onDue = onDue;
  }

  /** (Re)arms the timer to fire after `delayMs` (clamped to at least 0). */
  schedule(delayMs: number): void {
    this.stop();
    if (this.#disposed) return;
    const delay = Math.max(0, delayMs);
    const step = Math.min(delay, MAX_TIMEOUT_MS);
    this.#handle = setTimeout(() => {
      this.#handle = undefined;
      if (delay > step) this.schedule(delay - step);
      else this.#onDue();
    }, step);
    // A token refresh timer must never keep a Node process alive (supabase/auth-js #100).
    (this.#handle as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  /** Stops the timer for good: later `schedule()` calls do nothing. */
  dispose(): void {
    this.#disposed = true;
    this.stop();
  }
}
