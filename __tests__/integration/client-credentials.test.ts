import axios from 'axios';
import { OAuthError } from '../../lib/core/errors';
import { clientCredentials } from '../../lib/grants';
import { useAuthStack } from './use-auth-stack';

// Against a real authorization server (oidc-provider) and an API that verifies every JWT with the server's JWKS.
const stack = useAuthStack({ accessTokenTtlSeconds: 60 });

const ctx = () => ({ reason: 'initial' as const, lastToken: null, signal: new AbortController().signal });

/** Gets a token from the grant and has the protected API verify it. */
async function verifiedBy(grant: ReturnType<typeof clientCredentials>): Promise<{ clientId: string; scope: string }> {
  const token = (await grant(ctx())) as { accessToken: string; tokenType: string };
  const response = await axios.get(`${stack.api.baseURL}/orders`, {
    headers: { Authorization: `${token.tokenType} ${token.accessToken}` },
  });
  return response.data as { clientId: string; scope: string };
}

describe('client credentials against oidc-provider', () => {
  it('gets a token the API accepts by tokenUrl with client_secret_basic', async () => {
    const grant = clientCredentials({ tokenUrl: stack.auth.tokenUrl, ...stack.auth.clients.basic, scope: 'orders:read' });
    await expect(verifiedBy(grant)).resolves.toEqual(expect.objectContaining({ clientId: 'cc-basic', scope: 'orders:read' }));
  });

  it('gets a token the API accepts by tokenUrl with client_secret_post', async () => {
    const grant = clientCredentials({
      tokenUrl: stack.auth.tokenUrl,
      ...stack.auth.clients.post,
      authMethod: 'client_secret_post',
      scope: ['orders:read', 'orders:write'],
    });
    await expect(verifiedBy(grant)).resolves.toEqual(expect.objectContaining({ clientId: 'cc-post', scope: 'orders:read orders:write' }));
  });

  it('discovers the token endpoint from the issuer, with client_secret_basic by default', async () => {
    const grant = clientCredentials({ issuer: stack.auth.issuer, ...stack.auth.clients.basic, scope: 'orders:read' });
    await expect(verifiedBy(grant)).resolves.toEqual(expect.objectContaining({ clientId: 'cc-basic' }));
  });

  it('discovers the token endpoint from the issuer, with client_secret_post', async () => {
    const grant = clientCredentials({
      issuer: stack.auth.issuer,
      ...stack.auth.clients.post,
      authMethod: 'client_secret_post',
      scope: 'orders:read',
    });
    await expect(verifiedBy(grant)).resolves.toEqual(expect.objectContaining({ clientId: 'cc-post' }));
  });

  it('asks for the API as an RFC 8707 resource', async () => {
    const grant = clientCredentials({
      tokenUrl: stack.auth.tokenUrl,
      ...stack.auth.clients.basic,
      resource: stack.auth.resource,
      scope: 'orders:read',
    });
    await expect(verifiedBy(grant)).resolves.toEqual(expect.objectContaining({ clientId: 'cc-basic' }));
  });

  it('turns a wrong client secret into OAuthError invalid_client without leaking either secret', async () => {
    const wrong = 'wrongSecret0123456789';
    const grant = clientCredentials({ tokenUrl: stack.auth.tokenUrl, clientId: stack.auth.clients.basic.clientId, clientSecret: wrong });
    const error = await Promise.resolve(grant(ctx())).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ error: 'invalid_client', status: 401 });
    expect(JSON.stringify(error)).not.toContain(wrong);
  });

  it('is refused by the API with a tampered token (the API really verifies signatures)', async () => {
    const token = (await clientCredentials({ tokenUrl: stack.auth.tokenUrl, ...stack.auth.clients.basic })(ctx())) as {
      accessToken: string;
    };
    const tampered = `${token.accessToken.slice(0, -4)}AAAA`;
    const response = await axios.get(`${stack.api.baseURL}/orders`, {
      headers: { Authorization: `Bearer ${tampered}` },
      validateStatus: () => true,
    });
    expect(response.status).toBe(401);
  });
});
