/*
 * Password grant (RFC 6749 §4.3). LEGACY: RFC 9700 §2.4 says not to use it. Only for first-party apps that cannot
 * move to the authorization code flow yet. The password is used for the first token; renewals use the refresh token.
 *
 *   TOKEN_URL=https://auth.example.com/token CLIENT_ID=... CLIENT_SECRET=... OAUTH_USERNAME=... OAUTH_PASSWORD=... \
 *   API_URL=https://api.example.com npx tsx examples/password.ts
 *
 * AUTH_METHOD=client_secret_post for servers that do not decode form-encoded Basic credentials.
 */
import axios from 'axios';
import { attachOAuth, passwordGrant, type ClientAuthMethod } from 'axios-oauth-lock';
import { env, optionalEnv } from './env.js';

async function main(): Promise<void> {
  const api = axios.create({ baseURL: env('API_URL') });
  const authMethod = optionalEnv('AUTH_METHOD') as ClientAuthMethod | undefined;
  const auth = attachOAuth(api, {
    fetchToken: passwordGrant({
      tokenUrl: env('TOKEN_URL'),
      clientId: env('CLIENT_ID'),
      clientSecret: env('CLIENT_SECRET'),
      ...(authMethod ? { authMethod } : {}),
      username: env('OAUTH_USERNAME'),
      password: env('OAUTH_PASSWORD'),
    }),
  });

  const first = await api.get('/orders');
  await auth.refresh(); // renews with the refresh token, not the password
  const second = await api.get('/orders');
  console.log(first.status, second.status, JSON.stringify(second.data));
  auth.detach();
}

main().catch((error: unknown) => {
  console.error(String(error));
  process.exitCode = 1;
});
