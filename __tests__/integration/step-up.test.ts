import axios from 'axios';
import { attachOAuth, clientCredentials, InsufficientScopeError, type TokenSourceContext } from '../../lib/index.js';
import { startScopeAuthServer, type ScopeAuthServer } from '../support/scope-auth-server';
import { startScopedApi, type ScopedApi } from '../support/scoped-api';

/*
 * Issue 10 against a real authorization server (oidc-provider, client credentials with RFC 8707 resources) and an API
 * that verifies every JWT and answers 403 insufficient_scope for a missing scope.
 */

let auth: ScopeAuthServer;
let api: ScopedApi;
beforeAll(async () => {
  auth = await startScopeAuthServer();
  api = await startScopedApi({ issuer: auth.issuer, jwksUrl: auth.jwksUrl, audience: auth.resource });
});
afterAll(async () => {
  await api?.stop();
  await auth?.stop();
});

/** The grant of `client`, starting with `api:read`, with its calls' contexts recorded. */
function instanceFor(client: ScopeAuthServer['clients']['full']) {
  const grant = clientCredentials({ tokenUrl: auth.tokenUrl, ...client, scope: 'api:read' });
  const contexts: TokenSourceContext[] = [];
  const fetchToken = jest.fn((context: TokenSourceContext) => {
    contexts.push(context);
    return grant(context);
  });
  const instance = axios.create({ baseURL: api.baseURL });
  const handle = attachOAuth(instance, { fetchToken });
  return { instance, handle, fetchToken, contexts };
}

describe('step-up against oidc-provider', () => {
  it('steps a client allowed api:write up from api:read with one token request, for a wave of requests', async () => {
    const { instance, handle, fetchToken, contexts } = instanceFor(auth.clients.full);
    expect((await instance.get('/read')).data).toMatchObject({ scope: 'api:read' });
    const before = await api.stats();
    const wave = await Promise.all(Array.from({ length: 5 }, () => instance.post('/write')));
    expect(wave.map((r) => r.data.scope)).toEqual(Array(5).fill('api:read api:write'));
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(contexts[1]).toMatchObject({ reason: 'step-up', scope: ['api:read', 'api:write'] });
    expect((await handle.getToken()).scope).toBe('api:read api:write');
    const after = await api.stats();
    expect(after.tokens - before.tokens).toBe(1);
    expect(after.insufficientScope - before.insufficientScope).toBe(5);
    // Later refreshes keep the scope the step-up got.
    await handle.refresh();
    expect((await instance.post('/write')).data.scope).toBe('api:read api:write');
    expect(fetchToken).toHaveBeenCalledTimes(3);
  });

  it('rejects for a client not allowed api:write with InsufficientScopeError, and keeps its api:read token', async () => {
    const { instance, handle, fetchToken } = instanceFor(auth.clients.readOnly);
    await instance.get('/read');
    const token = await handle.getToken();
    const error = await instance.post('/write').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', reason: 'refused', requiredScope: ['api:write'] });
    expect((error as InsufficientScopeError).challenge?.params).toMatchObject({ realm: 'scoped-api', scope: 'api:write' });
    expect(((error as Error).cause as Error).cause).toMatchObject({ error: 'invalid_scope' });
    expect(await handle.getToken()).toBe(token);
    expect((await instance.get('/read')).status).toBe(200);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });
});
