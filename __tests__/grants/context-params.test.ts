import { clientCredentials, passwordGrant, refreshTokenGrant } from '../../lib/grants';
import type { Token } from '../../lib/core/token';
import { CLIENT, TOKEN_URL, ctx, form, mockAuthServer, tokenBody } from './helpers';

/* Issue 10, part 4: the built-in grants request `context.scope` with their own, and send `context.claims`. */

const CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1726258122"}}}';
const withRefresh: Token = { accessToken: 'at-0', tokenType: 'Bearer', refreshToken: 'rt-0', obtainedAt: 0 };

describe('grants and the token source context', () => {
  it('clientCredentials requests the union of its scope and context.scope, once each, and sends claims', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    const grant = clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, scope: 'graph.read openid', httpClient: http });
    await grant({ ...ctx(), scope: ['graph.read', 'graph.send'], claims: CLAIMS });
    const body = form(mock.history.post[0]!);
    expect(body).toEqual({ grant_type: 'client_credentials', scope: 'graph.read openid graph.send', claims: CLAIMS });
  });

  it('leaves the configured request as it was without context.scope or claims', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    await clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, scope: ['a', 'b'], httpClient: http })({ ...ctx(), scope: [] });
    expect(new URLSearchParams(String(mock.history.post[0]!.data)).getAll('scope')).toEqual(['a b']);
  });

  it('sends context.scope when no scope is configured, and lets context.claims replace extraParams.claims', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    const grant = clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, extraParams: { claims: '{"old":1}' }, httpClient: http });
    await grant({ ...ctx(), scope: ['graph.send'], claims: CLAIMS });
    const params = new URLSearchParams(String(mock.history.post[0]!.data));
    expect(params.getAll('scope')).toEqual(['graph.send']);
    expect(params.getAll('claims')).toEqual([CLAIMS]);
  });

  it('refreshTokenGrant sends both with the refresh token', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    await refreshTokenGrant({ tokenUrl: TOKEN_URL, clientId: 'spa', httpClient: http })({
      ...ctx(withRefresh),
      scope: ['api:write'],
      claims: CLAIMS,
    });
    expect(form(mock.history.post[0]!)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt-0',
      client_id: 'spa',
      scope: 'api:write',
      claims: CLAIMS,
    });
  });

  it('passwordGrant sends both on the password path and on the refresh path', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    const grant = passwordGrant({
      tokenUrl: TOKEN_URL,
      ...CLIENT,
      username: 'alice-user',
      password: 'pw-Sup3rSecret',
      scope: 'a',
      httpClient: http,
    });
    await grant({ ...ctx(), scope: ['b'], claims: CLAIMS });
    await grant({ ...ctx(withRefresh), scope: ['b'] });
    expect(form(mock.history.post[0]!)).toMatchObject({ grant_type: 'password', scope: 'a b', claims: CLAIMS });
    expect(form(mock.history.post[1]!)).toMatchObject({ grant_type: 'refresh_token', scope: 'a b' });
    expect(form(mock.history.post[1]!).claims).toBeUndefined();
  });
});
