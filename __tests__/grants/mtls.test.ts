import https from 'node:https';
import axios from 'axios';
import { clientCredentials } from '../../lib/grants';
import { clientAuthentication } from '../../lib/grants/client-auth';
import { startMtlsServer, type MtlsServer } from '../support/mtls-server';
import { ctx, rejectionOf } from './helpers';

let server: MtlsServer;
beforeAll(async () => {
  server = await startMtlsServer((path, body) => {
    const issuer = server.baseURL;
    if (path === '/.well-known/openid-configuration') {
      return [
        200,
        {
          issuer,
          token_endpoint: `${issuer}/token`,
          mtls_endpoint_aliases: { token_endpoint: `${issuer}/mtls/token` },
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'tls_client_auth', 'self_signed_tls_client_auth'],
        },
      ];
    }
    const clientId = new URLSearchParams(body).get('client_id');
    if (clientId !== 'orders-service') return [401, { error: 'invalid_client' }];
    return [200, { access_token: `at-${path.replace(/\W/g, '')}`, token_type: 'Bearer', expires_in: 60 }];
  });
});
afterAll(() => server.stop());

const agents: https.Agent[] = [];
afterEach(() => agents.splice(0).forEach((agent) => agent.destroy()));
function httpClient(withCertificate: boolean) {
  const agent = new https.Agent({ ca: server.ca, ...(withCertificate ? server.client : {}), keepAlive: false });
  agents.push(agent);
  return axios.create({ httpsAgent: agent });
}

describe('mutual TLS client authentication (RFC 8705)', () => {
  it('sends only client_id: the certificate of the httpClient agent authenticates', async () => {
    expect(clientAuthentication('tls_client_auth', 'svc', undefined)).toEqual({ params: [['client_id', 'svc']], headers: {} });
    const grant = clientCredentials({
      tokenUrl: `${server.baseURL}/token`,
      clientId: 'orders-service',
      authMethod: 'self_signed_tls_client_auth',
      httpClient: httpClient(true),
      maxRetries: 0,
    });
    await expect(grant(ctx())).resolves.toMatchObject({ accessToken: 'at-token' });
    const request = server.requests.at(-1)!;
    expect(request.clientCn).toBe('orders-service');
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'orders-service',
    });
    expect(request.authorization).toBeUndefined();
  });

  it("uses discovery's mtls_endpoint_aliases with a TLS method, and the plain endpoint otherwise", async () => {
    const before = server.requests.length;
    const mtls = clientCredentials({
      issuer: server.baseURL,
      clientId: 'orders-service',
      authMethod: 'tls_client_auth',
      httpClient: httpClient(true),
    });
    await expect(mtls(ctx())).resolves.toMatchObject({ accessToken: 'at-mtlstoken' });
    const plain = clientCredentials({
      issuer: server.baseURL,
      clientId: 'orders-service',
      clientSecret: 'cs-0123456789',
      authMethod: 'client_secret_post',
      httpClient: httpClient(true),
    });
    await expect(plain(ctx())).resolves.toMatchObject({ accessToken: 'at-token' });
    expect(server.requests.slice(before).map((r) => r.path)).toEqual(['/.well-known/openid-configuration', '/mtls/token', '/token']);
  });

  it('fails without a client certificate: the server ends the handshake', async () => {
    const before = server.requests.length;
    const grant = clientCredentials({
      tokenUrl: `${server.baseURL}/token`,
      clientId: 'orders-service',
      authMethod: 'tls_client_auth',
      httpClient: httpClient(false),
      maxRetries: 0,
    });
    const error = await rejectionOf(grant(ctx()));
    expect(axios.isAxiosError(error)).toBe(true);
    expect(server.requests.length).toBe(before);
  });

  it('needs no clientSecret', () => {
    expect(() => clientCredentials({ tokenUrl: `${server.baseURL}/token`, clientId: 'x', authMethod: 'tls_client_auth' })).not.toThrow();
  });
});
