/*
 * Client credentials (RFC 6749 §4.4): a service calling an API as itself.
 *
 *   ISSUER=https://auth.example.com CLIENT_ID=... CLIENT_SECRET=... API_URL=https://api.example.com \
 *     npx tsx examples/client-credentials.ts
 *
 * Use TOKEN_URL instead of ISSUER to skip discovery; SCOPE is optional (space-delimited).
 */
import axios from 'axios';
import { attachOAuth, clientCredentials } from 'axios-oauth-lock';
import { env, optionalEnv } from './env.js';

async function main(): Promise<void> {
  const issuer = optionalEnv('ISSUER');
  const api = axios.create({ baseURL: env('API_URL') });
  const auth = attachOAuth(api, {
    fetchToken: clientCredentials({
      ...(issuer ? { issuer } : { tokenUrl: env('TOKEN_URL') }),
      clientId: env('CLIENT_ID'),
      clientSecret: env('CLIENT_SECRET'),
      scope: optionalEnv('SCOPE')?.split(' '),
    }),
  });

  // Three requests at once: one token request, three API calls.
  const responses = await Promise.all([api.get('/orders/1'), api.get('/orders/2'), api.get('/orders/3')]);
  for (const response of responses) console.log(response.status, JSON.stringify(response.data));
  auth.detach();
}

main().catch((error: unknown) => {
  console.error(String(error)); // errors from attachOAuth and the grants carry no secrets
  process.exitCode = 1;
});
