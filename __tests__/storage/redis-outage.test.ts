import { redisStorage } from '../../lib/storage/redis-storage';
import { TokenManager } from '../../lib/core/token-manager';
import { CLIENT_KINDS, eventually, uniqueKey, useRedis } from '../support/redis-clients';
import { describeWithRedis } from '../support/redis-server';

const never = (): AbortSignal => new AbortController().signal;

/** Resolves once the storage's client answers again after the server came back. */
const reconnected = (storage: { get(): Promise<unknown> }): Promise<void> =>
  eventually(
    () =>
      storage.get().then(
        () => true,
        () => false,
      ),
    'the client to reconnect',
    10_000,
  );

describeWithRedis('redisStorage while Redis is down', (binary) => {
  const host = useRedis(binary);
  const { pool } = host;
  afterEach(() => host.server.start()); // a test that failed half-way may have left it stopped

  describe.each(CLIENT_KINDS)('with %s', (kind) => {
    it('rejects a command Redis does not answer within commandTimeoutMs, then works again once Redis is back', async () => {
      const { client } = await pool.open(kind, host.server.url);
      const storage = redisStorage({ client, key: uniqueKey('outage'), commandTimeoutMs: 200 });
      await host.server.stop();

      await expect(storage.get()).rejects.toThrow('redisStorage: Redis did not answer GET within 200 ms');
      // Right after a timeout the next command fails at once: a refresh is delayed by one timeout, not three.
      await expect(storage.get()).rejects.toThrow('redisStorage: Redis did not answer recently; GET not sent');

      await host.server.start();
      await reconnected(storage);
      await expect(storage.get()).resolves.toBeNull();
    });

    it('rejects withLock without running fn, and leaves no lock behind once Redis is back', async () => {
      const { client, command } = await pool.open(kind, host.server.url);
      const key = uniqueKey('outage-lock');
      const storage = redisStorage({ client, key, commandTimeoutMs: 200 });
      const fn = jest.fn(async () => 'ran');
      await host.server.stop();
      await expect(storage.withLock(fn, never())).rejects.toThrow('redisStorage: Redis did not answer SET within 200 ms');
      expect(fn).not.toHaveBeenCalled();

      await host.server.start();
      await reconnected(storage);
      // The SET that timed out may have run on reconnect; the release queued behind it must have undone it.
      expect(await command(['GET', `${key}:lock`])).toBeNull();
    });

    it('lets the token manager refresh locally and report the failure', async () => {
      const { client } = await pool.open(kind, host.server.url);
      const reported: Error[] = [];
      const fetchToken = jest.fn(async () => ({ accessToken: 'local', expiresIn: 3600 }));
      const storage = redisStorage({ client, key: uniqueKey('outage-manager'), commandTimeoutMs: 200 });
      const manager = new TokenManager({ fetchToken, storage, onBackgroundError: (error) => reported.push(error) });
      await host.server.stop();

      await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 'local' });
      manager.dispose();
      await storage.close();
      expect(fetchToken).toHaveBeenCalledTimes(1);
      expect(reported.length).toBeGreaterThan(0);
      expect(reported[0]!.message).toMatch(/^redisStorage: Redis did not answer/);
    });
  });
});
