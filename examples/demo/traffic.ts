import type { AxiosInstance } from 'axios';
import { isTokenRefreshError } from 'axios-oauth-lock';
import { REQUEST_ID_HEADER, type DemoCounters } from './counters.js';

const PATHS = ['/orders', '/orders/42', '/customers/7', '/invoices?status=open'];

/**
 * `concurrency` workers, each sending one request after another until `seconds` have passed, as a busy service
 * would. At `revokeAtSeconds` the API revokes every token it has seen, so the requests in flight meet a 401.
 */
export async function driveTraffic(
  api: AxiosInstance,
  counters: DemoCounters,
  plan: { concurrency: number; seconds: number; revokeAtSeconds: number; revoke: () => Promise<void> },
): Promise<void> {
  const stopAt = Date.now() + plan.seconds * 1000;
  const revocation = setTimeout(() => {
    counters.revoked = true;
    plan.revoke().catch((error: unknown) => recordFailure(counters, error));
  }, plan.revokeAtSeconds * 1000);
  const worker = async (): Promise<void> => {
    while (Date.now() < stopAt) {
      const id = ++counters.started;
      try {
        await api.get(PATHS[id % PATHS.length]!, { headers: { [REQUEST_ID_HEADER]: String(id) } });
        counters.succeeded += 1;
      } catch (error) {
        recordFailure(counters, error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: plan.concurrency }, worker));
  } finally {
    clearTimeout(revocation);
  }
}

function recordFailure(counters: DemoCounters, error: unknown): void {
  counters.failed += 1;
  const kind = isTokenRefreshError(error)
    ? `TokenRefreshError ${error.code}: ${error.message}`
    : error instanceof Error
      ? `${error.name}: ${error.message}`
      : String(error);
  counters.failures[kind] = (counters.failures[kind] ?? 0) + 1;
}
