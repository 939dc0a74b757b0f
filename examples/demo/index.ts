/*
 * `npm run demo [-- --concurrency 32 --seconds 15 --token-ttl 4]`: a real authorization server, a protected API
 * that verifies every token, and an axios instance with attachOAuth under steady concurrent traffic, including one
 * forced revocation. Exits 0 only if every request succeeded.
 */
import axios from 'axios';
import { attachOAuth } from 'axios-oauth-lock';
import { parseArgs, type DemoOptions } from './args.js';
import { countingAdapter, newCounters } from './counters.js';
import { startProgress } from './progress.js';
import { startServers, type DemoServers } from './servers.js';
import { printSummary } from './summary.js';
import { countedClientCredentials } from './token-source.js';
import { driveTraffic } from './traffic.js';

async function run(servers: DemoServers, options: DemoOptions): Promise<boolean> {
  const counters = newCounters();
  const api = axios.create({ baseURL: servers.api.baseURL, adapter: countingAdapter(counters), timeout: 10_000 });
  const auth = attachOAuth(api, { fetchToken: countedClientCredentials(servers.auth, () => void counters.tokenFetches++) });
  // Off the token lifetimes' beat, so the revocation lands while a token is in mid-life.
  const revokeAtSeconds = Math.round(options.seconds * 0.55 * 10) / 10;
  console.log(
    `Traffic: ${options.concurrency} concurrent requests for ${options.seconds} s; the API revokes every token it has seen at ${revokeAtSeconds} s.\n`,
  );
  const progress = startProgress(counters);
  try {
    await driveTraffic(api, counters, { ...options, revokeAtSeconds, revoke: () => servers.api.revokeSeenTokens() });
  } finally {
    progress.stop();
    auth.detach();
  }
  printSummary(counters, await servers.api.stats(), options);
  return counters.failed === 0 && counters.succeeded > 0;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  // A demo must end by itself, whatever goes wrong.
  setTimeout(
    () => {
      console.error('\ndemo: did not finish in time');
      process.exit(1);
    },
    (options.seconds + 60) * 1000,
  ).unref();
  console.log(
    `Starting an OAuth 2.0 authorization server (oidc-provider, ${options.tokenTtlSeconds} s access tokens) and a protected API on 127.0.0.1...`,
  );
  const servers = await startServers(options.tokenTtlSeconds);
  console.log(`  authorization server ${servers.auth.issuer}\n  protected API        ${servers.api.baseURL}`);
  try {
    const ok = await run(servers, options);
    console.log(ok ? '\nEvery request succeeded.' : '\nSome requests failed (see above).');
    return ok ? 0 : 1;
  } finally {
    await servers.stop();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
