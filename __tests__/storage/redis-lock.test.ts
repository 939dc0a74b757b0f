import { redisStorage, type RedisTokenStorage } from '../../lib/storage/redis-storage';
import type { RedisStorageOptions } from '../../lib/storage/redis-options';
import { CLIENT_KINDS, useRedis, deferred, eventually, uniqueKey, type ClientKind, type TestClient } from '../support/redis-clients';
import { describeWithRedis } from '../support/redis-server';

const never = (): AbortSignal => new AbortController().signal;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis('redisStorage: the lock across processes', (binary) => {
  const host = useRedis(binary);
  const { pool } = host;

  describe.each(CLIENT_KINDS)('with %s', (kind) => {
    let redis: TestClient;
    let key: string;
    let lockKey: string;
    /** A storage on its own connection, as another process would have. */
    const another = async (options: Partial<RedisStorageOptions> = {}, as: ClientKind = kind): Promise<RedisTokenStorage> =>
      redisStorage({ client: (await pool.open(as, host.server.url)).client, key, ...options });
    const lockValue = (): Promise<unknown> => redis.command(['GET', lockKey]);
    const numsub = async (): Promise<number> => Number(((await redis.command(['PUBSUB', 'NUMSUB', `${key}:events`])) as unknown[])[1]);

    beforeEach(async () => {
      redis = await pool.open(kind, host.server.url);
      key = uniqueKey('lock');
      lockKey = `${key}:lock`;
    });

    it('lets one holder at a time run, across connections of both client libraries', async () => {
      const storages = await Promise.all(CLIENT_KINDS.flatMap((as) => [another({}, as), another({}, as), another({}, as)]));
      let active = 0;
      let maxActive = 0;
      const ran = await Promise.all(
        storages.map((storage, i) =>
          storage.withLock(async () => {
            maxActive = Math.max(maxActive, ++active);
            await sleep(5);
            active--;
            return i;
          }, never()),
        ),
      );
      expect(ran).toEqual([0, 1, 2, 3, 4, 5]);
      expect(maxActive).toBe(1);
      expect(await lockValue()).toBeNull();
    });

    it('holds the lock under a random owner with lockTtlMs as its expiry, and resolves with fn’s result', async () => {
      const storage = await another({ lockTtlMs: 4_000 });
      const seen = await storage.withLock(
        async () => ({ owner: await lockValue(), ttlMs: Number(await redis.command(['PTTL', lockKey])) }),
        never(),
      );
      expect(seen.owner).toMatch(/^[0-9a-f-]{36}$/);
      expect(seen.ttlMs).toBeGreaterThan(0);
      expect(seen.ttlMs).toBeLessThanOrEqual(4_000);
    });

    it('releases the lock when fn rejects, and rejects with fn’s error', async () => {
      const storage = await another();
      const failure = new Error('token endpoint down');
      await expect(storage.withLock(() => Promise.reject(failure), never())).rejects.toBe(failure);
      expect(await lockValue()).toBeNull();
    });

    it('wakes a waiter by pub/sub when the lock is released, without waiting for a poll', async () => {
      const holder = await another();
      const waiter = await another({ pollIntervalMs: 60_000, waitTimeoutMs: 10_000 });
      const held = deferred<void>();
      const holding = holder.withLock(() => held.promise, never());
      await eventually(async () => (await lockValue()) !== null, 'the holder to take the lock');
      const waiting = waiter.withLock(async () => 'waiter ran', never());
      await eventually(async () => (await numsub()) === 1, 'the waiter to subscribe');
      held.resolve();
      await holding;
      await expect(waiting).resolves.toBe('waiter ran');
    });

    it('polls for the lock when the client cannot duplicate() a connection for pub/sub', async () => {
      const holder = await another();
      const bare: TestClient = await pool.open(kind, host.server.url);
      const waiter = redisStorage({
        client: kind === 'ioredis' ? { call: (n: string, ...a: string[]) => bare.command([n, ...a]) } : { sendCommand: bare.command },
        key,
        pollIntervalMs: 20,
      });
      const held = deferred<void>();
      const holding = holder.withLock(() => held.promise, never());
      await eventually(async () => (await lockValue()) !== null, 'the holder to take the lock');
      const order: string[] = [];
      const waiting = waiter.withLock(async () => order.push('waiter'), never());
      await sleep(60); // a few polls that must find the lock taken
      order.push('holder released');
      held.resolve();
      await Promise.all([holding, waiting]);
      expect(order).toEqual(['holder released', 'waiter']);
    });

    it('never deletes a lock that expired and was taken by another owner (compare-and-delete)', async () => {
      const first = await another();
      const second = await another({ pollIntervalMs: 10 });
      const firstHeld = deferred<void>();
      const secondHeld = deferred<void>();
      const firstDone = first.withLock(() => firstHeld.promise, never());
      await eventually(async () => (await lockValue()) !== null, 'the first holder to take the lock');
      const firstOwner = await lockValue();
      await redis.command(['DEL', lockKey]); // the first holder's lock expires while it still runs
      const secondDone = second.withLock(() => secondHeld.promise, never());
      await eventually(async () => ![null, firstOwner].includes(await lockValue()), 'the second holder to take the lock');
      const secondOwner = await lockValue();

      firstHeld.resolve();
      await firstDone;
      expect(await lockValue()).toBe(secondOwner);
      secondHeld.resolve();
      await secondDone;
      expect(await lockValue()).toBeNull();
    });

    it('regression: a holder that lost its lease overwrote the token the process that took over had stored', async () => {
      const first = await another();
      const second = await another({ pollIntervalMs: 10 });
      const firstHeld = deferred<void>();
      const token = (accessToken: string) => ({ accessToken, tokenType: 'Bearer', obtainedAt: Date.now(), expiresAt: Date.now() + 60_000 });
      const firstDone = first.withLock(async () => {
        await firstHeld.promise;
        await first.set(token('stale'));
      }, never());
      await eventually(async () => (await lockValue()) !== null, 'the first holder to take the lock');
      await redis.command(['DEL', lockKey]); // the first holder stalls past its lease
      await second.withLock(() => second.set(token('newer')), never());

      firstHeld.resolve();
      await expect(firstDone).rejects.toThrow(`redisStorage: the lock "${lockKey}" expired while held`);
      expect(JSON.parse((await redis.command(['GET', key])) as string)).toMatchObject({ accessToken: 'newer' });
      await expect(first.delete()).resolves.toBeUndefined(); // outside the lock, writes are not fenced
    });

    it('takes over, once it expires, the lock of a holder that died', async () => {
      await redis.command(['SET', lockKey, 'owner-that-died', 'PX', '300']);
      const storage = await another({ pollIntervalMs: 20 });
      const ownerInside = await storage.withLock(() => lockValue(), never());
      expect(ownerInside).not.toBe('owner-that-died');
      expect(ownerInside).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('extends the lock while a live holder runs longer than lockTtlMs', async () => {
      const holder = await another({ lockTtlMs: 150 });
      const waiter = await another({ pollIntervalMs: 20 });
      const order: string[] = [];
      const holding = holder.withLock(async () => {
        await sleep(600); // four lock lifetimes
        order.push('holder done');
      }, never());
      await eventually(async () => (await lockValue()) !== null, 'the holder to take the lock');
      await waiter.withLock(async () => order.push('waiter'), never());
      await holding;
      expect(order).toEqual(['holder done', 'waiter']);
    });

    it('stops extending once the holder’s signal aborts, so a refresh given up on does not block the others', async () => {
      const holder = await another({ lockTtlMs: 150 });
      const waiter = await another({ pollIntervalMs: 20, waitTimeoutMs: 3_000 });
      const giveUp = new AbortController();
      const held = deferred<void>();
      const holding = holder.withLock(() => held.promise, giveUp.signal);
      await eventually(async () => (await lockValue()) !== null, 'the holder to take the lock');
      giveUp.abort();
      await expect(waiter.withLock(async () => 'taken over', never())).resolves.toBe('taken over');
      held.resolve();
      await holding;
    });

    it('rejects with the signal’s reason when aborted while waiting, runs nothing and leaves no lock behind', async () => {
      const holder = await another();
      const waiter = await another();
      const held = deferred<void>();
      const holding = holder.withLock(() => held.promise, never());
      await eventually(async () => (await lockValue()) !== null, 'the holder to take the lock');
      const controller = new AbortController();
      const fn = jest.fn(async () => 'ran');
      const waiting = waiter.withLock(fn, controller.signal);
      const reason = new Error('request cancelled');
      controller.abort(reason);
      await expect(waiting).rejects.toBe(reason);
      held.resolve();
      await holding;
      expect(fn).not.toHaveBeenCalled();
      expect(await lockValue()).toBeNull();
    });

    it('rejects at once when the signal has already aborted', async () => {
      const fn = jest.fn(async () => 'ran');
      const reason = new Error('already gone');
      await expect((await another()).withLock(fn, AbortSignal.abort(reason))).rejects.toBe(reason);
      expect(fn).not.toHaveBeenCalled();
    });

    it('gives up after waitTimeoutMs, naming the lock', async () => {
      await redis.command(['SET', lockKey, 'someone-else', 'PX', '10000']);
      const fn = jest.fn(async () => 'ran');
      const waiter = await another({ waitTimeoutMs: 150, pollIntervalMs: 20 });
      await expect(waiter.withLock(fn, never())).rejects.toThrow(`redisStorage: the lock "${lockKey}" was not released within 150 ms`);
      expect(fn).not.toHaveBeenCalled();
    });
  });
});
