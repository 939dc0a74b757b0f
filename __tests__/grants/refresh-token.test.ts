import { ErrorCode, OAuthError } from '../../lib/core/errors';
import { refreshTokenGrant } from '../../lib/grants';
import { TokenManager } from '../../lib/core/token-manager';
import type { Token } from '../../lib/core/token';
import { CLIENT, TOKEN_URL, ctx, form, mockAuthServer, rejectionOf, tokenBody } from './helpers';

const current = (refreshToken?: string): Token => ({
  accessToken: 'at-0',
  tokenType: 'Bearer',
  obtainedAt: 0,
  ...(refreshToken ? { refreshToken } : {}),
});

function setup(options: Record<string, unknown> = {}) {
  const { http, mock } = mockAuthServer();
  return { grant: refreshTokenGrant({ tokenUrl: TOKEN_URL, clientId: 'spa', httpClient: http, maxRetries: 0, ...options }), mock };
}

describe('refreshTokenGrant', () => {
  it("redeems the last token's refresh token, as a public client by default", async () => {
    const { grant, mock } = setup();
    mock.onPost(TOKEN_URL).reply(200, tokenBody({ refresh_token: 'rt-2' }));

    await expect(grant(ctx(current('rt-1')))).resolves.toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-2' });
    expect(form(mock.history.post[0]!)).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: 'spa' });
  });

  it('authenticates a confidential client with client_secret_basic', async () => {
    const { grant, mock } = setup(CLIENT);
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    await grant(ctx(current('rt-1')));
    expect(form(mock.history.post[0]!)).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-1' });
    expect(mock.history.post[0]!.headers?.Authorization).toMatch(/^Basic /);
  });

  it('uses the rotated refresh token next time and keeps the old one when none is returned', async () => {
    const { grant, mock } = setup();
    mock
      .onPost(TOKEN_URL)
      .replyOnce(200, tokenBody({ access_token: 'at-1', refresh_token: 'rt-2' }))
      .onPost(TOKEN_URL)
      .replyOnce(200, tokenBody({ access_token: 'at-2' }))
      .onPost(TOKEN_URL)
      .replyOnce(200, tokenBody({ access_token: 'at-3' }));
    const manager = new TokenManager({ fetchToken: grant, initialToken: { accessToken: 'at-0', refreshToken: 'rt-1' } });

    await manager.refresh();
    await manager.refresh();
    await manager.refresh();

    expect(mock.history.post.map((r) => form(r).refresh_token)).toEqual(['rt-1', 'rt-2', 'rt-2']);
    expect(manager.token).toMatchObject({ accessToken: 'at-3', refreshToken: 'rt-2' });
  });

  it('treats invalid_grant as terminal: throws the OAuthError, then refuses to send that refresh token again', async () => {
    const { grant, mock } = setup();
    mock.onPost(TOKEN_URL).reply(400, { error: 'invalid_grant', error_description: 'refresh token revoked' });

    const first = await rejectionOf(grant(ctx(current('rt-dead'))));
    const second = await rejectionOf(grant(ctx(current('rt-dead'))));

    expect(first).toBeInstanceOf(OAuthError);
    expect(first).toMatchObject({ error: 'invalid_grant', status: 400 });
    expect(second).toMatchObject({ name: 'TokenRefreshError', code: ErrorCode.REFRESH_TOKEN_UNUSABLE });
    expect(second.message).toContain('already rejected this refresh token (invalid_grant)');
    expect(mock.history.post).toHaveLength(1);
  });

  it('still retries a refresh token after a failure that is not invalid_grant', async () => {
    const { grant, mock } = setup();
    mock.onPost(TOKEN_URL).replyOnce(400, { error: 'invalid_request' }).onPost(TOKEN_URL).replyOnce(200, tokenBody());
    await expect(grant(ctx(current('rt-1')))).rejects.toBeInstanceOf(OAuthError);
    await expect(grant(ctx(current('rt-1')))).resolves.toMatchObject({ accessToken: 'at-1' });
    expect(mock.history.post).toHaveLength(2);
  });

  it('fails without a request when there is no refresh token', async () => {
    const { grant, mock } = setup();
    await expect(grant(ctx(null))).rejects.toMatchObject({
      code: ErrorCode.REFRESH_TOKEN_UNUSABLE,
      message: expect.stringContaining('no refresh token'),
    });
    await expect(grant(ctx(current()))).rejects.toMatchObject({ code: ErrorCode.REFRESH_TOKEN_UNUSABLE });
    expect(mock.history.post).toHaveLength(0);
  });

  it('makes every waiter of the token manager reject once on invalid_grant, with the OAuthError as cause', async () => {
    const { grant, mock } = setup();
    mock.onPost(TOKEN_URL).reply(400, { error: 'invalid_grant' });
    const manager = new TokenManager({ fetchToken: grant, initialToken: { accessToken: 'at-0', refreshToken: 'rt-dead' } });

    const errors = await Promise.all([rejectionOf(manager.refresh()), rejectionOf(manager.refresh())]);
    expect(errors[0]).toBe(errors[1]);
    expect(errors[0]).toMatchObject({ name: 'TokenRefreshError', cause: expect.objectContaining({ error: 'invalid_grant' }) });
    expect(mock.history.post).toHaveLength(1);
  });
});
