import { ErrorCode } from '../../lib/core/errors';
import { clientCredentials, refreshTokenGrant } from '../../lib/grants';
import { generateDPoPKeyPair } from '../../lib/dpop/key-pair';
import { createDPoPProofMaker } from '../../lib/dpop/proof-maker';
import { base64urlDecode } from '../../lib/jose/base64url';
import type { DPoPProofMaker } from '../../lib/core/dpop-proof-maker';
import { expectNoSecrets } from '../support/secrets-sweep';
import { CLIENT, TOKEN_URL, ctx, mockAuthServer, rejectionOf, tokenBody } from './helpers';

const claimsOf = (proof: unknown): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(base64urlDecode(String(proof).split('.')[1]!))) as Record<string, unknown>;
const proofOf = (config: { headers?: unknown }): unknown => (config.headers as Record<string, unknown>).DPoP;

let maker: DPoPProofMaker;
beforeEach(async () => {
  maker = createDPoPProofMaker(await generateDPoPKeyPair());
});
const dpopCtx = (lastToken: Parameters<typeof ctx>[0] = null) => ({ ...ctx(lastToken), dpop: maker });

describe('DPoP at the token endpoint (RFC 9449 §5)', () => {
  it('sends a proof (htm POST, htu the endpoint, no ath) and accepts token_type DPoP in any case', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody({ token_type: 'dpop' }));
    const fields = (await clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http })(dpopCtx())) as { tokenType?: string };
    expect(fields.tokenType).toBe('DPoP');
    const claims = claimsOf(proofOf(mock.history.post[0]!));
    expect(claims).toMatchObject({ htm: 'POST', htu: TOKEN_URL });
    expect(claims).not.toHaveProperty('ath');
  });

  it('retries once with a fresh proof carrying the nonce of a 400 use_dpop_nonce', async () => {
    const { http, mock } = mockAuthServer();
    mock
      .onPost(TOKEN_URL)
      .replyOnce(400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'as-n1' })
      .onPost(TOKEN_URL)
      .reply(200, tokenBody({ token_type: 'DPoP' }));
    await clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http })(dpopCtx());
    const [first, second] = mock.history.post.map((c) => claimsOf(proofOf(c)));
    expect(mock.history.post).toHaveLength(2);
    expect(first!.nonce).toBeUndefined();
    expect(second!.nonce).toBe('as-n1');
    expect(second!.jti).not.toBe(first!.jti);
  });

  it('retries once with a corrected clock when the AS refuses the proof and its Date is far from ours', async () => {
    const { http, mock } = mockAuthServer();
    const date = new Date(Date.now() - 900_000).toUTCString();
    mock
      .onPost(TOKEN_URL)
      .replyOnce(400, { error: 'invalid_dpop_proof' }, { date })
      .onPost(TOKEN_URL)
      .reply(200, tokenBody({ token_type: 'DPoP' }));
    await clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http })(dpopCtx());
    const [first, second] = mock.history.post.map((c) => claimsOf(proofOf(c)).iat as number);
    expect(first! - second!).toBeGreaterThanOrEqual(895);
  });

  it('does not retry an invalid_dpop_proof whose Date agrees with our clock', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(400, { error: 'invalid_dpop_proof' }, { date: new Date().toUTCString() });
    await expect(clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http })(dpopCtx())).rejects.toMatchObject({
      error: 'invalid_dpop_proof',
    });
    expect(mock.history.post).toHaveLength(1);
  });

  it('does not retry a use_dpop_nonce that brings no new nonce', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(400, { error: 'use_dpop_nonce' });
    const error = await rejectionOf(clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http })(dpopCtx()));
    expect(error).toMatchObject({ code: ErrorCode.OAUTH_ERROR, error: 'use_dpop_nonce' });
    expect(mock.history.post).toHaveLength(1);
  });

  it('signs every transient retry anew and redeems a refresh token with a proof', async () => {
    const { http, mock } = mockAuthServer();
    mock
      .onPost(TOKEN_URL)
      .replyOnce(503, '')
      .onPost(TOKEN_URL)
      .reply(200, tokenBody({ token_type: 'DPoP' }));
    const grant = refreshTokenGrant({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http, retryDelayMs: 0 });
    await grant(dpopCtx({ accessToken: 'at-0', tokenType: 'DPoP', refreshToken: 'rt-0', obtainedAt: 0 }));
    const [a, b] = mock.history.post.map((c) => claimsOf(proofOf(c)).jti);
    expect(a).not.toBe(b);
  });

  it('refuses token_type DPoP when no proof was sent: the token would be unusable', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody({ token_type: 'DPoP' }));
    const error = await rejectionOf(clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http })(ctx()));
    expect(error).toMatchObject({ code: ErrorCode.INVALID_RESPONSE });
    expect(error.message).toContain('no DPoP proof was sent');
  });

  it('keeps the proof out of an error that echoes the request', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply((config) => [400, { error: 'invalid_dpop_proof', error_description: String(proofOf(config)) }]);
    const error = await rejectionOf(clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http })(dpopCtx()));
    expectNoSecrets(error, [String(proofOf(mock.history.post[0]!)), CLIENT.clientSecret]);
  });
});
