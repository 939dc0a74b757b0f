import Redis from 'ioredis';
import { createClient } from 'redis';
import { redisStorage } from '../../lib/storage/redis-storage';
import { TokenManager } from '../../lib/core/token-manager';
import { deferred, eventually, uniqueKey, useRedis } from '../support/redis-clients';
import { describeWithRedis } from '../support/redis-server';

const never = (): AbortSignal => new AbortController().signal;

/** The README's shutdown: `quit()` waits for Redis (for ever while it is down and commands are queued); bound it. */
async function quitWithin(client: { quit(): Promise<unknown>; disconnect(): unknown }, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([client.quit().catch(() => undefined), deadline]);
  clearTimeout(timer);
  await client.disconnect();
}

describeWithRedis('redisStorage: shutting down while Redis is down', (binary) => {
  const host = useRedis(binary);
  afterEach(() => host.server.start());

  const open = async (kind: 'ioredis' | 'redis') => {
    if (kind === 'ioredis') {
      const client = new Redis(host.server.url, { lazyConnect: true });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    }
    const client = createClient({ url: host.server.url });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };

  it.each(['ioredis', 'redis'] as const)(
    'regression: the documented shutdown hung with Redis stopped (%s); now storage.close() and a bounded quit settle',
    async (kind) => {
      const client = await open(kind);
      const key = uniqueKey('shutdown');
      const storage = redisStorage({ client, key, commandTimeoutMs: 200 });
      const holder = redisStorage({ client: (await host.pool.open(kind, host.server.url)).client, key });
      storage.subscribe!(() => undefined);
      const held = deferred<void>();
      const holding = holder.withLock(() => held.promise, never());
      await eventually(async () => (await storage.get()) === null && (await holder.get()) === null, 'both storages to answer');
      const waiting = storage.withLock(async () => 'ran', never()); // a wait for the lock, to be aborted by close()
      await host.server.stop();
      await expect(storage.get()).rejects.toThrow('did not answer'); // leaves a command queued in the client

      await expect(storage.close()).resolves.toBeUndefined();
      await expect(waiting).rejects.toThrow(/redisStorage: (closed|Redis did not answer)/); // settled, not left polling
      await expect(quitWithin(client as never, 500)).resolves.toBeUndefined();
      held.resolve();
      await holding;
    },
    15_000,
  );

  it('close() waits for a refresh running under the lock to release it, for at most lockTtlMs', async () => {
    const { client, command } = await host.pool.open('ioredis', host.server.url);
    const key = uniqueKey('close-holder');
    const storage = redisStorage({ client, key, lockTtlMs: 300 });
    const held = deferred<void>();
    const holding = storage.withLock(() => held.promise, never());
    await eventually(async () => (await command(['GET', `${key}:lock`])) !== null, 'the lock');
    let closed = false;
    const closing = storage.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    held.resolve();
    await Promise.all([holding, closing]);
    expect(await command(['GET', `${key}:lock`])).toBeNull();
    // and a holder that never finishes: close() still settles, the lease lapses by itself
    const stuck = redisStorage({ client, key, lockTtlMs: 300 });
    void stuck.withLock(() => new Promise<never>(() => undefined), never());
    await eventually(async () => (await command(['GET', `${key}:lock`])) !== null, 'the stuck lock');
    await stuck.close();
    await eventually(async () => (await command(['GET', `${key}:lock`])) === null, 'the lease to lapse', 2_000);
  });

  it.each(['ioredis', 'redis'] as const)('reports a failed write and a failed delete to onBackgroundError (%s)', async (kind) => {
    const { client } = await host.pool.open(kind, host.server.url);
    const storage = redisStorage({ client, key: uniqueKey('write-fails'), commandTimeoutMs: 200 });
    const reported: string[] = [];
    const manager = new TokenManager({ fetchToken: jest.fn(), storage, onBackgroundError: (e) => reported.push(e.message) });
    await host.server.stop();

    manager.setToken({ accessToken: 'signed-in', expiresIn: 3600 });
    await eventually(() => reported.length === 1, 'the failed write to be reported');
    expect(reported[0]).toMatch(/^redisStorage: Redis did not answer SET/);
    expect(manager.token?.accessToken).toBe('signed-in');
    manager.clear();
    await eventually(() => reported.length === 2, 'the failed delete to be reported');
    expect(reported[1]).toMatch(/^redisStorage: Redis did not answer/);
    manager.dispose();
    await storage.close();
  });
});
