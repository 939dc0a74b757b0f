import type { BenchConfig } from '../config.js';
import { formatErrors, settle } from '../harness/outcomes.js';
import { countUnhandled } from '../harness/unhandled.js';
import { eachSubject, fire, fireAfter, withSubject } from '../harness/session.js';
import { REFRESHING_SUBJECTS, type Subject } from '../subjects/index.js';
import type { Scenario, Table } from './types.js';

/**
 * The token endpoint answers 500. Half the requests start together with an expired token; the other half arrive
 * 5 ms later, while the refresh is still in flight (they queue). Every caller must settle, with a useful error.
 */
function failingRefresh(subject: Subject, config: BenchConfig) {
  const { requests, deadlineMs } = config.refreshFailure;
  const half = Math.floor(requests / 2);
  const options = { transport: 'memory', initial: 'expired', ttlSeconds: 3600, tokenLatencyMs: 20 } as const;
  return withSubject(subject, options, async ({ sim, api }) => {
    sim.server.failTokenWith = 500;
    const { result, unhandled } = await countUnhandled(() =>
      settle([...fire(api, half), ...fireAfter(api, requests - half, 5, half)], deadlineMs),
    );
    return { outcomes: result, unhandled };
  });
}

export type RefreshFailureRun = Awaited<ReturnType<typeof failingRefresh>>;

export const refreshFailureScenario: Scenario = {
  id: 'refresh-failure',
  async run(config) {
    const runs = await eachSubject(REFRESHING_SUBJECTS, (subject) => failingRefresh(subject, config));
    const { requests, deadlineMs } = config.refreshFailure;
    const counts: Table = {
      title: `Refresh failure: token endpoint answers 500, ${requests} requests, ${deadlineMs} ms deadline`,
      columns: ['Subject', 'rejected', 'resolved', 'hung', 'unhandled rejections', 'token fetches'],
      rows: runs.map((r) => [r.subject, r.outcomes.failed, r.outcomes.ok, r.outcomes.hung, r.unhandled, r.counters.tokenRequests]),
      note: 'Ideal: every request rejects (there is no token), none hangs, no unhandled rejection.',
    };
    const errors: Table = {
      title: 'Refresh failure: what each caller got',
      columns: ['Subject', 'errors (count × kind)'],
      rows: runs.map((r) => [r.subject, formatErrors(r.outcomes.errors)]),
    };
    return { id: 'refresh-failure', tables: [counts, errors], raw: runs };
  },
};
