import { ErrorCode } from '../../lib/core/errors';
import { clientCredentials } from '../../lib/grants';
import { wellKnownUrls } from '../../lib/grants/discovery';
import { CLIENT, basicCredentials, ctx, form, mockAuthServer, rejectionOf, tokenBody } from './helpers';

// Each test uses its own issuer: discovery results are cached per issuer for the life of the process.
let n = 0;
const nextIssuer = (path = ''): string => `https://op${++n}.example.com${path}`;
const metadata = (issuer: string, extra: Record<string, unknown> = {}) => ({
  issuer,
  token_endpoint: `${issuer}/token`,
  ...extra,
});

function grantFor(issuer: string, options: Record<string, unknown> = {}) {
  const { http, mock } = mockAuthServer();
  const grant = clientCredentials({ issuer, ...CLIENT, httpClient: http, maxRetries: 0, ...options });
  return { grant, mock, http };
}

describe('discovery', () => {
  it('builds the OIDC URL by appending and the RFC 8414 URL by inserting after the host (Keycloak realm)', () => {
    const issuer = 'https://id.example.com/realms/acme';
    expect(wellKnownUrls(issuer, 'auto')).toEqual([
      'https://id.example.com/realms/acme/.well-known/openid-configuration',
      'https://id.example.com/.well-known/oauth-authorization-server/realms/acme',
    ]);
    expect(wellKnownUrls('https://id.example.com/', 'oauth-authorization-server')).toEqual([
      'https://id.example.com/.well-known/oauth-authorization-server',
    ]);
    expect(wellKnownUrls('https://id.example.com/realms/acme/', 'openid-configuration')).toEqual([
      'https://id.example.com/realms/acme/.well-known/openid-configuration',
    ]);
  });

  it('resolves the token endpoint of an issuer with a path from its OIDC document', async () => {
    const issuer = nextIssuer('/realms/acme');
    const { grant, mock } = grantFor(issuer);
    mock
      .onGet(`${issuer}/.well-known/openid-configuration`)
      .reply(200, metadata(issuer, { token_endpoint: `${issuer}/protocol/openid-connect/token` }));
    mock.onPost(`${issuer}/protocol/openid-connect/token`).reply(200, tokenBody());

    await expect(grant(ctx())).resolves.toMatchObject({ accessToken: 'at-1' });
    expect(mock.history.get).toHaveLength(1);
  });

  it('falls back to RFC 8414 when the OIDC document is not found', async () => {
    const issuer = nextIssuer('/tenant');
    const { grant, mock } = grantFor(issuer);
    const origin = new URL(issuer).origin;
    mock.onGet(`${issuer}/.well-known/openid-configuration`).reply(404, 'Not found');
    mock.onGet(`${origin}/.well-known/oauth-authorization-server/tenant`).reply(200, metadata(issuer));
    mock.onPost(`${issuer}/token`).reply(200, tokenBody());

    await expect(grant(ctx())).resolves.toMatchObject({ accessToken: 'at-1' });
    expect(mock.history.get.map((r) => r.url)).toEqual([
      `${issuer}/.well-known/openid-configuration`,
      `${origin}/.well-known/oauth-authorization-server/tenant`,
    ]);
  });

  it('accepts the issuer with or without a trailing slash', async () => {
    const issuer = nextIssuer();
    const { grant, mock } = grantFor(issuer);
    mock.onGet(`${issuer}/.well-known/openid-configuration`).reply(200, metadata(`${issuer}/`, { token_endpoint: `${issuer}/token` }));
    mock.onPost(`${issuer}/token`).reply(200, tokenBody());
    await expect(grant(ctx())).resolves.toMatchObject({ accessToken: 'at-1' });
  });

  it.each([
    ['another host', (issuer: string) => issuer.replace('.example.com', '.evil.example')],
    ['a longer path', (issuer: string) => `${issuer}/pathname`],
    ['two trailing slashes', (issuer: string) => `${issuer}//`],
  ])('rejects a document whose issuer is %s and sends nothing to its token endpoint', async (_name, mismatch) => {
    const issuer = nextIssuer();
    const { grant, mock } = grantFor(issuer);
    mock
      .onGet(`${issuer}/.well-known/openid-configuration`)
      .reply(200, metadata(mismatch(issuer), { token_endpoint: 'https://evil.example/token' }));
    const error = await rejectionOf(grant(ctx()));

    expect(error).toMatchObject({ name: 'TokenRefreshError', code: ErrorCode.DISCOVERY_FAILED });
    expect(error.message).toContain('does not match the expected issuer');
    expect(mock.history.post).toHaveLength(0);
  });

  it.each([
    ['a dot-segment path', (issuer: string) => `${issuer.replace('/realms/r2', '')}/realms/evil/../r2`],
    ['an upper-case host', (issuer: string) => issuer.replace('https://op', 'https://OP')],
    ['backslashes', (issuer: string) => issuer.replace(/\//g, '\\')],
    ['an embedded tab', (issuer: string) => issuer.replace('/r2', '/r\t2')],
    ['full-width letters', (issuer: string) => issuer.replace('/op', '/\uFF4F\uFF50')],
    ['the default port spelt out', (issuer: string) => issuer.replace('.com/', '.com:443/')],
  ])('regression: rejects a document whose issuer only URL-normalises to the expected one (%s)', async (_name, lookalike) => {
    const issuer = nextIssuer('/realms/r2');
    const { grant, mock } = grantFor(issuer, { discovery: 'openid-configuration' });
    const claimed = lookalike(issuer);
    expect(new URL(claimed).href.replace(/\/+$/, '')).toBe(issuer); // the normalised comparison accepted it
    mock.onGet(`${issuer}/.well-known/openid-configuration`).reply(200, metadata(claimed, { token_endpoint: `${issuer}/token` }));
    const error = await rejectionOf(grant(ctx()));

    expect(error).toMatchObject({ name: 'TokenRefreshError', code: ErrorCode.DISCOVERY_FAILED });
    expect(error.message).toContain('does not match the expected issuer');
    expect(mock.history.post).toHaveLength(0);
  });

  it('compares with the issuer as configured, not as URL normalises it', async () => {
    const issuer = nextIssuer('/Realms/A').replace('https://op', 'https://OP');
    const { grant, mock } = grantFor(issuer, { discovery: 'openid-configuration' });
    const fetched = issuer.replace('https://OP', 'https://op'); // where axios sends it: hosts are case-insensitive
    mock.onGet(`${fetched}/.well-known/openid-configuration`).reply(200, metadata(issuer));
    mock.onPost(`${fetched}/token`).reply(200, tokenBody());
    await expect(grant(ctx())).resolves.toMatchObject({ accessToken: 'at-1' });
  });

  it('fetches the document once for concurrent and later requests of every grant of that issuer', async () => {
    const issuer = nextIssuer();
    const { http, mock } = mockAuthServer();
    mock.onGet(`${issuer}/.well-known/openid-configuration`).reply(200, metadata(issuer));
    mock.onPost(`${issuer}/token`).reply(200, tokenBody());
    const a = clientCredentials({ issuer, ...CLIENT, httpClient: http });
    const b = clientCredentials({ issuer, ...CLIENT, httpClient: http });
    await Promise.all([a(ctx()), b(ctx())]);
    await a(ctx());

    expect(mock.history.get).toHaveLength(1);
    expect(mock.history.post).toHaveLength(3);
  });

  it('does not cache a failed discovery, so a later request succeeds', async () => {
    const issuer = nextIssuer();
    const { grant, mock } = grantFor(issuer, { discovery: 'openid-configuration' });
    mock.onGet(`${issuer}/.well-known/openid-configuration`).networkErrorOnce();
    mock.onGet(`${issuer}/.well-known/openid-configuration`).replyOnce(200, metadata(issuer));
    mock.onPost(`${issuer}/token`).reply(200, tokenBody());

    await expect(grant(ctx())).rejects.toMatchObject({ code: ErrorCode.DISCOVERY_FAILED });
    await expect(grant(ctx())).resolves.toMatchObject({ accessToken: 'at-1' });
    expect(mock.history.get).toHaveLength(2);
  });

  it.each([
    ['an HTML page', 200, '<html></html>'],
    ['a JSON array', 200, []],
    ['a 500', 500, { error: 'server_error' }],
  ])('fails discovery with a typed error on %s', async (_name, status, body) => {
    const issuer = nextIssuer();
    const { grant, mock } = grantFor(issuer, { discovery: 'openid-configuration' });
    mock.onGet(`${issuer}/.well-known/openid-configuration`).reply(status, body);
    await expect(grant(ctx())).rejects.toMatchObject({ name: 'TokenRefreshError', code: ErrorCode.DISCOVERY_FAILED });
  });

  it('refuses a discovered token endpoint on plain http to a non-loopback host', async () => {
    const issuer = nextIssuer();
    const { grant, mock } = grantFor(issuer);
    mock
      .onGet(`${issuer}/.well-known/openid-configuration`)
      .reply(200, metadata(issuer, { token_endpoint: 'http://auth.example.com/token' }));
    const error = await rejectionOf(grant(ctx()));
    expect(error.message).toContain('"token_endpoint" uses plain http:');
  });

  it('picks client_secret_post when the server lists only that, and keeps an explicit choice', async () => {
    const issuer = nextIssuer();
    const { grant, mock, http } = grantFor(issuer);
    mock
      .onGet(`${issuer}/.well-known/openid-configuration`)
      .reply(200, metadata(issuer, { token_endpoint_auth_methods_supported: ['client_secret_post'] }));
    mock.onPost(`${issuer}/token`).reply(200, tokenBody());
    await grant(ctx());
    expect(form(mock.history.post[0]!)).toMatchObject({ client_secret: CLIENT.clientSecret });

    const explicit = clientCredentials({ issuer, ...CLIENT, authMethod: 'client_secret_basic', httpClient: http });
    await explicit(ctx());
    expect(basicCredentials(mock.history.post[1]!)).toEqual([CLIENT.clientId, CLIENT.clientSecret]);
  });

  it('fails when the server supports neither secret method and none was chosen', async () => {
    const issuer = nextIssuer();
    const { grant, mock } = grantFor(issuer);
    mock
      .onGet(`${issuer}/.well-known/openid-configuration`)
      .reply(200, metadata(issuer, { token_endpoint_auth_methods_supported: ['private_key_jwt'] }));
    await expect(grant(ctx())).rejects.toMatchObject({ code: ErrorCode.DISCOVERY_FAILED });
    expect(mock.history.post).toHaveLength(0);
  });

  it('does not follow a redirect of the discovery document', async () => {
    const issuer = nextIssuer();
    const { grant, mock } = grantFor(issuer, { discovery: 'openid-configuration' });
    mock
      .onGet(`${issuer}/.well-known/openid-configuration`)
      .reply(302, '', { location: 'https://evil.example/.well-known/openid-configuration' });
    await expect(grant(ctx())).rejects.toMatchObject({ code: ErrorCode.DISCOVERY_FAILED });
    expect(mock.history.get[0]!.maxRedirects).toBe(0);
  });
});

describe('discovery and the caller signal', () => {
  it('regression: a refresh that aborts stops waiting for discovery, and the other callers still get the shared fetch', async () => {
    const issuer = nextIssuer();
    const { grant, mock } = grantFor(issuer);
    let answer: (value: [number, unknown]) => void = () => undefined;
    mock.onGet(`${issuer}/.well-known/openid-configuration`).reply(() => new Promise((resolve) => (answer = resolve)));
    mock.onPost(`${issuer}/token`).reply(200, tokenBody());
    const leaving = new AbortController();
    const left = rejectionOf(grant({ ...ctx(), signal: leaving.signal }));
    const staying = grant(ctx());
    await new Promise((resolve) => setImmediate(resolve));

    leaving.abort();
    expect((await left).name).toBe('AbortError');
    answer([200, metadata(issuer)]);

    await expect(staying).resolves.toMatchObject({ accessToken: 'at-1' });
    expect(mock.history.get).toHaveLength(1);
    expect(mock.history.post).toHaveLength(1); // the caller that left sent nothing
  });

  it('rejects at once, without a request, for a signal that has already aborted', async () => {
    const issuer = nextIssuer();
    const { grant, mock } = grantFor(issuer);
    const controller = new AbortController();
    controller.abort();
    await expect(grant({ ...ctx(), signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(mock.history.get).toHaveLength(0);
  });
});
