import type { Token } from '../core/token.js';
import { redisCommands } from './redis-client.js';
import { decodeToken, encodeToken } from './redis-codec.js';
import { RedisEvents } from './redis-events.js';
import { RedisLock } from './redis-lock.js';
import { validateRedisStorageOptions, type RedisStorageOptions } from './redis-options.js';
import type { TokenStorage } from '../core/token-storage.js';

/** The storage {@link redisStorage} returns: a {@link TokenStorage} with a lock, and `close()`. */
export interface RedisTokenStorage extends TokenStorage {
  get(): Promise<Token | null>;
  set(token: Token): Promise<void>;
  delete(): Promise<void>;
  withLock<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T>;
  /**
   * Closes the storage's own pub/sub connection, drops its listeners, aborts waits for the lock (a refresh then
   * goes on locally) and lets a refresh running under the lock finish and release it for up to `lockTtlMs` (past
   * that the lease expires by itself). Resolves within `lockTtlMs + commandTimeoutMs`, also while Redis is down;
   * never rejects. Call it before you quit your client: the pub/sub connection is a `duplicate()` of it and would
   * otherwise keep the process alive. Your client is untouched.
   */
  close(): Promise<void>;
}

/**
 * Shares one token, and one refresh per expiry, between every process (replica, worker, machine) that uses the
 * same Redis `key`. The token manager refreshes under a Redis lock and re-reads the key first, so when another
 * process refreshed already, the token is adopted and the token source is not called.
 *
 * What is stored where: the token JSON (access token, expiry, scope and, unless `storeRefreshToken` is `false`,
 * the refresh token) under `key`, expiring with the access token; a random lock owner id under `${key}:lock`;
 * the same token JSON on channel `${key}:events` when it changes. Anyone who can read that key or subscribe to
 * that channel can use the token: protect the Redis like the client secret.
 *
 * If Redis is down or slow (beyond `commandTimeoutMs`), the calls reject and the token manager falls back to a
 * local refresh, so requests keep working; processes then refresh on their own until Redis is back.
 * @example
 * import Redis from 'ioredis'; // or: import { createClient } from 'redis'; await client.connect();
 * const redis = new Redis(process.env.REDIS_URL);
 * redis.on('error', (error) => log.warn(`Redis: ${error.message}`)); // else ioredis prints every reconnect failure
 * const storage = redisStorage({ client: redis, key: 'oauth:orders-api' });
 * attachOAuth(api, { fetchToken: clientCredentials({ tokenUrl, clientId, clientSecret }), storage });
 * // on shutdown, bounded even while Redis is down (see the README for a quit with a deadline):
 * await storage.close();
 * @see RFC 6749 §6 (a rotated refresh token redeemed twice is what one shared refresh prevents)
 */
export function redisStorage(options: RedisStorageOptions): RedisTokenStorage {
  const o = validateRedisStorageOptions(options);
  const commands = redisCommands(o.client);
  const run = (args: string[]): Promise<unknown> => commands.run(args, o.commandTimeoutMs);
  const events = new RedisEvents(commands, `${o.key}:events`, crypto.randomUUID());
  const lock = new RedisLock(commands, events, {
    lockKey: `${o.key}:lock`,
    channel: `${o.key}:events`,
    lockTtlMs: o.lockTtlMs,
    pollIntervalMs: o.pollIntervalMs,
    waitTimeoutMs: o.waitTimeoutMs,
    commandTimeoutMs: o.commandTimeoutMs,
  });
  // Change messages only wake and inform; a lost one costs a poll or a refresh, never a wrong token.
  const announce = (type: 'set' | 'delete', token: Token | null): Promise<unknown> =>
    events.publish(type, token, o.commandTimeoutMs).catch(() => undefined);

  const storage: RedisTokenStorage = {
    async get() {
      return decodeToken(await run(['GET', o.key]));
    },
    async set(token) {
      await lock.confirmHeld();
      const value = encodeToken(token, o.storeRefreshToken);
      const ttlMs = token.expiresAt === undefined ? undefined : Math.ceil(token.expiresAt - Date.now());
      // An already expired token is nothing to share; keeping the older one would hand out something staler still.
      if (ttlMs !== undefined && ttlMs <= 0) {
        await run(['DEL', o.key]);
        return;
      }
      await run(ttlMs === undefined ? ['SET', o.key, value] : ['SET', o.key, value, 'PX', String(ttlMs)]);
      await announce('set', decodeToken(value));
    },
    async delete() {
      await lock.confirmHeld();
      await run(['DEL', o.key]);
      await announce('delete', null);
    },
    withLock: (fn, signal) => lock.run(fn, signal),
    async close() {
      const holders = lock.close();
      events.close();
      await holders;
    },
  };
  if (events.available) storage.subscribe = (listener) => events.listen(listener);
  // Shared by processes: attachOAuth refuses a per-process DPoP key with it (issue 11). Symbol.for: any package copy.
  Object.defineProperty(storage, Symbol.for('axios-oauth-lock.sharedAcrossProcesses'), { value: true });
  return storage;
}
