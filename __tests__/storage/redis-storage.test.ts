import { redisStorage } from '../../lib/storage/redis-storage';
import type { Token } from '../../lib/core/token';
import { CLIENT_KINDS, useRedis, eventually, uniqueKey, type TestClient } from '../support/redis-clients';
import { describeWithRedis } from '../support/redis-server';

const HOUR_MS = 3_600_000;

function token(fields: Partial<Token> = {}): Token {
  return {
    accessToken: 'at-1',
    tokenType: 'Bearer',
    obtainedAt: Date.now(),
    expiresAt: Date.now() + HOUR_MS,
    refreshToken: 'rt-1',
    scope: 'read',
    ...fields,
  };
}

describeWithRedis('redisStorage: the token under its key', (binary) => {
  const host = useRedis(binary);
  const { pool } = host;

  describe.each(CLIENT_KINDS)('with %s', (kind) => {
    let redis: TestClient;
    let key: string;
    beforeEach(async () => {
      redis = await pool.open(kind, host.server.url);
      key = uniqueKey('storage');
    });

    it('returns null when no token is stored', async () => {
      await expect(redisStorage({ client: redis.client, key }).get()).resolves.toBeNull();
    });

    it('stores the token as JSON that expires with the access token', async () => {
      const storage = redisStorage({ client: redis.client, key });
      const stored = token({ expiresAt: Date.now() + 60_000 });
      await storage.set(stored);

      await expect(storage.get()).resolves.toEqual(stored);
      expect(JSON.parse((await redis.command(['GET', key])) as string)).toEqual(stored);
      const ttlMs = Number(await redis.command(['PTTL', key]));
      expect(ttlMs).toBeGreaterThan(0);
      expect(ttlMs).toBeLessThanOrEqual(60_000);
    });

    it('stores a token without an expiry with no TTL', async () => {
      const storage = redisStorage({ client: redis.client, key });
      await storage.set(token({ expiresAt: undefined }));
      expect(Number(await redis.command(['PTTL', key]))).toBe(-1);
    });

    it('deletes the stored token rather than store one that has already expired', async () => {
      const storage = redisStorage({ client: redis.client, key });
      await storage.set(token({ accessToken: 'older' }));
      await storage.set(token({ accessToken: 'expired', expiresAt: Date.now() - 1 }));
      await expect(storage.get()).resolves.toBeNull();
    });

    it('deletes the token', async () => {
      const storage = redisStorage({ client: redis.client, key });
      await storage.set(token());
      await storage.delete();
      await expect(storage.get()).resolves.toBeNull();
      expect(await redis.command(['EXISTS', key])).toBe(0);
    });

    it.each([['not json'], ['{"accessToken":""}'], ['{"accessToken":"a","tokenType":"Bearer"}'], ['null']])(
      'reads a garbled value (%s) as no token',
      async (value) => {
        await redis.command(['SET', key, value]);
        await expect(redisStorage({ client: redis.client, key }).get()).resolves.toBeNull();
      },
    );

    it('keeps the refresh token out of Redis with storeRefreshToken: false', async () => {
      const storage = redisStorage({ client: redis.client, key, storeRefreshToken: false });
      await storage.set(token({ refreshToken: 'secret-refresh-token' }));

      expect(await redis.command(['GET', key])).not.toContain('secret-refresh-token');
      const read = await storage.get();
      expect(read).toMatchObject({ accessToken: 'at-1', scope: 'read' });
      expect(read).not.toHaveProperty('refreshToken');
    });

    it('tells subscribers about tokens another storage writes or deletes, not about its own', async () => {
      const writer = redisStorage({ client: redis.client, key });
      const reader = redisStorage({ client: (await pool.open(kind, host.server.url)).client, key });
      const heardByReader: (Token | null)[] = [];
      const heardByWriter: (Token | null)[] = [];
      const stopReader = reader.subscribe!((t) => heardByReader.push(t));
      const stopWriter = writer.subscribe!((t) => heardByWriter.push(t));
      await eventually(
        async () => Number(((await redis.command(['PUBSUB', 'NUMSUB', `${key}:events`])) as unknown[])[1]) === 2,
        'both subscriptions',
      );

      await writer.set(token({ accessToken: 'shared' }));
      await writer.delete();
      await eventually(() => heardByReader.length === 2, 'the reader to hear both changes');
      stopReader();
      stopWriter();

      expect(heardByReader).toEqual([expect.objectContaining({ accessToken: 'shared' }), null]);
      expect(heardByWriter).toEqual([]);
    });

    it('keeps the refresh token out of change messages with storeRefreshToken: false', async () => {
      const writer = redisStorage({ client: redis.client, key, storeRefreshToken: false });
      const heard: (Token | null)[] = [];
      const stop = redisStorage({ client: redis.client, key }).subscribe!((t) => heard.push(t));
      await eventually(
        async () => Number(((await redis.command(['PUBSUB', 'NUMSUB', `${key}:events`])) as unknown[])[1]) === 1,
        'the subscription',
      );

      await writer.set(token({ refreshToken: 'secret-refresh-token' }));
      await eventually(() => heard.length === 1, 'the change message');
      stop();

      expect(heard[0]).toMatchObject({ accessToken: 'at-1' });
      expect(heard[0]).not.toHaveProperty('refreshToken');
    });

    it('closes its subscriber connection when the last listener leaves', async () => {
      const storage = redisStorage({ client: redis.client, key });
      const numsub = async (): Promise<number> => Number(((await redis.command(['PUBSUB', 'NUMSUB', `${key}:events`])) as unknown[])[1]);
      const stop = storage.subscribe!(() => undefined);
      await eventually(async () => (await numsub()) === 1, 'the subscription');
      stop();
      await eventually(async () => (await numsub()) === 0, 'the subscriber connection to close');
    });
  });

  it('has no subscribe() when the client cannot duplicate() a connection', async () => {
    const { command } = await pool.open('ioredis', host.server.url);
    const storage = redisStorage({
      client: { call: (name: string, ...args: string[]) => command([name, ...args]) },
      key: uniqueKey('nodup'),
    });
    expect(storage.subscribe).toBeUndefined();
    await storage.set(token());
    await expect(storage.get()).resolves.toMatchObject({ accessToken: 'at-1' });
  });
});
