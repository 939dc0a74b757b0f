import type { BenchConfig } from '../config.js';
import { settle } from '../harness/outcomes.js';
import { median } from '../harness/stats.js';
import { canCollect, heapUsedAfterGc, since, turns, waitUntil } from '../harness/runtime.js';
import { eachSubject, fire, withSubject, type Session } from '../harness/session.js';
import { DISTINCT_SUBJECTS, type Subject } from '../subjects/index.js';
import type { Scenario, Table } from './types.js';

/**
 * Parks `n` requests behind a refresh that is already in flight (the token endpoint is held shut), measures the
 * heap they hold, then lets the refresh finish and times how long all of them take to complete. Bare axios has no
 * refresh to wait for, so its requests are parked at the API instead: the floor of what a pending axios call costs.
 */
async function parked({ sim, api }: Session, n: number, floor: boolean, deadlineMs: number) {
  const gate = floor ? sim.server.apiGate : sim.server.tokenGate;
  const open = gate.close();
  const trigger = floor ? [] : fire(api, 1, n);
  if (!floor) await waitUntil(() => sim.server.counters.tokenRequests === 1, 5_000, 'the refresh to start');
  const heapBefore = heapUsedAfterGc();
  const start = performance.now();
  const requests = fire(api, n);
  await turns();
  const enqueueMs = since(start);
  const heapPerWaiter = (heapUsedAfterGc() - heapBefore) / n;
  const drainStart = performance.now();
  open();
  const outcomes = await settle([...trigger, ...requests], deadlineMs);
  return { enqueueMs, drainMs: since(drainStart), heapPerWaiter, outcomes };
}

function parkedOnce(subject: Subject, n: number, config: BenchConfig) {
  const floor = !subject.refreshes;
  const options = { transport: 'memory', initial: floor ? 'fresh' : 'expired', ttlSeconds: 3600, tokenLatencyMs: 0 } as const;
  return withSubject(subject, options, (session) => parked(session, n, floor, config.scale.deadlineMs));
}

/** Small sizes are repeated: a few hundred KB of GC noise is a lot per waiter when there are only 1,000 of them. */
async function scaleRun(subject: Subject, n: number, config: BenchConfig) {
  const repeats = config.quick || n >= 100_000 ? 1 : n >= 10_000 ? 3 : 5;
  const samples = [];
  for (let i = 0; i < repeats; i++) samples.push(await parkedOnce(subject, n, config));
  const wallMs = median(samples.map((s) => s.enqueueMs + s.drainMs));
  return {
    subject: subject.name,
    n,
    repeats,
    wallMs,
    usPerRequest: (wallMs * 1000) / n,
    heapPerWaiter: median(samples.map((s) => s.heapPerWaiter)),
    tokenFetches: Math.max(...samples.map((s) => s.counters.tokenRequests)),
    failed: samples.reduce((sum, s) => sum + s.outcomes.failed, 0),
    hung: samples.reduce((sum, s) => sum + s.outcomes.hung, 0),
    samples,
  };
}

export type ScaleRun = Awaited<ReturnType<typeof scaleRun>>;

export const scaleScenario: Scenario = {
  id: 'scale',
  async run(config) {
    const runs = [];
    for (const n of config.scale.sizes) runs.push(...(await eachSubject(DISTINCT_SUBJECTS, (subject) => scaleRun(subject, n, config))));
    const table: Table = {
      title: 'Scale: requests waiting for one refresh',
      columns: ['Subject', 'waiting', 'wall ms', 'µs/request', 'heap bytes/waiter', 'token fetches', 'failed', 'hung'],
      rows: runs.map((r) => [
        r.subject,
        r.n,
        Math.round(r.wallMs),
        Number(r.usPerRequest.toFixed(1)),
        Math.round(r.heapPerWaiter),
        r.tokenFetches,
        r.failed,
        r.hung,
      ]),
      note: `Medians of 5 runs below 10,000 waiters, 3 below 100,000. Linear cost means µs/request and heap bytes/waiter stay flat as the count grows. Wall time runs from the first request to the last completion, refresh included. Bare axios (no refresh) parks its requests at the API: the cost of a pending axios call itself.${canCollect ? '' : ' WARNING: run without --expose-gc, heap figures are noisy.'}`,
    };
    return { id: 'scale', tables: [table], raw: runs };
  },
};
