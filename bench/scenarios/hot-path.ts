import type { AxiosInstance } from 'axios';
import type { BenchConfig } from '../config.js';
import { collect } from '../harness/runtime.js';
import { median, quantile } from '../harness/stats.js';
import { createSim, type Transport } from '../sim/index.js';
import { DISTINCT_SUBJECTS, type RunningSubject } from '../subjects/index.js';
import type { Scenario, Table } from './types.js';

interface Plan {
  transport: Transport;
  warmupBlocks: number;
  blocks: number;
  blockRequests: number;
}

/**
 * CPU microseconds (user + system) this process spends per request over `n` sequential GETs with a fresh token.
 * CPU time, not wall time: the simulated API runs in this process, and on a shared machine wall time mostly
 * measures how often other processes got the cores.
 */
export async function timeBlock(api: AxiosInstance, n: number): Promise<number> {
  collect(); // outside the clock, so one subject's garbage is not collected on the next one's time
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await api.get('/items/1');
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

/**
 * Every subject once per block, in a rotating order, so a slow moment of the (shared, noisy) machine and any
 * position effect are spread over all subjects alike; medians over the blocks then drop the outliers.
 */
export async function interleavedBlocks(
  running: readonly [string, AxiosInstance][],
  plan: { warmupBlocks: number; blocks: number; blockRequests: number },
): Promise<Map<string, number[]>> {
  const usPerRequest = new Map<string, number[]>(running.map(([id]) => [id, []]));
  for (let block = -plan.warmupBlocks; block < plan.blocks; block++) {
    for (let k = 0; k < running.length; k++) {
      const [id, api] = running[(k + Math.max(block, 0)) % running.length]!;
      const us = await timeBlock(api, plan.blockRequests);
      if (block >= 0) usPerRequest.get(id)!.push(us);
    }
  }
  return usPerRequest;
}

async function measure(plan: Plan): Promise<Map<string, number[]>> {
  const sim = await createSim(plan.transport, { ttlSeconds: 3600, tokenLatencyMs: 1 });
  const running: [string, RunningSubject][] = [];
  let usPerRequest: Map<string, number[]>;
  try {
    for (const subject of DISTINCT_SUBJECTS) {
      running.push([subject.id, await subject.start({ sim, initial: sim.server.authority.issue(), refreshBufferSeconds: 60 })]);
    }
    usPerRequest = await interleavedBlocks(
      running.map(([id, subject]) => [id, subject.api]),
      plan,
    );
  } finally {
    for (const [, subject] of running) await subject.stop();
    await sim.close();
  }
  if (sim.server.counters.api401 > 0) throw new Error('hot path: a request saw a 401, so this was not the hot path');
  return usPerRequest;
}

export interface HotPathRow {
  subject: string;
  /** Median µs per request over the blocks. */
  medianUs: number;
  medianRps: number;
  /** Throughput relative to bare axios: its median µs/request ÷ this subject's. */
  ratio: number;
  /** Median µs/request minus bare axios' median. */
  overheadUs: number;
  /** Interquartile range of the per-block ratios: how noisy the machine was. */
  ratioIqr: [number, number];
  /** µs/request of every block. */
  blocks: number[];
}

function summarize(transport: Transport, usPerRequest: Map<string, number[]>): { table: Table; raw: HotPathRow[] } {
  const floor = usPerRequest.get('bare-axios')!;
  const floorUs = median(floor);
  const rows = DISTINCT_SUBJECTS.map((subject): HotPathRow => {
    const blocks = usPerRequest.get(subject.id)!;
    const perBlock = blocks.map((us, i) => floor[i]! / us);
    const medianUs = median(blocks);
    return {
      subject: subject.name,
      medianUs,
      medianRps: 1e6 / medianUs,
      ratio: floorUs / medianUs,
      overheadUs: medianUs - floorUs,
      ratioIqr: [quantile(perBlock, 0.25), quantile(perBlock, 0.75)],
      blocks,
    };
  });
  const table: Table = {
    title: `Hot path, ${transport === 'memory' ? 'in-memory adapter' : 'loopback HTTP'} (fresh token, sequential requests)`,
    columns: ['Subject', 'req per CPU-second (median)', 'vs bare axios', 'overhead CPU µs/request', 'per-block ratio, middle 50%'],
    rows: rows.map((r) => [
      r.subject,
      Math.round(r.medianRps),
      pct(r.ratio),
      Number(r.overheadUs.toFixed(2)),
      `${pct(r.ratioIqr[0])}–${pct(r.ratioIqr[1])}`,
    ]),
    note: `${floor.length} interleaved blocks of sequential requests per subject, timed in CPU time of this process (client, interceptors and simulated API alike). "vs bare axios" compares median CPU µs/request; the last column shows how much single blocks varied on this (shared) machine.`,
  };
  return { table, raw: rows };
}

export const pct = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;

export const hotPath: Scenario = {
  id: 'hot-path',
  async run(config: BenchConfig) {
    const { warmupBlocks, blocks, blockRequests, httpBlocks, httpBlockRequests } = config.hotPath;
    const memory = summarize('memory', await measure({ transport: 'memory', warmupBlocks, blocks, blockRequests }));
    const http = summarize(
      'http',
      await measure({ transport: 'http', warmupBlocks, blocks: httpBlocks, blockRequests: httpBlockRequests }),
    );
    return { id: 'hot-path', tables: [memory.table, http.table], raw: { plan: config.hotPath, memory: memory.raw, http: http.raw } };
  },
};
