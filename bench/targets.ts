import type { DPoPRun } from './scenarios/dpop.js';
import type { HotPathRow } from './scenarios/hot-path.js';
import type { ObservabilityRun } from './scenarios/observability.js';
import type { Late401Run } from './scenarios/late-401.js';
import type { ProactiveRun } from './scenarios/proactive.js';
import type { RefreshFailureRun } from './scenarios/refresh-failure.js';
import type { RoutesRow } from './scenarios/routes.js';
import type { ScaleRun } from './scenarios/scale.js';
import type { StormRun } from './scenarios/storm.js';
import type { ScenarioReport, Table } from './scenarios/types.js';
import { axiosAuthRefresh } from './subjects/axios-auth-refresh.js';
import { bareAxios } from './subjects/bare-axios.js';
import { oauthLock } from './subjects/oauth-lock.js';

interface Verdict {
  target: string;
  ours: string;
  met: boolean;
}

const OURS = oauthLock.name;
const pct = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;
const ok = (met: boolean): string => (met ? 'met' : 'MISSED');

function hotPathVerdicts(raw: { memory: HotPathRow[] }): Verdict[] {
  const ours = raw.memory.find((r) => r.subject === OURS)!;
  const aar = raw.memory.find((r) => r.subject === axiosAuthRefresh.name)!;
  const vsPeer = aar.medianUs / ours.medianUs;
  return [
    {
      target: 'Hot path within 5% of bare axios (in-memory)',
      ours: `${(ours.ratio * 100).toFixed(1)}% of bare axios, +${ours.overheadUs.toFixed(2)} CPU µs/request`,
      met: ours.ratio >= 0.95,
    },
    // "No slower" within 1%: medians of this many blocks still move by more than that between runs.
    { target: 'Hot path no slower than axios-auth-refresh', ours: `${(vsPeer * 100).toFixed(1)}% of its req/s`, met: vsPeer >= 0.99 },
  ];
}

function waveVerdict(
  target: string,
  runs: { subject: string; counters: { tokenRequests: number }; outcomes: { failed: number; hung: number } }[],
): Verdict {
  const ours = runs.filter((r) => r.subject === OURS);
  const fetches = ours.map((r) => r.counters.tokenRequests);
  const failed = ours.reduce((n, r) => n + r.outcomes.failed + r.outcomes.hung, 0);
  return { target, ours: `token fetches ${fetches.join('/')}, failed ${failed}`, met: fetches.every((f) => f === 1) && failed === 0 };
}

function scaleVerdict(runs: ScaleRun[]): Verdict {
  const sizes = [...new Set(runs.map((r) => r.n))];
  const at = (n: number, subject: string) => runs.find((r) => r.n === n && r.subject === subject)!;
  const leaner = sizes.every((n) =>
    runs
      .filter((r) => r.n === n && r.subject !== OURS && r.subject !== bareAxios.name)
      .every((p) => at(n, OURS).heapPerWaiter < p.heapPerWaiter),
  );
  const first = at(sizes[0]!, OURS);
  const last = at(sizes[sizes.length - 1]!, OURS);
  // "Linear": the per-request cost at the largest size stays within 2x of the smallest (GC grows with the heap).
  const linear = last.usPerRequest <= 2 * first.usPerRequest;
  const ours = `${sizes.map((n) => `${Math.round(at(n, OURS).heapPerWaiter)} B`).join(' / ')} per waiter; ${first.usPerRequest.toFixed(1)} → ${last.usPerRequest.toFixed(1)} µs/request`;
  return { target: 'Scale linear, less heap per waiter than every peer', ours, met: leaner && linear };
}

function failureVerdict(runs: RefreshFailureRun[]): Verdict {
  const ours = runs.find((r) => r.subject === OURS)!;
  const kinds = Object.keys(ours.outcomes.errors);
  const typed = kinds.length > 0 && kinds.every((k) => k.startsWith('TokenRefreshError') && k.includes('cause:'));
  const met = ours.outcomes.hung === 0 && ours.unhandled === 0 && ours.outcomes.ok === 0 && typed;
  return {
    target: 'Refresh failure: 0 hangs, 0 unhandled, TokenRefreshError with cause',
    ours: `hung ${ours.outcomes.hung}, unhandled ${ours.unhandled}, ${kinds.join('; ')}`,
    met,
  };
}

/** Checks this package's figures against the targets of issue 4 (shown, never asserted). */
export function checkTargets(reports: ScenarioReport[], quick: boolean): { table: Table; raw: Verdict[] } {
  const raw = (id: string): unknown => reports.find((r) => r.id === id)?.raw;
  const verdicts: Verdict[] = [];
  if (raw('hot-path')) verdicts.push(...hotPathVerdicts(raw('hot-path') as { memory: HotPathRow[] }));
  if (raw('routes')) {
    const rows = (raw('routes') as { rows: RoutesRow[] }).rows.slice(1);
    verdicts.push({
      target: 'Routes: 10 handles within 5% of 1 (in-memory)',
      ours: rows.map((r) => `${r.layout}: ${pct(r.ratio)}`).join('; '),
      met: rows.every((r) => r.ratio >= 0.95),
    });
  }
  if (raw('dpop')) {
    const run = raw('dpop') as DPoPRun;
    verdicts.push({
      target: 'DPoP adds at most 1.3× one signature per request (the signature as a request pays it)',
      ours: `+${(run.dpopUs - run.bearerUs).toFixed(1)} µs = ${run.overheadVsRequestFloor.toFixed(2)}× a ${run.signedRequestUs.toFixed(1)} µs signature in a request (${run.overheadVsFloor.toFixed(2)}× a ${run.signatureUs.toFixed(1)} µs one in a tight loop)`,
      met: run.overheadVsRequestFloor <= 1.3,
    });
  }
  if (raw('observability')) {
    const run = raw('observability') as ObservabilityRun;
    verdicts.push({
      target: 'Observability: hot path with onEvent or the OTel bridge within 5% of no subscriber',
      ours: `no subscriber ${pct(run.plain)}, onEvent ${pct(run.withListener)}, OTel ${pct(run.withOtel)} of bare axios`,
      met: Math.min(run.withListener, run.withOtel) >= 0.95 * run.plain,
    });
  }
  if (raw('storm'))
    verdicts.push(waveVerdict('Storm: 1 token fetch, 0 failures (each transport × token state)', raw('storm') as StormRun[]));
  if (raw('late-401')) verdicts.push(waveVerdict('Late 401s: 1 token fetch, 0 failures', raw('late-401') as Late401Run[]));
  if (raw('proactive')) {
    const ours = (raw('proactive') as ProactiveRun[]).find((r) => r.subject === OURS)!;
    verdicts.push({
      target: 'Proactive: 0 requests see a 401',
      ours: `${ours.counters.api401} 401s, ${ours.failed} failed`,
      met: ours.counters.api401 === 0 && ours.failed === 0,
    });
  }
  if (raw('scale')) verdicts.push(scaleVerdict(raw('scale') as ScaleRun[]));
  if (raw('refresh-failure')) verdicts.push(failureVerdict(raw('refresh-failure') as RefreshFailureRun[]));
  const table: Table = {
    title: 'Targets (axios-oauth-lock)',
    columns: ['Target', 'Measured', 'Verdict'],
    rows: verdicts.map((v) => [v.target, v.ours, ok(v.met)]),
    note: quick
      ? 'Quick mode: smoke-test sizes. Counts (fetches, failures, hangs) are meaningful; timings and heap figures are not.'
      : undefined,
  };
  return { table, raw: verdicts };
}
