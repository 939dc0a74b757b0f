import { abortReason } from '../core/abortable.js';
import { sinkFor } from '../core/event-sink.js';
import { lockEvents, type LockEvents } from './lock-events.js';
import type { RedisCommands } from './redis-client.js';
import type { RedisEvents } from './redis-events.js';

/*
 * The cross-process lock: a lease, `SET lockKey owner NX PX lockTtlMs`, with a random owner per acquisition so that
 * only the holder can extend or release it (compare-and-extend, compare-and-delete in Lua, atomic in Redis). A live
 * holder extends its lease every third of `lockTtlMs`; one that dies stops, and its lease expires at most
 * `lockTtlMs` later, when a waiter (polling every `pollIntervalMs`) takes over. The lease is short (2 s by default)
 * so that a crash mid-refresh stalls the other processes for about that long, not for a refresh timeout (issue 9).
 *
 * What a short lease costs, and what protects against two refreshes at once: a holder that stalls for longer than
 * about two thirds of `lockTtlMs` (event loop blocked, a long GC pause, Redis unreachable from it) loses its lease,
 * and another process may take over and refresh while the stalled one's token request is still in flight. With a
 * rotating refresh token both redeem the same one, which the authorization server may answer by revoking the token
 * family (RFC 9700 §4.14.2). No lock can recall a request already sent; what the lock does guarantee is the fence:
 * the holder's writes go through only after a compare-and-extend on its owner id succeeded, so a holder that lost
 * its lease cannot overwrite the token of the process that took over (its own token serves its own process only).
 * Where stalls of a second or more are expected, raise `lockTtlMs`: it only lengthens the takeover after a crash.
 */

/** Deletes the lock only if `owner` still holds it, and tells waiters at once. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('del', KEYS[1])
  redis.call('publish', ARGV[2], ARGV[3])
  return 1
end
return 0`;

/** Extends the lock only if `owner` still holds it: a holder whose lock expired must not take it back. */
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0`;

export interface RedisLockSettings {
  lockKey: string;
  channel: string;
  lockTtlMs: number;
  pollIntervalMs: number;
  waitTimeoutMs: number;
  commandTimeoutMs: number;
}

export class RedisLock {
  readonly #commands: RedisCommands;
  readonly #events: RedisEvents;
  readonly #settings: RedisLockSettings;
  /** The owner id of the lease this storage holds right now (one at a time: Redis grants it to one owner). */
  #owner: string | null = null;
  readonly #runs = new Set<Promise<unknown>>();
  readonly #closing = new AbortController();
  /** Set once `close()` has waited long enough: a holder still running stops extending its lease. */
  #stopExtending = false;

  constructor(commands: RedisCommands, events: RedisEvents, settings: RedisLockSettings) {
    this.#commands = commands;
    this.#events = events;
    this.#settings = settings;
  }

  /** Runs `fn` holding the lock; releases it however `fn` settles. Rejects at once once closed. */
  run<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const running = this.#run(fn, signal);
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    this.#runs.add(settled);
    void settled.then(() => this.#runs.delete(settled));
    return running;
  }

  /**
   * The fence of a write under the lock: while this storage holds the lock, the write may go ahead only once a
   * compare-and-extend proved the lease is still ours (and gave the write a whole lease to land in).
   */
  async confirmHeld(): Promise<void> {
    const owner = this.#owner;
    if (owner === null) return;
    if ((await this.#extend(owner)) !== 1) {
      const { lockKey, lockTtlMs } = this.#settings;
      throw new Error(
        `redisStorage: the lock "${lockKey}" expired while held (not extended within lockTtlMs = ${lockTtlMs} ms); ` +
          'the write was refused so that it cannot overwrite the token of the process that took over',
      );
    }
  }

  /**
   * Aborts every wait for the lock, refuses new ones, and gives a holder still running up to `lockTtlMs` to finish
   * and release (so that a refresh in flight can still store its token); past that it stops extending, and the
   * lease expires by itself. Resolves within `lockTtlMs + commandTimeoutMs`, Redis up or down.
   */
  async close(): Promise<void> {
    this.#closing.abort(new Error('redisStorage: closed'));
    if (this.#runs.size === 0) return;
    const { lockTtlMs, commandTimeoutMs } = this.#settings;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, lockTtlMs + commandTimeoutMs)));
    const graceOver = setTimeout(() => (this.#stopExtending = true), lockTtlMs);
    await Promise.race([Promise.all(this.#runs), bound]);
    clearTimeout(timer);
    clearTimeout(graceOver);
    this.#stopExtending = true;
  }

  async #run<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const waiting = eitherSignal(signal, this.#closing.signal);
    let owner: string;
    try {
      owner = await this.#acquire(waiting.signal, lockEvents(sinkFor(signal), this.#events));
    } finally {
      waiting.dispose();
    }
    this.#owner = owner;
    const stopExtending = this.#keepAlive(owner, signal);
    try {
      return await fn();
    } finally {
      stopExtending();
      if (this.#owner === owner) this.#owner = null;
      // A release that fails (Redis away) only delays the next holder until the lock expires; fn's result stands.
      await this.#release(owner).catch(() => undefined);
    }
  }

  async #acquire(signal: AbortSignal, events: LockEvents): Promise<string> {
    signal.throwIfAborted();
    // The Web Crypto global (Node 20+, browsers): no `node:` import, so bundles that reach this file still build.
    const owner = crypto.randomUUID();
    try {
      if (await this.#tryLock(owner)) events.acquired();
      else await this.#waitTurn(owner, signal, events);
      return owner;
    } catch (error) {
      // A SET that timed out may still run once Redis answers: this release queues behind it and undoes it.
      this.#release(owner).catch(() => undefined);
      throw error;
    }
  }

  async #waitTurn(owner: string, signal: AbortSignal, events: LockEvents): Promise<void> {
    const { pollIntervalMs, waitTimeoutMs, lockKey } = this.#settings;
    const deadline = Date.now() + waitTimeoutMs;
    // Not awaited: until the subscription is up, polling alone bounds how long a release goes unnoticed.
    this.#events.acquire().catch(() => undefined);
    events.waiting();
    try {
      for (;;) {
        const seen = this.#events.received;
        if (await this.#tryLock(owner)) return events.acquired();
        signal.throwIfAborted();
        const leftMs = deadline - Date.now();
        if (leftMs <= 0) throw new Error(`redisStorage: the lock "${lockKey}" was not released within ${waitTimeoutMs} ms`);
        await this.#events.wait(seen, Math.min(pollIntervalMs, leftMs), signal);
      }
    } finally {
      this.#events.release();
    }
  }

  async #tryLock(owner: string): Promise<boolean> {
    const { lockKey, lockTtlMs, commandTimeoutMs } = this.#settings;
    const reply = await this.#commands.run(['SET', lockKey, owner, 'PX', String(lockTtlMs), 'NX'], commandTimeoutMs);
    return reply === 'OK';
  }

  #extend(owner: string): Promise<unknown> {
    const { lockKey, lockTtlMs, commandTimeoutMs } = this.#settings;
    return this.#commands.run(['EVAL', EXTEND, '1', lockKey, owner, String(lockTtlMs)], commandTimeoutMs);
  }

  #keepAlive(owner: string, signal: AbortSignal): () => void {
    const stop = (): void => clearInterval(timer);
    const timer = setInterval(
      () => {
        // A refresh its manager gave up on must not hold every other process back: let the lock expire.
        if (signal.aborted || this.#stopExtending) return stop();
        this.#extend(owner).then(
          (reply) => reply === 0 && stop(), // lost (expired, maybe taken over): never take it back
          () => undefined,
        );
      },
      Math.max(1, Math.floor(this.#settings.lockTtlMs / 3)),
    );
    (timer as { unref?: () => void }).unref?.();
    return stop;
  }

  #release(owner: string): Promise<unknown> {
    const { lockKey, channel, commandTimeoutMs } = this.#settings;
    const args = ['EVAL', RELEASE, '1', lockKey, owner, channel, this.#events.message('unlock', null)];
    // Always sent: it must queue behind a SET that timed out but may still run once Redis is back.
    return this.#commands.run(args, commandTimeoutMs, true);
  }
}

/** A signal that aborts when either does, with the first one's reason (`AbortSignal.any` needs Node 20.3). */
function eitherSignal(a: AbortSignal, b: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onA = (): void => controller.abort(abortReason(a));
  const onB = (): void => controller.abort(abortReason(b));
  if (a.aborted) onA();
  else if (b.aborted) onB();
  a.addEventListener('abort', onA, { once: true });
  b.addEventListener('abort', onB, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      a.removeEventListener('abort', onA);
      b.removeEventListener('abort', onB);
    },
  };
}
