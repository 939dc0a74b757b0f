import axios from 'axios';
import { attachOAuth, clientCredentials, isOAuthError } from '../../lib';
import { startDPoPApi, startDPoPAuthServer, type DPoPApi, type DPoPAuthServer } from '../support/auth-server-dpop';

/*
 * Issue 11 end to end: oidc-provider issuing DPoP-bound tokens (nonces required at its token endpoint) to clients
 * that authenticate with private_key_jwt, client_secret_jwt or a secret, and an API that verifies every proof for
 * real (signature, htm, htu, iat, jti replay, ath, cnf.jkt) and requires its own nonce.
 */

let auth: DPoPAuthServer;
let api: DPoPApi;
beforeAll(async () => {
  auth = await startDPoPAuthServer();
  api = await startDPoPApi(auth);
}, 30_000);
afterAll(async () => {
  await api?.stop();
  await auth?.stop();
});

describe('DPoP against oidc-provider and a verifying API', () => {
  it('100 concurrent requests from cold: one grant, every request succeeds, no proof is used twice', async () => {
    const grantsBefore = (await auth.stats()).grants;
    const client = axios.create({ baseURL: api.baseURL });
    attachOAuth(client, { dpop: true, fetchToken: clientCredentials({ issuer: auth.issuer, ...auth.clients.dpop }) });

    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => client.get(`/orders/${i}`, { params: { q: i } })));

    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect((await auth.stats()).grants - grantsBefore).toBe(1);
    const stats = await api.stats();
    expect(stats).toMatchObject({ accepted: 100, rejected: 0, replayedProofs: 0, distinctTokens: 1 });
    // Each cold request met the API's nonce once and was replayed with it: 100 challenges, 200 distinct proofs.
    expect(stats.nonceChallenges).toBe(100);
    expect(stats.requests).toBe(200);
  });

  it('the token endpoint required its nonce: the first token request was answered use_dpop_nonce', async () => {
    expect((await auth.stats()).errors.some((e) => /nonce/i.test(e))).toBe(true);
  });

  it('a revocation wave: 50 requests refused at once get one new token between them, each replayed once', async () => {
    const client = axios.create({ baseURL: api.baseURL });
    attachOAuth(client, { dpop: true, fetchToken: clientCredentials({ issuer: auth.issuer, ...auth.clients.dpop }) });
    await client.get('/warm');
    const grants = (await auth.stats()).grants;
    await api.revokeSeenTokens();
    const before = await api.stats();
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => client.get(`/wave/${i}`)));
    const after = await api.stats();
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect((await auth.stats()).grants - grants).toBe(1);
    expect(after.accepted - before.accepted).toBe(50);
    expect(after.reasons['token revoked']! - (before.reasons['token revoked'] ?? 0)).toBe(50);
    expect(after.replayedProofs).toBe(0);
  });

  it('a rotated API nonce costs one replay per request and no new token', async () => {
    const client = axios.create({ baseURL: api.baseURL });
    attachOAuth(client, { dpop: true, fetchToken: clientCredentials({ issuer: auth.issuer, ...auth.clients.dpop }) });
    await client.get('/warm');
    const grants = (await auth.stats()).grants;
    await api.rotateNonce();
    const before = await api.stats();
    await Promise.all([client.get('/a'), client.get('/b')]);
    const after = await api.stats();
    expect(after.accepted - before.accepted).toBe(2);
    expect(after.nonceChallenges - before.nonceChallenges).toBe(2);
    expect((await auth.stats()).grants).toBe(grants);
  });

  it.each([
    [
      'private_key_jwt ES256',
      () => ({ clientId: auth.clients.es256.clientId, privateKey: auth.clients.es256.privateKey, keyId: auth.clients.es256.keyId }),
    ],
    [
      'private_key_jwt RS256',
      () => ({ clientId: auth.clients.rs256.clientId, privateKey: auth.clients.rs256.privateKey, keyId: auth.clients.rs256.keyId }),
    ],
    ['client_secret_jwt', () => ({ ...auth.clients.hs256, authMethod: 'client_secret_jwt' as const })],
    [
      'private_key_jwt with aud = the token endpoint only',
      () => ({
        clientId: auth.clients.endpointAud.clientId,
        privateKey: auth.clients.endpointAud.privateKey,
        keyId: auth.clients.endpointAud.keyId,
        assertionAudience: 'token-endpoint' as const,
      }),
    ],
  ])('%s: a DPoP-bound token the API accepts', async (_name, options) => {
    const client = axios.create({ baseURL: api.baseURL });
    attachOAuth(client, { dpop: true, fetchToken: clientCredentials({ issuer: auth.issuer, ...options() }) });
    const response = await client.get('/whoami');
    expect(response.data).toEqual({ ok: true, clientId: options().clientId });
  });

  it('the token-endpoint-only client is refused with the issuer as aud (the default)', async () => {
    const grant = clientCredentials({
      issuer: auth.issuer,
      clientId: auth.clients.endpointAud.clientId,
      privateKey: auth.clients.endpointAud.privateKey,
      keyId: auth.clients.endpointAud.keyId,
    });
    const error = await Promise.resolve(grant({ reason: 'initial', lastToken: null, signal: new AbortController().signal })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isOAuthError(error) && error.error).toBe('invalid_client');
  });
});
