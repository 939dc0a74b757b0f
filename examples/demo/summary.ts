import type { ProtectedApiStats } from '../../__tests__/support/protected-api';
import type { DemoOptions } from './args.js';
import { fmt } from './progress.js';
import type { DemoCounters } from './counters.js';

const WIDTH = 80;
const LABEL = 24;
const VALUE = 9;

/** The closing summary: each figure, and what it tells about the token lock, in words that follow from the figures. */
export function printSummary(c: DemoCounters, api: ProtectedApiStats, options: DemoOptions): void {
  // The default refresh buffer (60 s) is clamped to half a token's lifetime, so each token is renewed at mid-life,
  // but not more often than the default minRefreshIntervalMs (1 s) allows.
  const renewEverySeconds = Math.max(options.tokenTtlSeconds / 2, 1);
  const expectedFetches = 1 + Math.floor(options.seconds / renewEverySeconds) + 1;
  const rows: [string, string, string][] = [
    ['requests', fmt(c.started), `sent by ${options.concurrency} concurrent workers over ${options.seconds} s`],
    ['succeeded', fmt(c.succeeded), 'answered 200 by the API, which verified the token (RS256 signature, issuer, audience, expiry)'],
    ['failed', fmt(c.failed), c.failed === 0 ? 'no request failed' : 'requests that failed, listed below'],
    [
      'token fetches',
      fmt(c.tokenFetches),
      `client-credentials calls; about ${expectedFetches} expected: the first token, a renewal every ${renewEverySeconds} s of the ${options.tokenTtlSeconds} s lifetime, one after the revocation`,
    ],
    ['401s seen', fmt(c.seen401), describe401s(c)],
    ['replays', fmt(c.replays), 'requests sent again after a 401, each at most once, with the new token'],
    ['API accepted', fmt(api.accepted), 'the API’s own count of valid tokens it saw'],
    ['API rejected', fmt(api.rejected), 'the API’s own count of 401s it answered'],
    ['distinct tokens used', fmt(api.distinctTokens), 'access tokens the API accepted'],
  ];
  console.log('');
  for (const [label, value, meaning] of rows) {
    const lines = wrap(meaning, WIDTH - LABEL - VALUE - 2);
    console.log(`${label.padEnd(LABEL)}${value.padStart(VALUE)}  ${lines[0]}`);
    for (const rest of lines.slice(1)) console.log(`${' '.repeat(LABEL + VALUE + 2)}${rest}`);
  }
  for (const [kind, n] of Object.entries(c.failures)) console.log(`\nfailure × ${n}: ${kind}`);
}

/** What the 401s were, from the counts alone (issue 9, item 21: the text once claimed "none from expiry" next to 32). */
function describe401s(c: DemoCounters): string {
  const after = c.seen401 - c.seen401BeforeRevocation;
  const revocation = `${fmt(after)} after the API revoked every token (the requests in flight then)`;
  if (c.seen401BeforeRevocation === 0) return `${revocation}; none before it: expiry alone caused no 401`;
  return `${revocation}; ${fmt(c.seen401BeforeRevocation)} before it, from tokens the API found expired before the client renewed them`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}
