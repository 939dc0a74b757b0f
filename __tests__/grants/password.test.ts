import { OAuthError } from '../../lib/core/errors';
import { passwordGrant } from '../../lib/grants';
import type { Token } from '../../lib/core/token';
import { CLIENT, TOKEN_URL, ctx, everyRendering, form, mockAuthServer, rejectionOf, tokenBody } from './helpers';

const USER = { username: 'alice@example.com', password: 'pw-Correct-Horse-42' };
const withRefresh = (refreshToken: string): Token => ({ accessToken: 'at-0', tokenType: 'Bearer', obtainedAt: 0, refreshToken });

function setup() {
  const { http, mock } = mockAuthServer();
  return { grant: passwordGrant({ tokenUrl: TOKEN_URL, ...CLIENT, ...USER, httpClient: http, maxRetries: 0 }), mock };
}

describe('passwordGrant (legacy)', () => {
  it('gets the first token with grant_type=password', async () => {
    const { grant, mock } = setup();
    mock.onPost(TOKEN_URL).reply(200, tokenBody({ refresh_token: 'rt-1' }));

    await expect(grant(ctx())).resolves.toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });
    expect(form(mock.history.post[0]!)).toEqual({ grant_type: 'password', ...USER });
  });

  it('renews with the refresh token when the server issued one, without sending the password', async () => {
    const { grant, mock } = setup();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    await grant(ctx(withRefresh('rt-1')));

    expect(form(mock.history.post[0]!)).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-1' });
  });

  it('goes back to the password once the refresh token is rejected, and never resends the dead one', async () => {
    const { grant, mock } = setup();
    mock.onPost(TOKEN_URL).replyOnce(400, { error: 'invalid_grant' }).onPost(TOKEN_URL).reply(200, tokenBody());
    await grant(ctx(withRefresh('rt-dead')));
    await grant(ctx(withRefresh('rt-dead')));

    expect(mock.history.post.map((r) => form(r).grant_type)).toEqual(['refresh_token', 'password', 'password']);
  });

  it('keeps username and password out of every rendering of an error that echoes them', async () => {
    const { grant, mock } = setup();
    mock.onPost(TOKEN_URL).reply(400, { error: 'invalid_grant', error_description: `bad password ${USER.password} for ${USER.username}` });
    const error = await rejectionOf(grant(ctx()));

    expect(error).toBeInstanceOf(OAuthError);
    const rendered = everyRendering(error);
    expect(rendered).not.toContain(USER.password);
    expect(rendered).not.toContain(USER.username);
    expect(rendered).toContain('[REDACTED]');
  });
});
