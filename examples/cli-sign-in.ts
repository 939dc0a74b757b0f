/*
 * A CLI that signs its user in with the browser (authorization code + PKCE over a loopback redirect, RFC 8252 §7.3),
 * then calls an API; later tokens come from the refresh token the sign-in obtained.
 *
 *   ISSUER=https://auth.example.com CLIENT_ID=my-cli API_URL=https://api.example.com npx tsx examples/cli-sign-in.ts
 *
 * Register the client as a native (public) app with the redirect URI http://127.0.0.1/callback (any port).
 * The authorization URL is printed; with OPEN_BROWSER=1 it is also opened with the platform's opener.
 */
import { execFile } from 'node:child_process';
import axios from 'axios';
import { attachOAuth, refreshTokenGrant } from 'axios-oauth-lock';
import { loopbackAuthorization } from 'axios-oauth-lock/node';
import { env, optionalEnv } from './env.js';

function openInBrowser(url: string): void {
  console.log(`Sign in at: ${url}`);
  if (optionalEnv('OPEN_BROWSER') !== '1') return;
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  execFile(opener, [url], () => undefined); // no opener: the printed URL still works
}

async function main(): Promise<void> {
  const issuer = env('ISSUER');
  const clientId = env('CLIENT_ID');
  const api = axios.create({ baseURL: env('API_URL') });
  const auth = attachOAuth(api, { fetchToken: refreshTokenGrant({ issuer, clientId }) });

  // Ctrl-C aborts the sign-in and closes the loopback listener.
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('cancelled')));
  await auth.signIn(
    loopbackAuthorization({
      issuer,
      clientId,
      scope: ['openid', 'offline_access', ...(optionalEnv('SCOPE')?.split(' ') ?? [])],
      prompt: 'consent',
      openUrl: openInBrowser,
      timeoutMs: 120_000,
    }),
    { signal: controller.signal },
  );

  const response = await api.get('/orders');
  console.log(response.status, JSON.stringify(response.data));
  auth.detach();
}

main().catch((error: unknown) => {
  console.error(String(error));
  process.exitCode = 1;
});
