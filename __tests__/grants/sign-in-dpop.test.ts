import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { generateKeyPairSync } from 'node:crypto';
import {
  TokenManager,
  attachOAuth,
  authorizationCodeGrant,
  deviceAuthorization,
  passwordGrant,
  tokenExchangeGrant,
} from '../../lib/index.js';
import { generateDPoPKeyPair } from '../../lib/dpop/key-pair';
import { createDPoPProofMaker } from '../../lib/dpop/proof-maker';
import { base64urlDecode } from '../../lib/jose/base64url';
import { JWT_BEARER_ASSERTION_TYPE } from '../../lib/grants/client-assertion';
import { startJoseCheck, type JoseCheck } from '../support/jose-check';
import { ctx, form, mockAuthServer, tokenBody } from './helpers';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecJwk = ec.privateKey.export({ format: 'jwk' }) as JsonWebKey;
const ecPublic = ec.publicKey.export({ format: 'jwk' }) as JsonWebKey;

const ISSUER = 'https://id.example.com';
const DEVICE = `${ISSUER}/device/auth`;
const TOKEN = `${ISSUER}/token`;
const REDIRECT = 'https://app.example.com/callback';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const KEY_CLIENT = { clientId: 'tv', authMethod: 'private_key_jwt' as const, privateKey: ecJwk, keyId: 'k1' };

const claimsOf = (jwt: unknown): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(base64urlDecode(String(jwt).split('.')[1]!))) as Record<string, unknown>;
const proofOf = (config: { headers?: unknown }): unknown => (config.headers as Record<string, unknown>).DPoP;

let jose: JoseCheck;
beforeAll(async () => {
  jose = await startJoseCheck();
});
afterAll(() => jose.stop());

/** The private_key_jwt client assertion of a request, verified with jose: iss = sub = client id, aud the token endpoint. */
async function clientAssertionOf(body: Record<string, string>): Promise<Record<string, unknown>> {
  expect(body.client_assertion_type).toBe(JWT_BEARER_ASSERTION_TYPE);
  const { header, payload } = await jose.verify(body.client_assertion!, ecPublic, 'ES256');
  expect(header).toEqual({ kid: 'k1', alg: 'ES256' });
  const claims = JSON.parse(payload) as Record<string, unknown>;
  expect(claims).toMatchObject({ iss: 'tv', sub: 'tv', aud: TOKEN });
  return claims;
}

describe('sign-in grants with DPoP and key-based client authentication', () => {
  it('regression: device polling signs each poll with a private_key_jwt assertion and the manager’s DPoP proof, and retries on use_dpop_nonce', async () => {
    const dpop = createDPoPProofMaker(await generateDPoPKeyPair());
    // Real timers and a 50 ms polling interval: signing runs on libuv's thread pool, which fake time cannot step, and
    // on a loaded machine a fake-time loop ran out before the signatures did.
    const { http, mock } = mockAuthServer();
    mock.onPost(DEVICE).reply(200, {
      device_code: 'device-CODE-123456',
      user_code: 'WDJB-MJHT',
      verification_uri: `${ISSUER}/device`,
      expires_in: 600,
      interval: 0.05,
    });
    mock
      .onPost(TOKEN)
      .replyOnce(400, { error: 'authorization_pending' })
      .onPost(TOKEN)
      .replyOnce(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'as-n1' })
      .onPost(TOKEN)
      .replyOnce(200, tokenBody({ token_type: 'DPoP', refresh_token: 'rt-tv' }));
    const source = deviceAuthorization({
      deviceAuthorizationUrl: DEVICE,
      tokenUrl: TOKEN,
      ...KEY_CLIENT,
      httpClient: http,
      maxRetries: 0,
      onUserCode: () => undefined,
    });
    const manager = new TokenManager({ fetchToken: jest.fn(), dpop });
    await expect(manager.signIn(source)).resolves.toMatchObject({ accessToken: 'at-1', tokenType: 'DPoP', refreshToken: 'rt-tv' });
    const history = mock.history.post;
    {
      const [authRequest, ...polls] = history;
      expect(polls).toHaveLength(3);
      // RFC 8628 §3.1: the device authorization request is client-authenticated too; DPoP is for the token endpoint only.
      await clientAssertionOf(form(authRequest!));
      expect(proofOf(authRequest!)).toBeUndefined();
      const jtis = new Set<unknown>();
      for (const poll of polls) {
        const body = form(poll);
        expect(body).toMatchObject({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'device-CODE-123456' });
        jtis.add((await clientAssertionOf(body)).jti);
        expect(claimsOf(proofOf(poll))).toMatchObject({ htm: 'POST', htu: TOKEN });
      }
      expect(jtis.size).toBe(3);
      expect(claimsOf(proofOf(polls[1]!)).nonce).toBeUndefined();
      expect(claimsOf(proofOf(polls[2]!)).nonce).toBe('as-n1');
    }
  });

  it('regression: the authorization code redemption carries the client assertion and a DPoP proof of the manager’s key', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN).reply(200, tokenBody({ token_type: 'DPoP' }));
    const source = authorizationCodeGrant({
      tokenUrl: TOKEN,
      ...KEY_CLIENT,
      httpClient: http,
      redirectUri: REDIRECT,
      callbackUrl: `${REDIRECT}?code=code-ABCDEFGH&state=state-12345678`,
      state: 'state-12345678',
      codeVerifier: VERIFIER,
    });
    const keys = await generateDPoPKeyPair();
    const manager = new TokenManager({ fetchToken: jest.fn(), dpop: createDPoPProofMaker(keys) });
    await expect(manager.signIn(source)).resolves.toMatchObject({ tokenType: 'DPoP' });
    expect(mock.history.post).toHaveLength(1);
    const redemption = mock.history.post[0]!;
    expect(form(redemption)).toMatchObject({ grant_type: 'authorization_code', code: 'code-ABCDEFGH', code_verifier: VERIFIER });
    await clientAssertionOf(form(redemption));
    const proof = String(proofOf(redemption));
    const publicJwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
    const { header } = await jose.verify(proof, publicJwk, 'ES256');
    expect(header).toMatchObject({ typ: 'dpop+jwt', jwk: { kty: 'EC', crv: 'P-256', x: publicJwk.x, y: publicJwk.y } });
    expect(claimsOf(proof)).toMatchObject({ htm: 'POST', htu: TOKEN });
  });

  it('regression: signIn() on a handle with dpop gets a DPoP token, then the API gets it with a proof bound to it', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN).reply(200, tokenBody({ token_type: 'DPoP', access_token: 'at-signed-in' }));
    const api = axios.create({ baseURL: 'https://api.example.com' });
    const apiMock = new MockAdapter(api, { onNoMatch: 'throwException' });
    apiMock.onGet('https://api.example.com/orders').reply(200, { ok: true });
    const fetchToken = jest.fn(async () => 'never');
    const auth = attachOAuth(api, { dpop: true, fetchToken });
    await auth.signIn(
      authorizationCodeGrant({
        tokenUrl: TOKEN,
        clientId: 'spa',
        httpClient: http,
        redirectUri: REDIRECT,
        callbackUrl: `${REDIRECT}?code=code-ABCDEFGH&state=state-12345678`,
        state: 'state-12345678',
        codeVerifier: VERIFIER,
      }),
    );
    const tokenProof = String(proofOf(mock.history.post[0]!));
    await api.get('/orders');
    expect(fetchToken).not.toHaveBeenCalled();
    expect(apiMock.history.get).toHaveLength(1);
    const request = apiMock.history.get[0]!;
    const headers = request.headers as Record<string, unknown>;
    expect(headers.Authorization).toBe('DPoP at-signed-in');
    const apiProof = String(headers.DPoP);
    const tokenKey = (JSON.parse(new TextDecoder().decode(base64urlDecode(tokenProof.split('.')[0]!))) as { jwk: JsonWebKey }).jwk;
    // The API proof is signed by the very key the sign-in's token request proved: the token is bound to it.
    const { header } = await jose.verify(apiProof, tokenKey, 'ES256');
    expect(header.jwk).toEqual(tokenKey);
    expect(claimsOf(apiProof)).toMatchObject({ htm: 'GET', htu: 'https://api.example.com/orders', ath: expect.any(String) });
  });

  it('passwordGrant signs its password request and its refresh with the manager’s DPoP proof maker', async () => {
    const { http, mock } = mockAuthServer();
    mock
      .onPost(TOKEN)
      .replyOnce(200, tokenBody({ token_type: 'DPoP', refresh_token: 'rt-pw' }))
      .onPost(TOKEN)
      .replyOnce(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'as-n1' })
      .onPost(TOKEN)
      .replyOnce(200, tokenBody({ token_type: 'DPoP', access_token: 'at-2' }));
    const source = passwordGrant({
      tokenUrl: TOKEN,
      ...KEY_CLIENT,
      httpClient: http,
      username: 'alice',
      password: 'pw-S3cret!!',
      scope: 'a',
    });
    const keys = await generateDPoPKeyPair();
    const publicJwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
    const manager = new TokenManager({ fetchToken: source, dpop: createDPoPProofMaker(keys) });
    await expect(manager.signIn(source)).resolves.toMatchObject({ tokenType: 'DPoP', refreshToken: 'rt-pw' });
    await expect(manager.refresh()).resolves.toMatchObject({ accessToken: 'at-2', tokenType: 'DPoP' });
    const [password, refusedRefresh, refresh] = mock.history.post;
    expect(form(password!)).toMatchObject({ grant_type: 'password', username: 'alice', scope: 'a' });
    expect(form(refresh!)).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-pw', scope: 'a' });
    await clientAssertionOf(form(password!));
    for (const request of [password!, refusedRefresh!, refresh!]) {
      const proof = String(proofOf(request));
      await jose.verify(proof, publicJwk, 'ES256');
      expect(claimsOf(proof)).toMatchObject({ htm: 'POST', htu: TOKEN });
    }
    expect(claimsOf(proofOf(refresh!))).toMatchObject({ nonce: 'as-n1' });
  });

  it('regression: token exchange signs its request with the context’s DPoP proof maker', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN).reply(200, tokenBody({ token_type: 'DPoP', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' }));
    const grant = tokenExchangeGrant({
      tokenUrl: TOKEN,
      ...KEY_CLIENT,
      httpClient: http,
      subjectToken: () => 'subject-token-abcdef',
      subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token',
    });
    const dpop = createDPoPProofMaker(await generateDPoPKeyPair());
    await expect(grant({ ...ctx(), dpop })).resolves.toMatchObject({ tokenType: 'DPoP' });
    await clientAssertionOf(form(mock.history.post[0]!));
    expect(claimsOf(proofOf(mock.history.post[0]!))).toMatchObject({ htm: 'POST', htu: TOKEN });
  });
});
