/** Resolves after `n` macrotask turns: every microtask chain started before has run as far as it can. */
export async function turns(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Polls `condition` every millisecond until it holds; throws after `timeoutMs` (a bench must never hang). */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const gc = (globalThis as { gc?: () => void }).gc;

/** True when node runs with --expose-gc, so heap figures are measured after a full collection. */
export const canCollect = typeof gc === 'function';

/** Heap in use after a full GC (when available). */
export function heapUsedAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** A collection between timed runs, so one subject's garbage is not collected on the next one's clock. */
export function collect(): void {
  gc?.();
}

/** Milliseconds since `start` (from `performance.now()`). */
export function since(start: number): number {
  return performance.now() - start;
}

/** Deterministic uniform random numbers (mulberry32): every subject sees the same latency sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
