import type { ProtectedApiStats } from '../../__tests__/support/protected-api';
import type { DemoOptions } from './args.js';
import { fmt } from './progress.js';
import type { DemoCounters } from './counters.js';

/** The closing table: each figure, and what it tells about the token lock. */
export function printSummary(c: DemoCounters, api: ProtectedApiStats, options: DemoOptions): void {
  // The default refresh buffer (60 s) is clamped to half a token's lifetime, so each token is renewed at mid-life.
  const expectedFetches = 1 + Math.floor(options.seconds / (options.tokenTtlSeconds / 2)) + 1;
  const rows: [string, string, string][] = [
    ['requests', fmt(c.started), `sent by ${options.concurrency} concurrent workers over ${options.seconds} s`],
    ['succeeded', fmt(c.succeeded), 'answered 200 by the API, which verified the token (RS256 signature, issuer, audience, expiry)'],
    ['failed', fmt(c.failed), 'must be 0: no request ever saw a missing or stale token'],
    [
      'token fetches',
      fmt(c.tokenFetches),
      `client-credentials calls: the first token, a background renewal halfway through each ${options.tokenTtlSeconds} s lifetime, one after the revocation (about ${expectedFetches}); never one per request`,
    ],
    ['401s seen', fmt(c.seen401), 'only the requests in flight when the API revoked the token; expiry alone causes none'],
    ['replays', fmt(c.replays), 'requests sent again after a 401, each at most once, with the new token'],
    [
      'API accepted / rejected',
      `${fmt(api.accepted)} / ${fmt(api.rejected)}`,
      "the API's own count: accepted = succeeded; rejected = 401s seen",
    ],
    ['distinct tokens used', fmt(api.distinctTokens), 'access tokens the API accepted: one per refresh'],
  ];
  const width = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), i === 0 ? 6 : i === 1 ? 5 : 7));
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, i) => (i === 1 ? cell.padStart(width[i]!) : cell.padEnd(width[i]!))).join(' | ')} |`;
  console.log(`\n${line(['Number', 'Value', 'Meaning'])}`);
  console.log(`|${width.map((w, i) => (i === 1 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const row of rows) console.log(line(row));
  for (const [kind, n] of Object.entries(c.failures)) console.log(`\nfailure × ${n}: ${kind}`);
}
