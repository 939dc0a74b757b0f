import { startAuthServer, type AuthServer } from '../../__tests__/support/auth-server';
import { startProtectedApi, type ProtectedApi } from '../../__tests__/support/protected-api';

/** The two real servers of the demo, both on 127.0.0.1 (the same ones the integration tests use). */
export interface DemoServers {
  auth: AuthServer;
  api: ProtectedApi;
  stop(): Promise<void>;
}

/**
 * An oidc-provider authorization server issuing short-lived RS256 JWT access tokens, and a resource server that
 * verifies each one against the published JWKS (signature, issuer, audience, expiry).
 */
export async function startServers(tokenTtlSeconds: number): Promise<DemoServers> {
  const auth = await startAuthServer({ accessTokenTtlSeconds: tokenTtlSeconds });
  try {
    const api = await startProtectedApi({ issuer: auth.issuer, jwksUrl: auth.jwksUrl, audience: auth.resource });
    return { auth, api, stop: async () => void (await Promise.all([api.stop(), auth.stop()])) };
  } catch (error) {
    await auth.stop();
    throw error;
  }
}
