import type { AxiosInstance } from 'axios';
import type { BenchConfig } from '../config.js';
import { tallyError } from '../harness/outcomes.js';
import { seededRandom } from '../harness/runtime.js';
import { eachSubject, withSubject } from '../harness/session.js';
import { REFRESHING_SUBJECTS, type Subject } from '../subjects/index.js';
import type { Scenario, Table } from './types.js';

const BUFFER_SECONDS = 1;

/** `concurrency` workers each sending one request after another until the time is up. */
async function traffic(api: AxiosInstance, concurrency: number, seconds: number) {
  const stopAt = Date.now() + seconds * 1000;
  const tally = { ok: 0, failed: 0, errors: {} as Record<string, number> };
  const worker = async (): Promise<void> => {
    while (Date.now() < stopAt) {
      try {
        await api.get('/items/1');
        tally.ok += 1;
      } catch (error) {
        tally.failed += 1;
        tallyError(tally.errors, error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tally;
}

/** Short-lived tokens under steady traffic: a client that renews ahead of expiry never lets a request meet a 401. */
function steady(subject: Subject, config: BenchConfig) {
  const { seconds, ttlSeconds, concurrency } = config.proactive;
  const random = seededRandom(7);
  const options = {
    transport: 'memory',
    initial: 'fresh',
    ttlSeconds,
    tokenLatencyMs: 20,
    refreshBufferSeconds: BUFFER_SECONDS,
    apiLatencyMs: () => 1 + random() * 4,
  } as const;
  return withSubject(subject, options, ({ api }) => traffic(api, concurrency, seconds));
}

export type ProactiveRun = Awaited<ReturnType<typeof steady>>;

export const proactiveScenario: Scenario = {
  id: 'proactive',
  async run(config) {
    const runs = await eachSubject(REFRESHING_SUBJECTS, (subject) => steady(subject, config));
    const { seconds, ttlSeconds, concurrency } = config.proactive;
    const table: Table = {
      title: `Proactive: ${seconds} s of traffic at concurrency ${concurrency}, token TTL ${ttlSeconds} s, renew ${BUFFER_SECONDS} s early`,
      columns: ['Subject', 'requests ok', '401s seen', 'token fetches', 'failed'],
      rows: runs.map((r) => [r.subject, r.ok, r.counters.api401, r.counters.tokenRequests, r.failed]),
      note: `Ideal: 0 401s and about ${Math.floor(seconds / (ttlSeconds - BUFFER_SECONDS))} token fetches (the first token is given; then one renewal every ${ttlSeconds - BUFFER_SECONDS} s). axios-jwt gets the same early window (tokenExpireFudge = ${BUFFER_SECONDS} s); axios-auth-refresh has no proactive mode.`,
    };
    return { id: 'proactive', tables: [table], raw: runs };
  },
};
