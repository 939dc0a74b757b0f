import Redis from 'ioredis';
import { createClient } from 'redis';
import type { RedisClientLike } from '../../lib/storage/redis-client';
import { startRedisServer, type RedisServer } from './redis-server';

export { deferred } from './fake-api';

/** The two client libraries `redisStorage` supports; suites run once with each. */
export const CLIENT_KINDS = ['ioredis', 'redis'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export interface TestClient {
  readonly kind: ClientKind;
  /** The library's own client object, as a user would pass it. */
  readonly client: RedisClientLike;
  /** Runs a raw command, e.g. `['PTTL', key]`. */
  command(args: string[]): Promise<unknown>;
}

/** Opens clients and closes every one of them (and their duplicates' owners) at `closeAll()`. */
export class ClientPool {
  readonly #closers: (() => Promise<void> | void)[] = [];

  async open(kind: ClientKind, url: string): Promise<TestClient> {
    return kind === 'ioredis' ? this.#ioredis(url) : this.#nodeRedis(url);
  }

  async closeAll(): Promise<void> {
    const closers = this.#closers.splice(0);
    await Promise.all(closers.map(async (close) => close()));
  }

  async #ioredis(url: string): Promise<TestClient> {
    const client = new Redis(url, { lazyConnect: true });
    client.on('error', () => undefined); // the outage tests drop the connection on purpose
    this.#closers.push(() => client.disconnect());
    await client.connect();
    return { kind: 'ioredis', client, command: ([name, ...args]) => client.call(name!, ...args) };
  }

  async #nodeRedis(url: string): Promise<TestClient> {
    const client = createClient({ url });
    client.on('error', () => undefined); // node-redis throws unheard 'error' events; the outage tests cause some
    this.#closers.push(() => {
      if (client.isOpen) client.destroy();
    });
    await client.connect();
    return { kind: 'redis', client, command: (args) => client.sendCommand(args) };
  }
}

/** A key no other test uses. */
export function uniqueKey(label: string): string {
  return `test:${label}:${Math.random().toString(36).slice(2)}`;
}

/** Resolves once `check` holds, trying every 10 ms; rejects with `what` after `limitMs` so a test fails, not hangs. */
export async function eventually(check: () => Promise<boolean> | boolean, what: string, limitMs = 5_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Registers the hooks of a suite that needs one redis-server and clients to it: the server starts once, every
 * client opened through `pool` closes after each test, and the server stops at the end.
 */
export function useRedis(binary: () => string): { readonly server: RedisServer; readonly pool: ClientPool } {
  let server: RedisServer | undefined;
  const pool = new ClientPool();
  beforeAll(async () => {
    server = await startRedisServer(binary());
  });
  afterEach(() => pool.closeAll());
  afterAll(() => server?.stop());
  return {
    pool,
    get server(): RedisServer {
      if (server === undefined) throw new Error('redis-server has not started');
      return server;
    },
  };
}
