import type { RedisCommands } from './redis-client.js';
import type { RedisEvents } from './redis-events.js';

/*
 * The cross-process lock: `SET lockKey owner NX PX lockTtlMs`, with a random owner per acquisition so that only
 * the holder can extend or release it (compare-and-delete in Lua, atomic in Redis). A holder that lives extends
 * the lock while its refresh runs; one that dies stops extending, and the lock expires after `lockTtlMs`.
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

  constructor(commands: RedisCommands, events: RedisEvents, settings: RedisLockSettings) {
    this.#commands = commands;
    this.#events = events;
    this.#settings = settings;
  }

  /** Runs `fn` holding the lock; releases it however `fn` settles. */
  async run<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const owner = await this.#acquire(signal);
    const stopExtending = this.#keepAlive(owner, signal);
    try {
      return await fn();
    } finally {
      stopExtending();
      // A release that fails (Redis away) only delays the next holder until the lock expires; fn's result stands.
      await this.#release(owner).catch(() => undefined);
    }
  }

  async #acquire(signal: AbortSignal): Promise<string> {
    signal.throwIfAborted();
    // The Web Crypto global (Node 20+, browsers): no `node:` import, so bundles that reach this file still build.
    const owner = crypto.randomUUID();
    try {
      if (!(await this.#tryLock(owner))) await this.#waitTurn(owner, signal);
      return owner;
    } catch (error) {
      // A SET that timed out may still run once Redis answers: this release queues behind it and undoes it.
      this.#release(owner).catch(() => undefined);
      throw error;
    }
  }

  async #waitTurn(owner: string, signal: AbortSignal): Promise<void> {
    const { pollIntervalMs, waitTimeoutMs, lockKey } = this.#settings;
    const deadline = Date.now() + waitTimeoutMs;
    // Not awaited: until the subscription is up, polling alone bounds how long a release goes unnoticed.
    this.#events.acquire().catch(() => undefined);
    try {
      for (;;) {
        const seen = this.#events.received;
        if (await this.#tryLock(owner)) return;
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

  #keepAlive(owner: string, signal: AbortSignal): () => void {
    const { lockKey, lockTtlMs, commandTimeoutMs } = this.#settings;
    const timer = setInterval(
      () => {
        // A refresh its manager gave up on must not hold every other process back: let the lock expire.
        if (signal.aborted) return clearInterval(timer);
        this.#commands.run(['EVAL', EXTEND, '1', lockKey, owner, String(lockTtlMs)], commandTimeoutMs).catch(() => undefined);
      },
      Math.max(1, Math.floor(lockTtlMs / 3)),
    );
    (timer as { unref?: () => void }).unref?.();
    return () => clearInterval(timer);
  }

  #release(owner: string): Promise<unknown> {
    const { lockKey, channel, commandTimeoutMs } = this.#settings;
    const args = ['EVAL', RELEASE, '1', lockKey, owner, channel, this.#events.message('unlock', null)];
    // Always sent: it must queue behind a SET that timed out but may still run once Redis is back.
    return this.#commands.run(args, commandTimeoutMs, true);
  }
}
