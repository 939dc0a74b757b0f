import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientCredentials, passwordGrant, refreshTokenGrant } from '../../lib/grants';
import { TokenManager } from '../../lib/core/token-manager';
import type { Token } from '../../lib/core/token';
import { TOKEN_URL, ctx, everyRendering, mockAuthServer, rejectionOf } from './helpers';

// Reliability H-53 / S-25: no secret in JSON.stringify, util.inspect, String, stack, down the cause chain.
// Letters and digits only, so the form-encoded value on the wire is the same string we look for.
const SECRETS = { clientSecret: 'cs9f8e7d6c5b4a', password: 'pwTr0ub4dor3', refreshToken: 'rt0a1b2c3d4e5f', accessToken: 'atffeeddccbbaa' };
const basicOf = (id: string, secret: string) => btoa(`${id}:${secret}`);
const lastToken: Token = { accessToken: SECRETS.accessToken, refreshToken: SECRETS.refreshToken, tokenType: 'Bearer', obtainedAt: 0 };

function expectNoSecrets(error: unknown): void {
  const rendered = everyRendering(error);
  for (const secret of [...Object.values(SECRETS), basicOf('app', SECRETS.clientSecret)]) expect(rendered).not.toContain(secret);
}

/** A loopback port with nothing listening: a real ECONNREFUSED through Node's http adapter. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('secrets never leak through errors', () => {
  it('redacts a real connection error of the password grant (body, Basic header, raw request)', async () => {
    const tokenUrl = `http://127.0.0.1:${await closedPort()}/token`;
    const grant = passwordGrant({
      tokenUrl,
      clientId: 'app',
      clientSecret: SECRETS.clientSecret,
      username: 'alice',
      password: SECRETS.password,
      maxRetries: 0,
    });
    const error = await rejectionOf(grant(ctx()));

    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
    expectNoSecrets(error);
  });

  it('redacts a network error of the refresh grant, alone and wrapped by the token manager', async () => {
    const { http: client, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).networkError();
    const grant = refreshTokenGrant({
      tokenUrl: TOKEN_URL,
      clientId: 'app',
      clientSecret: SECRETS.clientSecret,
      authMethod: 'client_secret_post',
      httpClient: client,
      maxRetries: 0,
    });
    expectNoSecrets(await rejectionOf(grant(ctx(lastToken))));
    const manager = new TokenManager({
      fetchToken: grant,
      initialToken: { accessToken: SECRETS.accessToken, refreshToken: SECRETS.refreshToken },
    });
    const error = await rejectionOf(manager.refresh());

    expect(error).toMatchObject({ name: 'TokenRefreshError', cause: expect.objectContaining({ message: 'Network Error' }) });
    expectNoSecrets(error);
  });

  it('scrubs secrets an authorization server echoes in error_description', async () => {
    const { http: client, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(400, {
      error: 'invalid_grant',
      error_description: `unknown token ${SECRETS.refreshToken} for secret ${SECRETS.clientSecret}`,
    });
    const grant = refreshTokenGrant({ tokenUrl: TOKEN_URL, clientId: 'app', clientSecret: SECRETS.clientSecret, httpClient: client });
    const error = await rejectionOf(grant(ctx(lastToken)));

    expect(error.message).toContain('[REDACTED]');
    expectNoSecrets(error);
  });

  it('redacts a timed-out client credentials request', async () => {
    const { http: client, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).timeout();
    const error = await rejectionOf(
      clientCredentials({ tokenUrl: TOKEN_URL, clientId: 'app', clientSecret: SECRETS.clientSecret, httpClient: client, maxRetries: 0 })(
        ctx(),
      ),
    );

    expect((error as { code?: string }).code).toBe('ECONNABORTED');
    expectNoSecrets(error);
  });
});
