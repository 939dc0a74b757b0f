import { TokenManager, type TokenInput } from '../../lib/index.js';
import { redisStorage, type RedisTokenStorage } from '../../lib/storage/redis-storage';
import { recordEvents } from '../support/events';
import { CLIENT_KINDS, deferred, eventually, uniqueKey, useRedis, type TestClient } from '../support/redis-clients';
import { describeWithRedis } from '../support/redis-server';
import { expectNoSecrets } from '../support/secrets-sweep';

const ACCESS = 'access-token-shared-in-redis';

describeWithRedis('redisStorage: storage-lock events', (binary) => {
  const host = useRedis(binary);
  const managers: TokenManager[] = [];
  const storages: RedisTokenStorage[] = [];
  afterEach(async () => {
    managers.splice(0).forEach((manager) => manager.dispose());
    await Promise.all(storages.splice(0).map((s) => s.close()));
  });

  describe.each(CLIENT_KINDS)('with %s', (kind) => {
    let redis: TestClient;
    let key: string;
    const storage = async (pollIntervalMs = 20): Promise<RedisTokenStorage> => {
      const made = redisStorage({ client: (await host.pool.open(kind, host.server.url)).client, key, pollIntervalMs });
      storages.push(made);
      return made;
    };

    beforeEach(async () => {
      redis = await host.pool.open(kind, host.server.url);
      key = uniqueKey('lock-events');
    });

    it('tells an uncontended refresh as one "acquire" with no wait', async () => {
      const { ofType, onEvent } = recordEvents();
      const manager = new TokenManager({
        fetchToken: async () => ({ accessToken: ACCESS, expiresIn: 60 }),
        storage: await storage(),
        onEvent,
      });
      await manager.getToken();
      expect(ofType('storage-lock')).toEqual([{ type: 'storage-lock', phase: 'acquire', waitedMs: 0 }]);
    });

    it('tells a lock taken from a holder that died (its lease expired, no release) as "wait" then "takeover"', async () => {
      await redis.command(['SET', `${key}:lock`, 'a-holder-that-died', 'PX', '300']);
      const { events, onEvent } = recordEvents();
      const fetchToken = jest.fn(async () => ({ accessToken: ACCESS, expiresIn: 60 }));
      const manager = new TokenManager({ fetchToken, storage: await storage(), onEvent });

      await manager.getToken();

      expect(fetchToken).toHaveBeenCalledTimes(1);
      expect(events.map((e) => (e.type === 'storage-lock' ? e.phase : e.type))).toEqual([
        'refresh:start',
        'wait',
        'takeover',
        'refresh:end',
      ]);
      expect(events[1]).toEqual({ type: 'storage-lock', phase: 'wait', waitedMs: 0 });
      expect(events[2]).toEqual({ type: 'storage-lock', phase: 'takeover', waitedMs: expect.any(Number) });
      expectNoSecrets(events, [ACCESS]);
    });

    it('tells a lock handed over by a holder that released it as "wait" then "acquire", and the adoption', async () => {
      const gate = deferred<TokenInput>();
      const holder = new TokenManager({ fetchToken: () => gate.promise, storage: await storage() });
      const holding = holder.getToken();
      await eventually(async () => (await redis.command(['GET', `${key}:lock`])) !== null, 'the holder to take the lock');
      const { events, onEvent } = recordEvents();
      const fetchToken = jest.fn();
      // A long poll: the release's message, not a poll, hands the lock over (a poll that wins the race against the
      // message would count as a takeover: the event is best effort, see StorageLockEvent).
      const waiter = new TokenManager({ fetchToken, storage: await storage(60_000), onEvent });
      const waiting = waiter.getToken();
      await eventually(() => events.length >= 2, 'the waiter to wait');
      const subscribers = async (): Promise<number> =>
        Number(((await redis.command(['PUBSUB', 'NUMSUB', `${key}:events`])) as unknown[])[1]);
      await eventually(async () => (await subscribers()) >= 1, 'the waiter to listen for the release');
      gate.resolve({ accessToken: ACCESS, expiresIn: 60 });
      await holding;

      await expect(waiting).resolves.toMatchObject({ accessToken: ACCESS });
      expect(fetchToken).not.toHaveBeenCalled();
      expect(events.map((e) => (e.type === 'storage-lock' ? e.phase : e.type))).toEqual([
        'refresh:start',
        'wait',
        'acquire',
        'refresh:end',
      ]);
      expect(events[3]).toMatchObject({ outcome: 'adopted', waiters: 1 });
    });
  });
});
