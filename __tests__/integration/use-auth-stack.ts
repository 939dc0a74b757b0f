import { startAuthServer, type AuthServer, type AuthServerOptions } from '../support/auth-server';
import { startProtectedApi, type ProtectedApi } from '../support/protected-api';

/**
 * Starts a real authorization server and a protected API that trusts it before the file's tests, and stops both
 * after them. The fields are set once `beforeAll` has run.
 */
export function useAuthStack(options: AuthServerOptions): { readonly auth: AuthServer; readonly api: ProtectedApi } {
  const stack = {} as { auth: AuthServer; api: ProtectedApi };
  beforeAll(async () => {
    stack.auth = await startAuthServer(options);
    stack.api = await startProtectedApi({ issuer: stack.auth.issuer, jwksUrl: stack.auth.jwksUrl, audience: stack.auth.resource });
  });
  afterAll(async () => {
    await stack.api?.stop();
    await stack.auth?.stop();
  });
  return stack;
}
