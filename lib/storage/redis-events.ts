import type { Token } from '../core/token.js';
import { abortReason } from '../core/abortable.js';
import { decodeEvent, encodeEvent, type RedisEvent } from './redis-codec.js';
import type { RedisCommands, RedisSubscription } from './redis-client.js';

/**
 * The `${key}:events` channel: one subscriber connection per storage, opened while someone needs it (a
 * `subscribe()` listener or a lock waiter) and closed when nobody does, so an idle storage holds no extra socket.
 * Every message wakes lock waiters; only tokens written by another storage reach listeners.
 */
export class RedisEvents {
  readonly #commands: RedisCommands;
  readonly #channel: string;
  readonly #self: string;
  readonly #listeners = new Set<(token: Token | null) => void>();
  readonly #wakers = new Set<() => void>();
  #users = 0;
  #subscription: RedisSubscription | null = null;
  /** Messages received so far: a waiter compares it with what it saw before trying the lock, so none is missed. */
  #received = 0;

  constructor(commands: RedisCommands, channel: string, self: string) {
    this.#commands = commands;
    this.#channel = channel;
    this.#self = self;
  }

  /** False when the client cannot `duplicate()`: waiters then poll. */
  get available(): boolean {
    return this.#commands.subscribe !== undefined;
  }

  get received(): number {
    return this.#received;
  }

  /** Holds the subscriber connection open; resolves once subscribed. Pair every call with {@link release}. */
  acquire(): Promise<void> {
    this.#users++;
    if (this.#subscription === null && this.#commands.subscribe !== undefined) {
      const subscription = this.#commands.subscribe(this.#channel, (message) => this.#onMessage(message));
      this.#subscription = subscription;
      // A failed connection is forgotten, so the next user tries again (Redis may be back by then).
      subscription.ready.catch(() => {
        if (this.#subscription === subscription) this.#subscription = null;
      });
    }
    return this.#subscription?.ready ?? Promise.resolve();
  }

  release(): void {
    this.#users = Math.max(0, this.#users - 1);
    if (this.#users > 0 || this.#subscription === null) return;
    this.#subscription.close();
    this.#subscription = null;
  }

  /** Drops every listener and closes the connection; lock waiters carry on by polling. */
  close(): void {
    this.#listeners.clear();
    this.#users = 1;
    this.release();
  }

  /** Calls `listener` with tokens other storages write or delete. */
  listen(listener: (token: Token | null) => void): () => void {
    const own = (token: Token | null): void => listener(token);
    this.#listeners.add(own);
    this.acquire().catch(() => undefined); // best effort: the re-read under the lock is the guarantee
    return () => {
      if (this.#listeners.delete(own)) this.release();
    };
  }

  publish(type: RedisEvent['type'], token: Token | null, timeoutMs: number): Promise<unknown> {
    return this.#commands.run(['PUBLISH', this.#channel, this.message(type, token)], timeoutMs);
  }

  message(type: RedisEvent['type'], token: Token | null): string {
    return encodeEvent({ from: this.#self, type, token });
  }

  /**
   * Resolves at the first message after the `seen`-th, or after `ms`; rejects with the signal's reason when it
   * aborts. The timer is `unref()`'d: a wait never keeps a process alive on its own.
   */
  wait(seen: number, ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.#received !== seen) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        signal.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const wake = (): void => finish();
      const onAbort = (): void => finish(abortReason(signal));
      const timer = setTimeout(wake, ms);
      (timer as { unref?: () => void }).unref?.();
      this.#wakers.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #onMessage(text: string): void {
    const event = decodeEvent(text);
    if (event === null) return;
    this.#received++;
    for (const wake of [...this.#wakers]) wake();
    if (event.from === this.#self || event.type === 'unlock') return;
    if (event.type === 'set' && event.token === null) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(event.token);
      } catch {
        // A listener's failure is its own; the other listeners and the connection carry on.
      }
    }
  }
}
