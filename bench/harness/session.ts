import type { AxiosInstance } from 'axios';
import { createSim, sleep, type SimEnv, type SimServerOptions, type Transport } from '../sim/index.js';
import type { SimCounters } from '../sim/server.js';
import type { Subject } from '../subjects/index.js';

export interface SessionOptions extends SimServerOptions {
  transport: Transport;
  /** The token the client starts with: `fresh` lives `ttlSeconds`, `expired` ran out a second ago. */
  initial: 'fresh' | 'expired';
  /** @default 60 */
  refreshBufferSeconds?: number;
}

export interface Session {
  sim: SimEnv;
  api: AxiosInstance;
}

/**
 * One subject in a fresh simulated world: its own server (so every counter is this subject's), started, used by
 * `body`, then stopped and closed even when `body` throws.
 */
export async function withSubject<T extends object>(
  subject: Subject,
  options: SessionOptions,
  body: (session: Session) => Promise<T>,
): Promise<T & { subject: string; counters: SimCounters }> {
  const sim = await createSim(options.transport, options);
  const initial = sim.server.authority.issue(options.initial === 'fresh' ? options.ttlSeconds : -1);
  const running = await subject.start({ sim, initial, refreshBufferSeconds: options.refreshBufferSeconds ?? 60 });
  try {
    const result = await body({ sim, api: running.api });
    return { ...result, subject: subject.name, counters: { ...sim.server.counters } };
  } finally {
    await running.stop();
    await sim.close();
  }
}

/** Runs `run` for each subject, one after another (never two at once: axios-jwt's state is module-global). */
export async function eachSubject<T>(subjects: readonly Subject[], run: (subject: Subject) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (const subject of subjects) results.push(await run(subject));
  return results;
}

/** `n` concurrent GETs to the protected API. */
export function fire(api: AxiosInstance, n: number, offset = 0): Promise<unknown>[] {
  return Array.from({ length: n }, (_, i) => api.get(`/items/${offset + i}`));
}

/**
 * `n` GETs sent together after `delayMs`. The promises exist at once, so the caller can observe them before any
 * settles: otherwise an early rejection would count as the subject's unhandled rejection, when it is the bench's.
 */
export function fireAfter(api: AxiosInstance, n: number, delayMs: number, offset = 0): Promise<unknown>[] {
  const due = sleep(delayMs);
  return Array.from({ length: n }, (_, i) => due.then(() => api.get(`/items/${offset + i}`)));
}
