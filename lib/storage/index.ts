export type { TokenStorage } from '../core/token-storage.js';
export { memoryStorage } from './memory-storage.js';
export {
  browserStorage,
  DEFAULT_BROWSER_DATABASE_NAME,
  DEFAULT_REFRESH_TOKEN_WAIT_MS,
  type BrowserStorageOptions,
  type BrowserTokenStorage,
} from './browser-storage.js';
export { redisStorage, type RedisTokenStorage } from './redis-storage.js';
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_LOCK_TTL_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  type RedisStorageOptions,
} from './redis-options.js';
export type { IoRedisClientLike, NodeRedisClientLike, RedisClientLike } from './redis-client.js';
