import type { BenchConfig } from '../config.js';
import { median, quantile } from '../harness/stats.js';
import { startLoopback } from '../../__tests__/support/redis-loopback.js';
import { Replicas, type ReplicaConfig, type ReplicaReport } from '../../__tests__/support/redis-replicas.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../../__tests__/support/redis-server.js';
import type { Scenario, Table } from './types.js';

/*
 * M replicas, each a Node process with attachOAuth, share one token endpoint (2-3 s tokens, rotating refresh
 * tokens) and one Redis. Run once with each process keeping its token in memory and once with redisStorage: token
 * fetches per refresh round (memory: one per process; redisStorage: one in all) and the latency each request saw.
 * The processes and servers are the ones of __tests__/integration/redis-processes.test.ts.
 */

const SIZES = {
  quick: { replicas: 4, seconds: 5, lifetimeSeconds: 2, concurrency: 2, thinkMs: 5 },
  full: { replicas: 8, seconds: 12, lifetimeSeconds: 3, concurrency: 2, thinkMs: 5 },
};

type Mode = 'memory' | 'redisStorage';

async function runMode(mode: Mode, redis: RedisServer, size: (typeof SIZES)['full']) {
  const auth = await startLoopback({ lifetimeSeconds: size.lifetimeSeconds });
  const replicas = new Replicas();
  const key = `bench:replicas:${Date.now()}`;
  try {
    const configs = Array.from({ length: size.replicas }, (_, i): ReplicaConfig => ({
      id: `replica-${i}`,
      storage: mode === 'memory' ? 'memory' : i % 2 === 0 ? 'ioredis' : 'redis',
      redisUrl: redis.url,
      key,
      tokenUrl: auth.tokenUrl,
      apiUrl: auth.apiUrl,
      concurrency: size.concurrency,
      thinkMs: size.thinkMs,
    }));
    await replicas.start(configs);
    replicas.go();
    await new Promise((resolve) => setTimeout(resolve, size.seconds * 1000));
    return summarize(mode, await replicas.stopAll(), auth, size);
  } finally {
    await replicas.stopAll();
    await auth.close();
  }
}

function summarize(mode: Mode, reports: ReplicaReport[], auth: Awaited<ReturnType<typeof startLoopback>>, size: (typeof SIZES)['full']) {
  const latencies = reports.flatMap((r) => r.latenciesMs);
  // Tokens are renewed at half their lifetime (the refresh buffer is clamped to it): one round per half lifetime,
  // the first fetch included.
  const rounds = size.seconds / (size.lifetimeSeconds / 2);
  const firstFetches = auth.fetches.filter((f) => f.replacing === '').length;
  return {
    mode,
    replicas: size.replicas,
    tokenFetches: auth.fetches.length,
    firstFetches,
    fetchesPerRound: auth.fetches.length / rounds,
    maxConcurrentFetches: auth.counters.maxInflight,
    invalidGrant: auth.counters.invalidGrant,
    requestsOk: reports.reduce((n, r) => n + r.ok, 0),
    failed: reports.reduce((n, r) => n + r.failed, 0),
    api401: auth.counters.api401,
    medianMs: median(latencies),
    p99Ms: quantile(latencies, 0.99),
    meanMs: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
  };
}

export type RedisReplicasRun = Awaited<ReturnType<typeof runMode>>;

function tableOf(runs: RedisReplicasRun[], size: (typeof SIZES)['full']): Table {
  const memory = runs.find((r) => r.mode === 'memory')!;
  const redis = runs.find((r) => r.mode === 'redisStorage')!;
  return {
    title: `Replicas: ${size.replicas} processes, ${size.seconds} s of traffic, ${size.lifetimeSeconds} s tokens (rotating refresh tokens)`,
    columns: [
      'Token storage',
      'token fetches',
      'first-use fetches',
      'fetches per refresh round',
      'max fetches at once',
      'invalid_grant',
      'requests ok',
      'failed',
      '401s',
      'median ms',
      'p99 ms',
      'mean ms',
    ],
    rows: runs.map((r) => [
      r.mode,
      r.tokenFetches,
      r.firstFetches,
      Number(r.fetchesPerRound.toFixed(2)),
      r.maxConcurrentFetches,
      r.invalidGrant,
      r.requestsOk,
      r.failed,
      r.api401,
      r.medianMs,
      r.p99Ms,
      r.meanMs,
    ]),
    note:
      `A refresh round is half a token lifetime (tokens are renewed in the background at half-life; first use counts as a round): expect ${size.replicas} fetches per round with memory storage and 1 with redisStorage. ` +
      `Added latency per request with redisStorage: ${(redis.medianMs - memory.medianMs).toFixed(3)} ms at the median, ${(redis.meanMs - memory.meanMs).toFixed(3)} ms on average; ` +
      'a fresh token is served from memory without touching Redis, so the difference is noise plus the rare request that waits for a shared refresh. Loopback HTTP, all processes on this machine.',
  };
}

export const redisReplicasScenario: Scenario = {
  id: 'redis-replicas',
  async run(config: BenchConfig) {
    const size = config.quick ? SIZES.quick : SIZES.full;
    const binary = findRedisServer();
    if (binary === null) {
      const note = 'Skipped: redis-server was not found on the PATH (Debian: apt-get install -y redis-server).';
      return {
        id: 'redis-replicas',
        tables: [{ title: 'Replicas sharing Redis', columns: ['skipped'], rows: [], note }],
        raw: { skipped: note },
      };
    }
    const redis = await startRedisServer(binary);
    try {
      const runs = [await runMode('memory', redis, size), await runMode('redisStorage', redis, size)];
      return { id: 'redis-replicas', tables: [tableOf(runs, size)], raw: runs };
    } finally {
      await redis.stop();
    }
  },
};
