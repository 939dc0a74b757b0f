import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OAuth2Server, { Request, Response, type Client, type RefreshToken, type Token, type User } from '@node-oauth/oauth2-server';

/*
 * A real OAuth 2.0 server for the password grant, which oidc-provider does not offer: @node-oauth/oauth2-server with
 * an in-memory model, on 127.0.0.1, in this process (it is CommonJS). It issues opaque tokens, rotates refresh
 * tokens, and protects `<baseURL>/api/*` with its own bearer authentication (the model's stored, unexpired token).
 *
 *   const server = await startPasswordServer({ accessTokenTtlSeconds: 2 });
 *   passwordGrant({ tokenUrl: server.tokenUrl, ...server.client, ...server.user })  // client includes authMethod
 *   axios.create({ baseURL: `${server.baseURL}/api` })   // 200 {user} or 401 invalid_token
 *   server.stats                                          // { passwordGrants, refreshGrants, apiAccepted, apiRejected }
 *   await server.stop()
 */

export interface PasswordServer {
  readonly baseURL: string;
  readonly tokenUrl: string;
  readonly client: { clientId: string; clientSecret: string; authMethod: 'client_secret_post' };
  readonly user: { username: string; password: string };
  readonly stats: { passwordGrants: number; refreshGrants: number; apiAccepted: number; apiRejected: number };
  stop(): Promise<void>;
}

export async function startPasswordServer(options: { accessTokenTtlSeconds?: number } = {}): Promise<PasswordServer> {
  // This server's Basic parser does not undo RFC 6749 Appendix B encoding (the `-` in the id arrives as `%2D`), a
  // common interop gap: use it with authMethod 'client_secret_post', as `client.authMethod` says.
  const client = { clientId: 'legacy-app', clientSecret: randomBytes(16).toString('hex'), authMethod: 'client_secret_post' as const };
  const user = { username: 'alice', password: `pw${randomBytes(12).toString('hex')}` };
  const stats = { passwordGrants: 0, refreshGrants: 0, apiAccepted: 0, apiRejected: 0 };
  const oauth = new OAuth2Server({
    model: memoryModel(client, user, stats),
    accessTokenLifetime: options.accessTokenTtlSeconds ?? 60,
    refreshTokenLifetime: 3600,
  });
  const server = http.createServer((req, res) => void handle(oauth, stats, req, res));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseURL,
    tokenUrl: `${baseURL}/token`,
    client,
    user,
    stats,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  oauth: OAuth2Server,
  stats: PasswordServer['stats'],
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const request = new Request({
    method: req.method ?? 'GET',
    headers: req.headers as Record<string, string>,
    query: Object.fromEntries(url.searchParams),
    body: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
  });
  const response = new Response();
  try {
    if (url.pathname === '/token') {
      await oauth.token(request, response);
    } else {
      const token = await oauth.authenticate(request, response);
      stats.apiAccepted++;
      response.body = { path: url.pathname, user: (token.user as { username: string }).username };
    }
  } catch (error) {
    if (url.pathname !== '/token') stats.apiRejected++;
    const e = error as { code?: number; name?: string; message?: string };
    response.status = e.code ?? 500;
    response.body = { error: e.name ?? 'server_error', error_description: e.message };
  }
  res.writeHead(response.status ?? 200, { ...(response.headers as Record<string, string>), 'content-type': 'application/json' });
  res.end(JSON.stringify(response.body));
}

function memoryModel(client: PasswordServer['client'], user: PasswordServer['user'], stats: PasswordServer['stats']) {
  const accessTokens = new Map<string, Token>();
  const refreshTokens = new Map<string, Token>();
  const registered: Client = { id: client.clientId, grants: ['password', 'refresh_token'] };
  return {
    async getClient(clientId: string, clientSecret: string | null): Promise<Client | false> {
      return clientId === client.clientId && clientSecret === client.clientSecret ? registered : false;
    },
    async getUser(username: string, password: string): Promise<User | false> {
      if (username !== user.username || password !== user.password) return false;
      stats.passwordGrants++;
      return { username };
    },
    async saveToken(token: Token, forClient: Client, forUser: User): Promise<Token> {
      const saved = { ...token, client: forClient, user: forUser };
      accessTokens.set(token.accessToken, saved);
      if (token.refreshToken) refreshTokens.set(token.refreshToken, saved);
      return saved;
    },
    async getAccessToken(accessToken: string): Promise<Token | false> {
      return accessTokens.get(accessToken) ?? false;
    },
    async getRefreshToken(refreshToken: string): Promise<RefreshToken | false> {
      const token = refreshTokens.get(refreshToken);
      if (token) stats.refreshGrants++;
      return token ? { ...token, refreshToken } : false;
    },
    async revokeToken(token: RefreshToken | Token): Promise<boolean> {
      return refreshTokens.delete(token.refreshToken ?? '');
    },
  };
}
