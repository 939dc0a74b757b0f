import { turns } from './runtime.js';

/**
 * Counts unhandled promise rejections for the whole run. Installing a listener also stops Node from crashing on
 * the first one, so a peer that leaks one is measured instead of ending the benchmark.
 */
let count = 0;
let installed = false;

export function installUnhandledCounter(): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', () => {
    count += 1;
  });
}

/** Runs `body` and returns how many unhandled rejections it caused (Node reports them after the microtasks drain). */
export async function countUnhandled<T>(body: () => Promise<T>): Promise<{ result: T; unhandled: number }> {
  const before = count;
  const result = await body();
  await turns(2);
  return { result, unhandled: count - before };
}
