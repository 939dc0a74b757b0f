import type { BenchConfig } from '../config.js';
import { settle } from '../harness/outcomes.js';
import { eachSubject, fire, withSubject } from '../harness/session.js';
import { since } from '../harness/runtime.js';
import type { Transport } from '../sim/index.js';
import { REFRESHING_SUBJECTS, type Subject } from '../subjects/index.js';
import type { Scenario, Table } from './types.js';

type TokenState = 'expired' | 'revoked';

/**
 * N concurrent requests while the client's token is no good. `expired`: its `exp` has passed (a client that reads
 * expiry can refresh first). `revoked`: it looks valid but the server revoked it, so every request meets a 401.
 */
function storm(subject: Subject, transport: Transport, state: TokenState, config: BenchConfig) {
  const options = { transport, initial: state === 'expired' ? 'expired' : 'fresh', ttlSeconds: 3600, tokenLatencyMs: 20 } as const;
  return withSubject(subject, options, async ({ sim, api }) => {
    if (state === 'revoked') sim.server.authority.revokeAll();
    const start = performance.now();
    const outcomes = await settle(fire(api, config.storm.requests), config.storm.deadlineMs);
    return { transport, state, outcomes, wallMs: since(start) };
  });
}

export type StormRun = Awaited<ReturnType<typeof storm>>;

export const stormScenario: Scenario = {
  id: 'storm',
  async run(config) {
    const runs = [];
    for (const transport of ['memory', 'http'] as const) {
      for (const state of ['expired', 'revoked'] as const) {
        runs.push(...(await eachSubject(REFRESHING_SUBJECTS, (subject) => storm(subject, transport, state, config))));
      }
    }
    const table: Table = {
      title: `Storm: ${config.storm.requests.toLocaleString('en-US')} concurrent requests with a bad token`,
      columns: ['Transport', 'Token', 'Subject', 'token fetches', '401s seen', 'failed', 'hung', 'wall ms'],
      rows: runs.map((r) => [
        r.transport === 'memory' ? 'in-memory' : 'loopback HTTP',
        r.state,
        r.subject,
        r.counters.tokenRequests,
        r.counters.api401,
        r.outcomes.failed,
        r.outcomes.hung,
        Math.round(r.wallMs),
      ]),
      note: 'Ideal: 1 token fetch, 0 failed. "expired": the token\'s exp has passed; "revoked": it looks valid but the server rejects it, so only a 401 tells.',
    };
    return { id: 'storm', tables: [table], raw: runs };
  },
};
