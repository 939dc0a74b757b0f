import { ErrorCode, TokenManager, jwtBearerGrant, passwordGrant, tokenExchangeGrant } from '../../lib/index.js';
import { expectNoSecrets } from '../support/secrets-sweep';
import { CLIENT, TOKEN_URL, ctx, form, mockAuthServer, rejectionOf, tokenBody } from './helpers';

const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';

function exchange(extra: Record<string, unknown> = {}) {
  const { http, mock } = mockAuthServer();
  let n = 0;
  const grant = tokenExchangeGrant({
    tokenUrl: TOKEN_URL,
    ...CLIENT,
    httpClient: http,
    maxRetries: 0,
    subjectToken: () => `subject-token-${++n}-abcdef`,
    subjectTokenType: ACCESS,
    audience: 'https://downstream.example.com',
    ...extra,
  });
  return { grant, mock };
}

describe('tokenExchangeGrant', () => {
  it('sends the subject token it fetches per exchange, and keeps issued_token_type', async () => {
    const { grant, mock } = exchange({ actorToken: async () => 'actor-token-abcdef', actorTokenType: JWT, requestedTokenType: ACCESS });
    mock.onPost(TOKEN_URL).reply(200, tokenBody({ issued_token_type: ACCESS }));
    await expect(grant(ctx())).resolves.toMatchObject({ accessToken: 'at-1', issuedTokenType: ACCESS });
    await grant(ctx());
    expect(form(mock.history.post[0]!)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: 'subject-token-1-abcdef',
      subject_token_type: ACCESS,
      actor_token: 'actor-token-abcdef',
      actor_token_type: JWT,
      requested_token_type: ACCESS,
      audience: 'https://downstream.example.com',
    });
    expect(form(mock.history.post[1]!).subject_token).toBe('subject-token-2-abcdef');
  });

  it('refuses a response whose issued_token_type is missing or not the requested one', async () => {
    const missing = exchange();
    missing.mock.onPost(TOKEN_URL).reply(200, tokenBody());
    expect(await rejectionOf(missing.grant(ctx()))).toMatchObject({ code: ErrorCode.INVALID_RESPONSE });
    const other = exchange({ requestedTokenType: ACCESS });
    other.mock.onPost(TOKEN_URL).reply(200, tokenBody({ issued_token_type: JWT }));
    expect((await rejectionOf(other.grant(ctx()))).message).toContain('is not the requested');
  });

  it('refuses token_type N_A: such a token cannot be sent as a header', async () => {
    const { grant, mock } = exchange();
    mock.onPost(TOKEN_URL).reply(200, tokenBody({ token_type: 'N_A', issued_token_type: 'urn:ietf:params:oauth:token-type:id_token' }));
    const error = await rejectionOf(grant(ctx()));
    expect(error).toMatchObject({ code: ErrorCode.INVALID_RESPONSE });
    expect(error.message).toContain('"N_A" is not supported');
  });

  it('keeps subject and actor tokens out of its errors', async () => {
    const { grant, mock } = exchange({ actorToken: () => 'actor-token-abcdef', actorTokenType: JWT });
    mock
      .onPost(TOKEN_URL)
      .reply(400, { error: 'invalid_grant', error_description: 'subject-token-1-abcdef and actor-token-abcdef rejected' });
    expectNoSecrets(await rejectionOf(grant(ctx())), ['subject-token-1-abcdef', 'actor-token-abcdef', CLIENT.clientSecret]);
  });

  it('checks its options at creation', () => {
    const base = { tokenUrl: TOKEN_URL, ...CLIENT, subjectTokenType: ACCESS };
    expect(() => tokenExchangeGrant({ ...base, subjectToken: 'static' as never })).toThrow('"options.subjectToken" must be a function');
    expect(() => tokenExchangeGrant({ ...base, subjectToken: () => 'x', actorToken: () => 'y' })).toThrow(
      '"options.actorTokenType" must be a non-empty string',
    );
    expect(() => tokenExchangeGrant({ ...base, subjectToken: () => 'x', extraParams: { subject_token: 'x' } })).toThrow(
      '"options.extraParams.subject_token" is set by the grant and cannot be overridden',
    );
  });
});

describe('jwtBearerGrant', () => {
  it('sends a fresh assertion per token request and keeps it out of errors', async () => {
    const { http, mock } = mockAuthServer();
    let n = 0;
    const grant = jwtBearerGrant({
      tokenUrl: TOKEN_URL,
      clientId: 'svc',
      httpClient: http,
      maxRetries: 0,
      assertion: () => `eyJ.assertion-${++n}.sig`,
    });
    mock
      .onPost(TOKEN_URL)
      .replyOnce(200, tokenBody())
      .onPost(TOKEN_URL)
      .replyOnce(400, { error: 'invalid_grant', error_description: 'eyJ.assertion-2.sig expired' });
    await grant(ctx());
    expect(form(mock.history.post[0]!)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: 'eyJ.assertion-1.sig',
      client_id: 'svc',
    });
    expectNoSecrets(await rejectionOf(grant(ctx())), ['eyJ.assertion-2.sig']);
    expect(() => jwtBearerGrant({ tokenUrl: TOKEN_URL, clientId: 'svc' })).toThrow('exactly one of "assertion" and "privateKey"');
    expect(() => jwtBearerGrant({ tokenUrl: TOKEN_URL, clientId: 'svc', assertion: 'static' as never })).toThrow(
      '"options.assertion" must be a function',
    );
  });
});

describe('passwordGrant as a sign-in source', () => {
  it('signs in once with the password; renewals then go through fetchToken with its refresh token', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).replyOnce(200, tokenBody({ refresh_token: 'rt-from-password' }));
    const fetchToken = jest.fn(async () => 'at-renewed');
    const manager = new TokenManager({ fetchToken });
    const source = passwordGrant({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http, username: 'alice', password: 'pw-S3cret!!' });
    await expect(manager.signIn(source)).resolves.toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-from-password' });
    expect(form(mock.history.post[0]!)).toMatchObject({ grant_type: 'password', username: 'alice', password: 'pw-S3cret!!' });
    await manager.refresh();
    expect(fetchToken).toHaveBeenCalledWith(
      expect.objectContaining({ lastToken: expect.objectContaining({ refreshToken: 'rt-from-password' }) }),
    );
    expect(mock.history.post).toHaveLength(1);
  });
});
