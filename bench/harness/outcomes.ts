import { TOKEN_PATH } from '../sim/index.js';

/** How a batch of requests ended, as their callers saw it. */
export interface Outcomes {
  ok: number;
  failed: number;
  /** Still pending at the deadline: a caller that would wait forever. */
  hung: number;
  /** What the failed callers got, e.g. `{ "AxiosError 401": 999 }`. */
  errors: Record<string, number>;
}

/** Waits for every promise or the deadline, whichever comes first, and tallies the results. */
export async function settle(promises: readonly Promise<unknown>[], deadlineMs: number): Promise<Outcomes> {
  const outcomes: Outcomes = { ok: 0, failed: 0, hung: 0, errors: {} };
  const all = Promise.all(
    promises.map((p) =>
      p.then(
        () => void (outcomes.ok += 1),
        (error: unknown) => {
          outcomes.failed += 1;
          tallyError(outcomes.errors, error);
        },
      ),
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
  await Promise.race([all, deadline]);
  clearTimeout(timer);
  outcomes.hung = promises.length - outcomes.ok - outcomes.failed;
  return outcomes;
}

/** Counts one failure under its label. */
export function tallyError(errors: Record<string, number>, error: unknown): void {
  const kind = describeError(error);
  errors[kind] = (errors[kind] ?? 0) + 1;
}

/** A short, stable label for an error: its class, status or code, and for a refresh error what caused it. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `non-Error ${typeof error}`;
  const e = error as Error & { code?: string; status?: number; response?: { status?: number }; config?: { url?: string } };
  if (e.name === 'TokenRefreshError') {
    const cause = (e as { cause?: unknown }).cause;
    return `TokenRefreshError ${e.code}${cause === undefined ? '' : ` (cause: ${describeError(cause)})`}`;
  }
  if (e.name === 'CanceledError') return `CanceledError "${e.message}"`;
  if (e.name === 'AxiosError') {
    const where = e.config?.url === TOKEN_PATH ? ' from the token endpoint' : '';
    return `AxiosError ${e.response?.status ?? e.code}${where}`;
  }
  const message = e.message.length > 90 ? `${e.message.slice(0, 87)}...` : e.message;
  return `${e.name} "${message}"`;
}

/** `{ "AxiosError 401": 999 }` as `999× AxiosError 401`, biggest first. */
export function formatErrors(errors: Record<string, number>): string {
  const entries = Object.entries(errors).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? '—' : entries.map(([kind, n]) => `${n}× ${kind}`).join('; ');
}
