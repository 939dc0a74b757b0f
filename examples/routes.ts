/*
 * Routes: two APIs behind one axios instance, each with its own client and token (issue 10). Requests under
 * API_URL/admin use the admin client; every other request to API_URL uses the app client.
 *
 *   ISSUER=https://auth.example.com API_URL=https://api.example.com \
 *   APP_CLIENT_ID=... APP_CLIENT_SECRET=... ADMIN_CLIENT_ID=... ADMIN_CLIENT_SECRET=... \
 *     npx tsx examples/routes.ts
 */
import axios from 'axios';
import { attachOAuth, clientCredentials } from 'axios-oauth-lock';
import { env } from './env.js';

async function main(): Promise<void> {
  const issuer = env('ISSUER');
  const apiUrl = env('API_URL');
  const api = axios.create({ baseURL: apiUrl });
  const app = attachOAuth(api, {
    fetchToken: clientCredentials({ issuer, clientId: env('APP_CLIENT_ID'), clientSecret: env('APP_CLIENT_SECRET') }),
  });
  const admin = attachOAuth(api, {
    origins: `${apiUrl}/admin`, // a path narrows a rule: this handle owns /admin and /admin/…
    fetchToken: clientCredentials({ issuer, clientId: env('ADMIN_CLIENT_ID'), clientSecret: env('ADMIN_CLIENT_SECRET') }),
  });

  // Four requests at once: one token request per handle.
  const paths = ['/orders/1', '/admin/users', '/orders/2', '/admin/audit'];
  const responses = await Promise.all(paths.map((path) => api.get<{ path: string; clientId: string }>(path)));
  for (const { data } of responses) console.log(data.path, data.clientId);
  admin.detach();
  app.detach();
}

main().catch((error: unknown) => {
  console.error(String(error)); // errors from attachOAuth and the grants carry no secrets
  process.exitCode = 1;
});
