import axios from 'axios';
import { ErrorCode, OAuthError } from '../../lib/core/errors';
import { attachOAuth } from '../../lib/index';
import { refreshTokenGrant } from '../../lib/grants';
import type { Token } from '../../lib/core/token';
import { useAuthStack } from './use-auth-stack';

const stack = useAuthStack({ accessTokenTtlSeconds: 30, refreshTokenRotation: true });

/** A refresh grant whose token endpoint calls are counted on the wire. */
function countedGrant() {
  const http = axios.create();
  const sent: string[] = [];
  http.interceptors.request.use((config) => {
    sent.push(new URLSearchParams(String(config.data)).get('refresh_token') ?? '');
    return config;
  });
  return {
    grant: refreshTokenGrant({
      tokenUrl: stack.auth.tokenUrl,
      revocationUrl: stack.auth.revocationUrl,
      ...stack.auth.clients.refresh,
      httpClient: http,
    }),
    sent,
  };
}

const ctxFor = (token: Token) => ({ reason: 'manual' as const, lastToken: token, signal: new AbortController().signal });

describe('refresh token grant against oidc-provider with rotation', () => {
  it('redeems once for a wave of requests, stores every rotated refresh token, and never reuses one', async () => {
    const { grant, sent } = countedGrant();
    const first = await stack.auth.issueRefreshToken();
    const updates: Token[] = [];
    const client = axios.create({ baseURL: stack.api.baseURL });
    const handle = attachOAuth(client, {
      fetchToken: grant,
      initialToken: { accessToken: 'expired', refreshToken: first, expiresIn: 0 },
      onTokenUpdate: (token) => void updates.push(token),
    });

    const responses = await Promise.all(Array.from({ length: 10 }, () => client.get('/orders')));
    await handle.refresh();
    await handle.refresh();
    handle.detach();

    expect(responses.every((r) => r.status === 200 && r.data.sub === 'alice')).toBe(true);
    expect(sent).toHaveLength(3);
    expect(new Set(sent).size).toBe(3);
    expect(sent[0]).toBe(first);
    // Each redemption used the refresh token the previous one returned.
    expect(sent.slice(1)).toEqual(updates.slice(0, 2).map((t) => t.refreshToken));
  });

  it('gets invalid_grant for a rotated-out refresh token, and then never sends it again', async () => {
    const { grant, sent } = countedGrant();
    const original = await stack.auth.issueRefreshToken();
    const lastToken: Token = { accessToken: 'x', tokenType: 'Bearer', obtainedAt: Date.now(), refreshToken: original };
    await grant(ctxFor(lastToken));

    const reuse = await Promise.resolve(grant(ctxFor(lastToken))).catch((e: unknown) => e);
    const again = await Promise.resolve(grant(ctxFor(lastToken))).catch((e: unknown) => e);

    expect(reuse).toBeInstanceOf(OAuthError);
    expect(reuse).toMatchObject({ error: 'invalid_grant', status: 400 });
    expect(again).toMatchObject({ code: ErrorCode.REFRESH_TOKEN_UNUSABLE });
    expect(sent).toEqual([original, original]);
  });

  it('revokes the refresh token at the server (RFC 7009), after which it is refused', async () => {
    const { grant } = countedGrant();
    const refreshToken = await stack.auth.issueRefreshToken();
    const token: Token = { accessToken: 'x', tokenType: 'Bearer', obtainedAt: Date.now(), refreshToken };
    await grant.revoke!(token);

    await expect(Promise.resolve(grant(ctxFor(token)))).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
