/**
 * The core in one file: a custom token source, a burst of concurrent requests, a server-side revocation.
 * Run it with `npx tsx examples/basic.ts`. It starts its own API on 127.0.0.1 and exits when done.
 */
import axios from 'axios';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachOAuth } from 'axios-oauth-lock';

async function main(): Promise<void> {
  const validTokens = new Set<string>();
  let issued = 0;
  // The API: 200 for a token it knows, 401 otherwise.
  const server = createServer((req, res) => {
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    res.statusCode = validTokens.has(token) ? 200 : 401;
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const api = axios.create({ baseURL });
  const auth = attachOAuth(api, {
    // Stands in for your login or token endpoint call; it runs once however many requests need a token.
    fetchToken: async ({ reason }) => {
      const accessToken = `token-${++issued}`;
      validTokens.add(accessToken);
      console.log(`token source called (${reason}) -> ${accessToken}`);
      return { accessToken, expiresIn: 3600 };
    },
    onTokenUpdate: (token) => console.log(`new token, expires ${new Date(token.expiresAt!).toISOString()}`),
  });

  const first = await Promise.all(Array.from({ length: 50 }, (_, i) => api.get(`/orders/${i}`)));
  console.log(`${first.length} concurrent requests, ${issued} token fetch`);

  validTokens.clear(); // the server revokes every token: the next wave gets 401s
  const second = await Promise.all(Array.from({ length: 50 }, (_, i) => api.get(`/orders/${i}`)));
  console.log(`${second.length} requests after a revocation, ${issued} token fetches in all (one refresh for the whole 401 wave)`);

  auth.detach();
  server.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
