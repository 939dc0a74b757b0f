/*
 * Refresh token (RFC 6749 §6): you already have tokens (e.g. from a login flow) and keep them fresh.
 *
 *   TOKEN_URL=https://auth.example.com/token CLIENT_ID=... REFRESH_TOKEN=... API_URL=https://api.example.com \
 *     npx tsx examples/refresh-token.ts
 *
 * CLIENT_SECRET is optional (public clients have none). ACCESS_TOKEN is optional: without it the first request
 * redeems the refresh token straight away.
 */
import axios from 'axios';
import { attachOAuth, isOAuthError, refreshTokenGrant } from 'axios-oauth-lock';
import { env, optionalEnv } from './env.js';

async function main(): Promise<void> {
  const api = axios.create({ baseURL: env('API_URL') });
  const clientSecret = optionalEnv('CLIENT_SECRET');
  let rotations = 0;
  const auth = attachOAuth(api, {
    fetchToken: refreshTokenGrant({ tokenUrl: env('TOKEN_URL'), clientId: env('CLIENT_ID'), ...(clientSecret ? { clientSecret } : {}) }),
    initialToken: { accessToken: optionalEnv('ACCESS_TOKEN') ?? 'none-yet', refreshToken: env('REFRESH_TOKEN'), expiresIn: 0 },
    // Persist here: with rotation, the old refresh token is dead once a new one arrives.
    onTokenUpdate: () => void rotations++,
    onRefreshFailed: (error) => {
      if (isOAuthError(error.cause) && error.cause.error === 'invalid_grant') console.error('Refresh token rejected: sign in again.');
    },
  });

  const response = await api.get('/me');
  await auth.refresh(); // once more, to show a second rotation
  console.log(response.status, JSON.stringify(response.data), `new tokens: ${rotations}`);
  auth.detach();
}

main().catch((error: unknown) => {
  console.error(String(error));
  process.exitCode = 1;
});
