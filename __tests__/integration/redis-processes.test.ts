import { uniqueKey } from '../support/redis-clients';
import { startLoopback, type Fetch, type Loopback, type LoopbackOptions } from '../support/redis-loopback';
import { Replicas, type ReplicaConfig, type ReplicaReport } from '../support/redis-replicas';
import { describeWithRedis, startRedisServer, type RedisServer } from '../support/redis-server';

/*
 * Four Node processes, each with attachOAuth + redisStorage on its own client (two ioredis, two node-redis),
 * send requests in four loops each to a loopback API for several token lifetimes of 2 s. The token endpoint
 * rotates single-use refresh tokens, so a second refresh for the same expiry would show as invalid_grant.
 */
const LIFETIME_SECONDS = 2;
const LOCK_TTL_MS = 1_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One refresh per expiry across all processes: every fetch replaces the token the one before it issued. */
function expectSingleChain(fetches: Fetch[]): void {
  expect(fetches.map((f) => f.replacing)).toEqual(['', ...fetches.slice(0, -1).map((f) => f.issued)]);
}

function expectNoFailure(reports: ReplicaReport[]): void {
  expect(reports.map((r) => ({ id: r.id, failed: r.failed, errors: r.errors }))).toEqual(
    reports.map((r) => ({ id: r.id, failed: 0, errors: [] })),
  );
  reports.forEach((r) => expect(r.ok).toBeGreaterThan(0));
}

describeWithRedis('replicas in separate processes sharing redisStorage', (binary) => {
  let redis: RedisServer;
  let auth: Loopback | undefined;
  const replicas = new Replicas();
  beforeAll(async () => {
    redis = await startRedisServer(binary());
  });
  afterEach(async () => {
    await replicas.stopAll();
    await auth?.close();
    await redis.start(); // in case a test stopped it and failed before starting it again
  });
  afterAll(() => redis?.stop());

  async function run(options: LoopbackOptions): Promise<Loopback> {
    auth = await startLoopback(options);
    const key = uniqueKey('replicas');
    const configs = Array.from({ length: 4 }, (_, i): ReplicaConfig => ({
      id: `replica-${i}`,
      storage: i % 2 === 0 ? 'ioredis' : 'redis',
      redisUrl: redis.url,
      key,
      tokenUrl: auth!.tokenUrl,
      apiUrl: auth!.apiUrl,
      concurrency: 4,
      thinkMs: 5,
      storageOptions: { lockTtlMs: LOCK_TTL_MS, commandTimeoutMs: 300 },
    }));
    await replicas.start(configs);
    replicas.go();
    return auth;
  }

  it('fetches one token per expiry across four processes, never two at once, over several expiries', async () => {
    const server = await run({ lifetimeSeconds: LIFETIME_SECONDS });
    await sleep(7_000);
    const reports = await replicas.stopAll();

    expectNoFailure(reports);
    expect(server.counters.invalidGrant).toBe(0);
    expect(server.counters.maxInflight).toBe(1);
    expectSingleChain(server.fetches);
    expect(server.fetches.filter((f) => f.grant === 'client_credentials')).toHaveLength(1);
    expect(server.fetches.length).toBeGreaterThanOrEqual(4); // the run spanned several refreshes
  });

  it('lets another process refresh when the lock holder is killed mid-refresh, and nothing hangs', async () => {
    const server = await run({ lifetimeSeconds: LIFETIME_SECONDS });
    const victim = await server.holdNextFetch(); // a refresh under the lock, held open by the token endpoint
    replicas.kill(victim);
    const fetchesBeforeKill = server.fetches.length;
    await sleep(4_000);
    const reports = await replicas.stopAll();

    expect(reports.map((r) => r.id)).not.toContain(victim);
    expect(reports).toHaveLength(3);
    expectNoFailure(reports);
    const afterKill = server.fetches.slice(fetchesBeforeKill);
    expect(afterKill.length).toBeGreaterThan(0);
    expect(afterKill.map((f) => f.worker)).not.toContain(victim);
    expect(server.counters.invalidGrant).toBe(0);
    expectSingleChain(server.fetches);
  });

  it('loses no request when Redis stops and restarts under traffic', async () => {
    // Client credentials: while Redis is down each process refreshes on its own, which a rotating refresh token
    // shared by all of them could not survive (see the README on storeRefreshToken and outages).
    const server = await run({ lifetimeSeconds: LIFETIME_SECONDS, refreshTokens: false });
    await sleep(1_500);
    await redis.stop();
    await sleep(2_500); // more than one token lifetime without Redis
    const fetchesWhileDown = server.fetches.length;
    await redis.start();
    await sleep(3_000);
    const reports = await replicas.stopAll();

    expectNoFailure(reports);
    expect(reports.reduce((n, r) => n + r.backgroundErrors, 0)).toBeGreaterThan(0); // the outage was noticed
    expect(server.fetches.length).toBeGreaterThan(fetchesWhileDown); // and refreshing went on after it
  });
});
