import type { DemoCounters } from './counters.js';

/**
 * The live progress line. On a terminal it redraws in place with `\r`; piped (CI, a log file) it prints a plain line
 * every few seconds instead, so logs stay readable.
 */
export function startProgress(counters: DemoCounters, stream: NodeJS.WriteStream = process.stdout): { stop(): void } {
  const tty = stream.isTTY === true;
  const startedAt = Date.now();
  const line = (): string => {
    const elapsed = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(5);
    return `[${elapsed}s] requests done ${fmt(counters.succeeded + counters.failed)} · token fetches ${counters.tokenFetches} · 401s seen ${counters.seen401} · replays ${counters.replays} · failures ${counters.failed}`;
  };
  const timer = setInterval(() => stream.write(tty ? `\r${line()}\x1b[K` : `${line()}\n`), tty ? 200 : 2_000);
  return {
    stop() {
      clearInterval(timer);
      stream.write(tty ? `\r${line()}\x1b[K\n` : `${line()}\n`);
    },
  };
}

export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
