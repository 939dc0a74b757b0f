/** Sizes of every scenario. `--quick` (or BENCH_QUICK=1) shrinks them to a CI smoke run. */
export interface BenchConfig {
  quick: boolean;
  /** Scenario ids to run (`--only=storm,scale`), or null for all. */
  only: string[] | null;
  /** Interleaved timed blocks of sequential requests per transport (the first `warmupBlocks` are discarded). */
  hotPath: { warmupBlocks: number; blocks: number; blockRequests: number; httpBlocks: number; httpBlockRequests: number };
  storm: { requests: number; deadlineMs: number };
  late401: { requests: number; maxLatencyMs: number; revokeAfterMs: number; deadlineMs: number };
  proactive: { seconds: number; ttlSeconds: number; concurrency: number };
  scale: { sizes: number[]; deadlineMs: number };
  refreshFailure: { requests: number; deadlineMs: number };
}

const FULL: Omit<BenchConfig, 'quick' | 'only'> = {
  hotPath: { warmupBlocks: 2, blocks: 16, blockRequests: 5_000, httpBlocks: 10, httpBlockRequests: 500 },
  storm: { requests: 1_000, deadlineMs: 10_000 },
  late401: { requests: 500, maxLatencyMs: 100, revokeAfterMs: 25, deadlineMs: 10_000 },
  proactive: { seconds: 10, ttlSeconds: 3, concurrency: 50 },
  scale: { sizes: [1_000, 10_000, 100_000], deadlineMs: 120_000 },
  refreshFailure: { requests: 200, deadlineMs: 2_000 },
};

const QUICK: Omit<BenchConfig, 'quick' | 'only'> = {
  hotPath: { warmupBlocks: 2, blocks: 8, blockRequests: 300, httpBlocks: 4, httpBlockRequests: 50 },
  storm: { requests: 200, deadlineMs: 5_000 },
  late401: { requests: 100, maxLatencyMs: 60, revokeAfterMs: 15, deadlineMs: 5_000 },
  proactive: { seconds: 3, ttlSeconds: 2, concurrency: 20 },
  scale: { sizes: [500, 2_000], deadlineMs: 20_000 },
  refreshFailure: { requests: 50, deadlineMs: 1_000 },
};

export function readConfig(argv: readonly string[], env: NodeJS.ProcessEnv): BenchConfig {
  const quick = argv.includes('--quick') || env.BENCH_QUICK === '1';
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const only = onlyArg ? onlyArg.slice('--only='.length).split(',').filter(Boolean) : null;
  return { quick, only, ...(quick ? QUICK : FULL) };
}
