/*
 * Composition: a grant is a plain token source, so wrap it. Here: use the token stored by the last run while it is
 * valid, fall back to the grant, and store every new token with onTokenUpdate.
 *
 *   TOKEN_FILE=/tmp/token.json TOKEN_URL=... CLIENT_ID=... CLIENT_SECRET=... API_URL=... \
 *     npx tsx examples/stored-token-then-grant.ts
 *
 * The file holds a live access token: keep it private (it is written with mode 0600).
 */
import { readFile, writeFile } from 'node:fs/promises';
import axios from 'axios';
import { attachOAuth, type Token, type TokenSource, clientCredentials } from 'axios-oauth-lock';
import { env, optionalEnv } from './env.js';

const MIN_REMAINING_MS = 30_000;

async function loadStored(file: string): Promise<Token | undefined> {
  try {
    const token = JSON.parse(await readFile(file, 'utf8')) as Token;
    const fresh = token.expiresAt === undefined || token.expiresAt - Date.now() > MIN_REMAINING_MS;
    return typeof token.accessToken === 'string' && fresh ? token : undefined;
  } catch {
    return undefined; // no file yet, or unreadable: just ask the server
  }
}

async function main(): Promise<void> {
  const file = env('TOKEN_FILE');
  const grant = clientCredentials({
    tokenUrl: env('TOKEN_URL'),
    clientId: env('CLIENT_ID'),
    clientSecret: env('CLIENT_SECRET'),
    scope: optionalEnv('SCOPE'),
  });
  let source = 'authorization server';
  const fetchToken: TokenSource = async (context) => {
    // Only the first token may come from storage; a renewal (expiry, 401) always asks the server.
    const stored = context.reason === 'initial' ? await loadStored(file) : undefined;
    if (stored) {
      source = 'stored token';
      return stored;
    }
    return grant(context);
  };
  fetchToken.revoke = grant.revoke;

  const api = axios.create({ baseURL: env('API_URL') });
  const auth = attachOAuth(api, {
    fetchToken,
    onTokenUpdate: (token) => writeFile(file, JSON.stringify(token), { mode: 0o600 }),
  });
  const response = await api.get('/orders');
  console.log(response.status, `token from: ${source}`);
  auth.detach();
}

main().catch((error: unknown) => {
  console.error(String(error));
  process.exitCode = 1;
});
