import type { BenchConfig } from '../config.js';
import { settle } from '../harness/outcomes.js';
import { seededRandom, since } from '../harness/runtime.js';
import { eachSubject, fire, withSubject } from '../harness/session.js';
import { REFRESHING_SUBJECTS, type Subject } from '../subjects/index.js';
import type { Scenario, Table } from './types.js';

/**
 * Hundreds of requests in flight with random latency; the server revokes the token meanwhile. The token is checked
 * when a request is processed, so 401s keep arriving after the first refresh has finished: those were sent with the
 * old token and need a replay, not another refresh.
 */
function lateWave(subject: Subject, config: BenchConfig) {
  const { requests, maxLatencyMs, revokeAfterMs, deadlineMs } = config.late401;
  const random = seededRandom(42); // the same latencies for every subject
  const options = {
    transport: 'memory',
    initial: 'fresh',
    ttlSeconds: 3600,
    tokenLatencyMs: 10,
    apiLatencyMs: () => random() * maxLatencyMs,
  } as const;
  return withSubject(subject, options, async ({ sim, api }) => {
    const start = performance.now();
    const inFlight = fire(api, requests);
    const revoke = setTimeout(() => sim.server.authority.revokeAll(), revokeAfterMs);
    const outcomes = await settle(inFlight, deadlineMs);
    clearTimeout(revoke);
    return { outcomes, wallMs: since(start) };
  });
}

export type Late401Run = Awaited<ReturnType<typeof lateWave>>;

export const late401Scenario: Scenario = {
  id: 'late-401',
  async run(config) {
    const runs = await eachSubject(REFRESHING_SUBJECTS, (subject) => lateWave(subject, config));
    const { requests, maxLatencyMs, revokeAfterMs } = config.late401;
    const table: Table = {
      title: `Late 401s: ${requests} requests in flight (latency 0–${maxLatencyMs} ms), token revoked after ${revokeAfterMs} ms`,
      columns: ['Subject', 'token fetches', '401s seen', 'stale 401s', 'failed', 'hung', 'wall ms'],
      rows: runs.map((r) => [
        r.subject,
        r.counters.tokenRequests,
        r.counters.api401,
        r.counters.api401Stale,
        r.outcomes.failed,
        r.outcomes.hung,
        Math.round(r.wallMs),
      ]),
      note: 'Ideal: 1 token fetch, 0 failed. A stale 401 is one for a token older than the newest issued: it arrived after a refresh had already replaced it.',
    };
    return { id: 'late-401', tables: [table], raw: runs };
  },
};
