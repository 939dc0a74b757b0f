import path from 'node:path';
import { startChildService } from './child-service';

/*
 * A protected API that answers 403 insufficient_scope (scoped-api.child.mjs), for the step-up integration test.
 *   const api = await startScopedApi({ issuer, jwksUrl, audience });   // GET /read: api:read; POST /write: api:write
 */

export interface ScopedApiStats {
  requests: number;
  ok: number;
  insufficientScope: number;
  invalidToken: number;
  /** Distinct access tokens (by `jti`) seen with a valid signature. */
  tokens: number;
}

export interface ScopedApi {
  readonly baseURL: string;
  stats(): Promise<ScopedApiStats>;
  stop(): Promise<void>;
}

export async function startScopedApi(options: { issuer: string; jwksUrl: string; audience: string }): Promise<ScopedApi> {
  const child = await startChildService(path.join(__dirname, 'scoped-api.child.mjs'), { SCOPED_API_CONFIG: JSON.stringify(options) });
  return { baseURL: `http://127.0.0.1:${child.port}`, stats: () => child.call<ScopedApiStats>('stats'), stop: () => child.stop() };
}
