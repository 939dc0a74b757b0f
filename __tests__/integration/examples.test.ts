import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAuthServer, type AuthServer } from '../support/auth-server';
import { startPasswordServer, type PasswordServer } from '../support/password-server';
import { startProtectedApi, type ProtectedApi } from '../support/protected-api';

// Each example runs as a user would run it (`tsx examples/<file>.ts`) against the real servers.
const TSX = require.resolve('tsx/cli');
const ROOT = path.join(__dirname, '..', '..');
let auth: AuthServer;
let api: ProtectedApi;
let legacy: PasswordServer;
let workDir: string;

beforeAll(async () => {
  auth = await startAuthServer({ accessTokenTtlSeconds: 300 });
  api = await startProtectedApi({ issuer: auth.issuer, jwksUrl: auth.jwksUrl, audience: auth.resource });
  legacy = await startPasswordServer();
  workDir = mkdtempSync(path.join(tmpdir(), 'oauth-examples-'));
});
afterAll(async () => {
  await Promise.all([api?.stop(), auth?.stop(), legacy?.stop()]);
  rmSync(workDir, { recursive: true, force: true });
});

function runExample(file: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TSX, path.join('examples', file)],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('examples', () => {
  it('client-credentials.ts discovers the server and makes three authorized calls', async () => {
    const run = await runExample('client-credentials.ts', {
      ISSUER: auth.issuer,
      CLIENT_ID: auth.clients.basic.clientId,
      CLIENT_SECRET: auth.clients.basic.clientSecret,
      API_URL: api.baseURL,
      SCOPE: 'orders:read',
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.match(/^200 /gm)).toHaveLength(3);
  });

  it("routes.ts sends /admin requests with the admin client's token and the others with the app client's", async () => {
    const run = await runExample('routes.ts', {
      ISSUER: auth.issuer,
      API_URL: api.baseURL,
      APP_CLIENT_ID: auth.clients.basic.clientId,
      APP_CLIENT_SECRET: auth.clients.basic.clientSecret,
      ADMIN_CLIENT_ID: auth.clients.post.clientId,
      ADMIN_CLIENT_SECRET: auth.clients.post.clientSecret,
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { basic, post } = auth.clients;
    expect(run.stdout.trim().split('\n').sort()).toEqual(
      [
        `/admin/audit ${post.clientId}`,
        `/admin/users ${post.clientId}`,
        `/orders/1 ${basic.clientId}`,
        `/orders/2 ${basic.clientId}`,
      ].sort(),
    );
  });

  it('refresh-token.ts redeems and rotates the refresh token', async () => {
    const run = await runExample('refresh-token.ts', {
      TOKEN_URL: auth.tokenUrl,
      ...envOf(auth.clients.refresh),
      REFRESH_TOKEN: await auth.issueRefreshToken(),
      API_URL: api.baseURL,
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('new tokens: 2');
  });

  it('password.ts logs in and renews against the password server', async () => {
    const run = await runExample('password.ts', {
      TOKEN_URL: legacy.tokenUrl,
      ...envOf(legacy.client),
      AUTH_METHOD: legacy.client.authMethod,
      OAUTH_USERNAME: legacy.user.username,
      OAUTH_PASSWORD: legacy.user.password,
      API_URL: `${legacy.baseURL}/api`,
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^200 200 /);
  });

  it('stored-token-then-grant.ts asks the server on the first run and reuses the stored token on the second', async () => {
    const env = {
      TOKEN_FILE: path.join(workDir, 'token.json'),
      TOKEN_URL: auth.tokenUrl,
      ...envOf(auth.clients.basic),
      API_URL: api.baseURL,
    };
    const first = await runExample('stored-token-then-grant.ts', env);
    const second = await runExample('stored-token-then-grant.ts', env);
    expect(first).toMatchObject({ code: 0, stdout: '200 token from: authorization server\n' });
    expect(second).toMatchObject({ code: 0, stdout: '200 token from: stored token\n' });
  });

  it('an example fails with exit code 1 and a clean message when the client secret is wrong', async () => {
    const run = await runExample('client-credentials.ts', {
      TOKEN_URL: auth.tokenUrl,
      CLIENT_ID: auth.clients.basic.clientId,
      CLIENT_SECRET: 'wrongSecret',
      API_URL: api.baseURL,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('invalid_client');
    expect(run.stderr).not.toContain('wrongSecret');
  });
});

function envOf(client: { clientId: string; clientSecret: string }): Record<string, string> {
  return { CLIENT_ID: client.clientId, CLIENT_SECRET: client.clientSecret };
}
