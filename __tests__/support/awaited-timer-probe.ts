/**
 * Run with `node --import tsx awaited-timer-probe.ts <case> <port>`: awaits one call whose only pending work,
 * at some point, is one of our timers, and prints its outcome. Nothing else holds the event loop: if that timer is
 * `unref()`'d, the process exits with code 0 before printing anything (issue 9).
 * - `grant-backoff`: a clientCredentials grant against 127.0.0.1:<port>, which answers 503 first, so it backs off.
 * - `refresh-deadline`: attachOAuth with a token source that never settles; the refresh deadline must fire.
 */
import axios from 'axios';
import { attachOAuth } from '../../lib/index.js';
import { clientCredentials } from '../../lib/grants/index.js';

async function main(): Promise<void> {
  const [which, port] = process.argv.slice(2);
  if (which === 'grant-backoff') {
    const grant = clientCredentials({
      tokenUrl: `http://127.0.0.1:${port}/token`,
      clientId: 'probe',
      clientSecret: 'probe-secret',
      retryDelayMs: 300,
    });
    const fields = (await grant({ reason: 'initial', lastToken: null, signal: new AbortController().signal })) as { accessToken: string };
    process.stdout.write(`token ${fields.accessToken}\n`);
  } else if (which === 'refresh-deadline') {
    const api = axios.create({ baseURL: `http://127.0.0.1:${port}` });
    attachOAuth(api, { fetchToken: () => new Promise<never>(() => undefined), refreshTimeoutMs: 300 });
    const error = await api.get('/').then(
      () => new Error('unexpected success'),
      (reason: unknown) => reason as Error & { code?: string },
    );
    process.stdout.write(`rejected ${(error as { code?: string }).code}\n`);
  } else {
    throw new Error(`unknown case ${which}`);
  }
}

void main();
