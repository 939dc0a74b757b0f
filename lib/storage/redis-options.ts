import { isRedisClient, type RedisClientLike } from './redis-client.js';
import { MAX_TIMER_MS, optionalBoolean, requireString } from '../core/validate.js';

/** Options of {@link redisStorage}. */
export interface RedisStorageOptions {
  /**
   * Your client: ioredis (v5+) or node-redis (`redis` v4+), connected by you. The storage never connects, quits
   * or reconfigures it; pub/sub runs on a `duplicate()` of it.
   */
  client: RedisClientLike;
  /**
   * The Redis key holding the token, shared by every process that should share it: one key per client id,
   * scope and authorization server. The lock lives at `${key}:lock`, change messages on channel `${key}:events`.
   */
  key: string;
  /**
   * The lock's lease: how long it outlives a holder that died. A live holder extends it every third of this while
   * its refresh runs; waiters take over at the latest this long after the holder's process died. A holder stalled
   * for longer than about two thirds of it (blocked event loop, GC pause, Redis unreachable) loses the lease, and its
   * writes are refused; raise it where such stalls are expected.
   * @default 2000
   */
  lockTtlMs?: number;
  /**
   * Store the refresh token in Redis too. With `false` only the access token is shared: other processes adopt
   * it but cannot refresh with it, so each one needs its own refresh token (or a grant without one, such as
   * client credentials), and a rotating refresh token stays in the process that redeemed it.
   * @default true
   */
  storeRefreshToken?: boolean;
  /**
   * A waiter checks the lock at least this often. Pub/sub wakes it as soon as the lock is released; polling
   * covers a holder that died, a missed message and clients that cannot `duplicate()`.
   * @default 100
   */
  pollIntervalMs?: number;
  /**
   * Give up waiting for the lock after this long: `withLock()` rejects and the token manager refreshes locally.
   * @default 30000
   */
  waitTimeoutMs?: number;
  /**
   * Reject any Redis command not answered within this long. Both clients queue commands while Redis is away;
   * the rejection is what lets requests fall back to a local refresh instead of waiting for Redis.
   * @default 1000
   */
  commandTimeoutMs?: number;
}

export const DEFAULT_LOCK_TTL_MS = 2_000;
export const DEFAULT_POLL_INTERVAL_MS = 100;
export const DEFAULT_WAIT_TIMEOUT_MS = 30_000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;

export type ResolvedRedisStorageOptions = Required<RedisStorageOptions>;

/** Fails fast, naming the option that is wrong. */
export function validateRedisStorageOptions(options: RedisStorageOptions, path = 'options'): ResolvedRedisStorageOptions {
  if (options === null || typeof options !== 'object') throw new TypeError(`"${path}" must be an object`);
  if (!isRedisClient(options.client)) {
    throw new TypeError(`"${path}.client" must be an ioredis or node-redis client (with call() or sendCommand())`);
  }
  requireString(options.key, `${path}.key`);
  optionalBoolean(options.storeRefreshToken, `${path}.storeRefreshToken`);
  return {
    client: options.client,
    key: options.key,
    storeRefreshToken: options.storeRefreshToken ?? true,
    lockTtlMs: milliseconds(options.lockTtlMs, DEFAULT_LOCK_TTL_MS, `${path}.lockTtlMs`),
    pollIntervalMs: milliseconds(options.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS, `${path}.pollIntervalMs`),
    waitTimeoutMs: milliseconds(options.waitTimeoutMs, DEFAULT_WAIT_TIMEOUT_MS, `${path}.waitTimeoutMs`),
    commandTimeoutMs: milliseconds(options.commandTimeoutMs, DEFAULT_COMMAND_TIMEOUT_MS, `${path}.commandTimeoutMs`),
  };
}

/**
 * Redis `PX` takes a positive integer; fractions and zero are rejected here rather than by Redis later. Every one of
 * these also feeds a timer, which fires at once above MAX_TIMER_MS (issue 9: `commandTimeoutMs: 2 ** 31` failed
 * every command).
 */
function milliseconds(value: unknown, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`"${path}" must be a number`);
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_TIMER_MS) {
    throw new RangeError(`"${path}" must be a positive integer of milliseconds, at most ${MAX_TIMER_MS}`);
  }
  return value;
}
