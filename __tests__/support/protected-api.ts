import path from 'node:path';
import { startChildService } from './child-service';

/*
 * A protected API on 127.0.0.1 that verifies every bearer token for real (jose: RS256 signature against the
 * authorization server's JWKS, `iss`, `aud`, `exp`), never by comparing strings.
 *
 *   const api = await startProtectedApi({ issuer: auth.issuer, jwksUrl: auth.jwksUrl, audience: auth.resource });
 *   axios.create({ baseURL: api.baseURL })     // any path: 200 {path, sub, clientId, scope} or 401 invalid_token
 *   await api.stats()                          // { requests, accepted, rejected, distinctTokens }
 *   await api.revokeSeenTokens()               // every token accepted so far now gets 401 (forces the 401 path)
 *   await api.stop()                           // always, in afterAll
 */

export interface ProtectedApiOptions {
  /** Expected `iss` claim. */
  issuer: string;
  /** The authorization server's JWKS. */
  jwksUrl: string;
  /** Expected `aud` claim. */
  audience: string;
  /** @default 0 (a free port) */
  port?: number;
  /** A page origin allowed to call the API from a browser (CORS, with the `Authorization` header). @default none */
  corsOrigin?: string;
}

export interface ProtectedApiStats {
  requests: number;
  accepted: number;
  rejected: number;
  /** Distinct access tokens (by `jti`) accepted so far. */
  distinctTokens: number;
}

export interface ProtectedApi {
  /** `http://127.0.0.1:<port>` */
  readonly baseURL: string;
  stats(): Promise<ProtectedApiStats>;
  /** Refuses every token accepted so far, as if the server had revoked them. */
  revokeSeenTokens(): Promise<void>;
  stop(): Promise<void>;
}

export async function startProtectedApi(options: ProtectedApiOptions): Promise<ProtectedApi> {
  const child = await startChildService(path.join(__dirname, 'protected-api.child.mjs'), {
    PROTECTED_API_CONFIG: JSON.stringify(options),
  });
  return {
    baseURL: `http://127.0.0.1:${child.port}`,
    stats: () => child.call<ProtectedApiStats>('stats'),
    revokeSeenTokens: async () => {
      await child.call('revokeSeenTokens');
    },
    stop: () => child.stop(),
  };
}
