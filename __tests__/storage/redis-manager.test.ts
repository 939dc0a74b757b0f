import { redisStorage, type RedisTokenStorage } from '../../lib/storage/redis-storage';
import { TokenManager } from '../../lib/core/token-manager';
import type { Token } from '../../lib/core/token';
import type { TokenSourceContext } from '../../lib/core/options';
import { deferred, eventually, uniqueKey, useRedis } from '../support/redis-clients';
import { describeWithRedis } from '../support/redis-server';

/*
 * Token managers of one process standing in for several: each has its own client (one of each library), so all
 * coordination goes through Redis. The process tests in __tests__/integration do the same across real processes.
 */
describeWithRedis('token managers sharing redisStorage', (binary) => {
  const host = useRedis(binary);
  const managers: TokenManager[] = [];
  const storages: RedisTokenStorage[] = [];
  afterEach(async () => {
    managers.splice(0).forEach((m) => m.dispose());
    await Promise.all(storages.splice(0).map((s) => s.close()));
  });

  async function replicas(
    key: string,
    fetchToken: (context: TokenSourceContext) => Promise<unknown>,
    storeRefreshToken = true,
    now = Date.now,
  ): Promise<TokenManager[]> {
    const made = [];
    for (const kind of ['ioredis', 'redis', 'ioredis', 'redis'] as const) {
      const storage = redisStorage({ client: (await host.pool.open(kind, host.server.url)).client, key, storeRefreshToken });
      const manager = new TokenManager({ fetchToken: fetchToken as never, storage, now });
      storages.push(storage);
      managers.push(manager);
      made.push(manager);
    }
    return made;
  }

  it('fetches one token for all of them when they all need one at once', async () => {
    const gate = deferred<void>();
    const fetchToken = jest.fn(async () => {
      await gate.promise;
      return { accessToken: 'shared', expiresIn: 3600 };
    });
    const all = await replicas(uniqueKey('first-use'), fetchToken);
    const tokens = Promise.all(all.map((m) => m.getToken()));
    await eventually(() => fetchToken.mock.calls.length === 1, 'the first fetch');
    gate.resolve();
    expect((await tokens).map((t) => t.accessToken)).toEqual(['shared', 'shared', 'shared', 'shared']);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('refreshes once when all of them find the same token expired, redeeming its refresh token once', async () => {
    let clock = Date.now();
    const redeemed: (string | undefined)[] = [];
    const fetchToken = jest.fn(async ({ lastToken }: TokenSourceContext) => {
      redeemed.push(lastToken?.refreshToken);
      const n = redeemed.length;
      return { accessToken: `at-${n}`, refreshToken: `rt-${n}`, expiresIn: 3600 };
    });
    const all = await replicas(uniqueKey('expiry'), fetchToken, true, () => clock);
    await Promise.all(all.map((m) => m.getToken()));
    clock += 2 * 3_600_000; // every replica's token has now expired
    const refreshed = await Promise.all(all.map((m) => m.getToken()));

    expect(refreshed.map((t) => t.accessToken)).toEqual(['at-2', 'at-2', 'at-2', 'at-2']);
    expect(redeemed).toEqual([undefined, 'rt-1']);
  });

  it('hears a token another replica stored, without fetching', async () => {
    let fetched = 0;
    const fetchToken = jest.fn(async () => ({ accessToken: `at-${++fetched}`, expiresIn: 3600 }));
    const [first, second] = await replicas(uniqueKey('heard'), fetchToken);
    await first!.getToken();
    await eventually(() => second!.token?.accessToken === 'at-1', 'the second replica to hear the token');
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('shares the access token but not the refresh token with storeRefreshToken: false', async () => {
    const fetchToken = jest.fn(async () => ({ accessToken: 'shared-access', refreshToken: 'private-refresh', expiresIn: 3600 }));
    const [first, second] = await replicas(uniqueKey('private'), fetchToken, false);
    await first!.getToken();
    const adopted: Token = await second!.getToken();
    expect(adopted.accessToken).toBe('shared-access');
    expect(adopted.refreshToken).toBeUndefined();
    expect(first!.token?.refreshToken).toBe('private-refresh');
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });
});
