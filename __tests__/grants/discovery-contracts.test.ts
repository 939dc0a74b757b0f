import { ErrorCode, TokenRefreshError } from '../../lib/core/errors';
import { discover, sameIssuer, type DiscoveryRequest } from '../../lib/grants/discovery';
import { mockAuthServer, rejectionOf } from './helpers';

/*
 * What a user relies on when a grant is given an `issuer` (issue 9, mutation run over lib/grants/discovery.ts): which
 * answers move on to the other well-known URL, which fields of the document are taken and which are left out, and
 * what a failure says.
 */

const RETRY = { timeoutMs: 5_000, maxRetries: 0, retryDelayMs: 1, maxRetryDelayMs: 1 };
let n = 0;
const nextIssuer = (): string => `https://contract-op${++n}.example.com`;

function discovery(issuer: string): { request: DiscoveryRequest; mock: ReturnType<typeof mockAuthServer>['mock'] } {
  const { http, mock } = mockAuthServer();
  return { request: { issuer, mode: 'auto', http, retry: RETRY, allowInsecureHttp: false }, mock };
}

const oidcUrl = (issuer: string): string => `${issuer}/.well-known/openid-configuration`;
const oauthUrl = (issuer: string): string => `${issuer}/.well-known/oauth-authorization-server`;
const doc = (issuer: string, extra: Record<string, unknown> = {}) => ({ issuer, token_endpoint: `${issuer}/token`, ...extra });

describe('discovery: which answer moves on to the RFC 8414 URL', () => {
  it.each([400, 404, 499])('moves on after a %i from the OIDC URL', async (status) => {
    const issuer = nextIssuer();
    const { request, mock } = discovery(issuer);
    mock.onGet(oidcUrl(issuer)).reply(status);
    mock.onGet(oauthUrl(issuer)).reply(200, doc(issuer));
    await expect(discover(request)).resolves.toMatchObject({ tokenEndpoint: `${issuer}/token` });
  });

  it('treats a 500 from the OIDC URL as the answer, without trying the other URL', async () => {
    const issuer = nextIssuer();
    const { request, mock } = discovery(issuer);
    mock.onGet(oidcUrl(issuer)).reply(500, 'down');
    mock.onGet(oauthUrl(issuer)).reply(200, doc(issuer));
    const error = await rejectionOf(discover(request));
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect((error as TokenRefreshError).code).toBe(ErrorCode.DISCOVERY_FAILED);
    expect(mock.history.get.map((r) => r.url)).toEqual([oidcUrl(issuer)]);
  });

  it('says which URL answered 404 when the last URL is not found either', async () => {
    const issuer = nextIssuer();
    const { request, mock } = discovery(issuer);
    mock.onGet(oidcUrl(issuer)).reply(404);
    mock.onGet(oauthUrl(issuer)).reply(404);
    const error = await rejectionOf(discover(request));
    expect(error.message).toContain(`${oauthUrl(issuer)} answered`);
    expect(error.message).toContain('404');
  });

  it('asks for JSON', async () => {
    const issuer = nextIssuer();
    const { request, mock } = discovery(issuer);
    mock.onGet(oidcUrl(issuer)).reply(200, doc(issuer));
    await discover(request);
    expect(mock.history.get[0]!.headers?.Accept).toBe('application/json');
  });

  it('names the URL and the cause when the fetch fails, and keeps the cause', async () => {
    const issuer = nextIssuer();
    const { request, mock } = discovery(issuer);
    mock.onGet(oidcUrl(issuer)).networkError();
    const error = await rejectionOf(discover(request));
    expect(error.message).toMatch(new RegExp(`^Discovery failed: ${oidcUrl(issuer).replace(/\./g, '\\.')} could not be fetched \\(.+\\)`));
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('refuses a document served with another 2xx status', async () => {
    const issuer = nextIssuer();
    const { request, mock } = discovery(issuer);
    mock.onGet(oidcUrl(issuer)).reply(203, doc(issuer));
    const error = await rejectionOf(discover(request));
    expect(error.message).toContain('not a JSON object');
    expect(error.cause).toBeUndefined();
  });

  it('refuses a document whose issuer is not a string', async () => {
    const issuer = nextIssuer();
    const { request, mock } = discovery(issuer);
    mock.onGet(oidcUrl(issuer)).reply(200, { ...doc(issuer), issuer: 42 });
    await expect(discover(request)).rejects.toThrow('does not match the expected issuer');
  });
});

describe('discovery: the fields taken from the document', () => {
  async function metadataOf(extra: Record<string, unknown>) {
    const issuer = nextIssuer();
    const { request, mock } = discovery(issuer);
    mock.onGet(oidcUrl(issuer)).reply(200, doc(issuer, extra));
    return { issuer, metadata: await discover(request) };
  }

  it('leaves out every optional field the document does not have', async () => {
    const { issuer, metadata } = await metadataOf({});
    expect(metadata).toStrictEqual({ issuer, tokenEndpoint: `${issuer}/token` });
  });

  it('takes every endpoint and flag the document has', async () => {
    const base = 'https://elsewhere.example.com';
    const { issuer, metadata } = await metadataOf({
      revocation_endpoint: `${base}/revoke`,
      authorization_endpoint: `${base}/authorize`,
      device_authorization_endpoint: `${base}/device`,
      pushed_authorization_request_endpoint: `${base}/par`,
      authorization_response_iss_parameter_supported: true,
      require_pushed_authorization_requests: true,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      mtls_endpoint_aliases: { token_endpoint: `${base}/mtls/token`, revocation_endpoint: `${base}/mtls/revoke` },
    });
    expect(metadata).toStrictEqual({
      issuer,
      tokenEndpoint: `${issuer}/token`,
      revocationEndpoint: `${base}/revoke`,
      authorizationEndpoint: `${base}/authorize`,
      deviceAuthorizationEndpoint: `${base}/device`,
      pushedAuthorizationRequestEndpoint: `${base}/par`,
      issParameterSupported: true,
      requirePushedAuthorizationRequests: true,
      authMethods: ['private_key_jwt'],
      mtlsAliases: { tokenEndpoint: `${base}/mtls/token`, revocationEndpoint: `${base}/mtls/revoke` },
    });
  });

  it('takes the flags only when they are the boolean true', async () => {
    const { metadata } = await metadataOf({
      authorization_response_iss_parameter_supported: 'true',
      require_pushed_authorization_requests: 1,
    });
    expect(metadata).not.toHaveProperty('issParameterSupported');
    expect(metadata).not.toHaveProperty('requirePushedAuthorizationRequests');
    const off = await metadataOf({ authorization_response_iss_parameter_supported: false, require_pushed_authorization_requests: false });
    expect(off.metadata).not.toHaveProperty('issParameterSupported');
    expect(off.metadata).not.toHaveProperty('requirePushedAuthorizationRequests');
  });

  it('ignores an auth-method list that is not all strings', async () => {
    const { metadata } = await metadataOf({ token_endpoint_auth_methods_supported: ['client_secret_basic', 7] });
    expect(metadata).not.toHaveProperty('authMethods');
  });

  it.each([null, 'https://x.example.com', ['https://x.example.com']])('ignores mtls_endpoint_aliases %p', async (aliases) => {
    const { metadata } = await metadataOf({ mtls_endpoint_aliases: aliases });
    expect(metadata).not.toHaveProperty('mtlsAliases');
  });

  it('keeps only the aliases given; an empty aliases object is an empty alias set', async () => {
    const { metadata } = await metadataOf({ mtls_endpoint_aliases: {} });
    expect(metadata.mtlsAliases).toStrictEqual({});
    const only = await metadataOf({ mtls_endpoint_aliases: { revocation_endpoint: 'https://m.example.com/revoke' } });
    expect(only.metadata.mtlsAliases).toStrictEqual({ revocationEndpoint: 'https://m.example.com/revoke' });
  });

  it.each([
    ['token_endpoint', { token_endpoint: undefined }],
    ['revocation_endpoint', { revocation_endpoint: 'http://op.example.com/revoke' }],
    ['mtls_endpoint_aliases.token_endpoint', { mtls_endpoint_aliases: { token_endpoint: 'not a url' } }],
    ['mtls_endpoint_aliases.revocation_endpoint', { mtls_endpoint_aliases: { revocation_endpoint: 'ftp://m.example.com' } }],
  ])('refuses an unusable %s, naming it', async (name, extra) => {
    const issuer = nextIssuer();
    const { request, mock } = discovery(issuer);
    mock.onGet(oidcUrl(issuer)).reply(200, doc(issuer, extra));
    const error = await rejectionOf(discover(request));
    expect(error.message).toContain(`the metadata of ${issuer} is unusable`);
    expect(error.message).toContain(`"${name}"`);
  });
});

describe('discovery: issuer identity (RFC 8414 §3.3)', () => {
  it('lets one trailing slash go on either side, and nothing else', () => {
    expect(sameIssuer('https://op.example.com/', 'https://op.example.com')).toBe(true);
    expect(sameIssuer('https://op.example.com', 'https://op.example.com/')).toBe(true);
    expect(sameIssuer('https://op.example.com/r/', 'https://op.example.com/r')).toBe(true);
    expect(sameIssuer('https://op.example.com//', 'https://op.example.com')).toBe(false);
    expect(sameIssuer('https://op.example.com/r', 'https://op.example.com/R')).toBe(false);
    expect(sameIssuer('https://op.example.comx', 'https://op.example.com')).toBe(false);
  });

  it('serves concurrent callers from one fetch, and waits for no signal it is not given', async () => {
    const issuer = nextIssuer();
    const { request, mock } = discovery(issuer);
    mock.onGet(oidcUrl(issuer)).reply(200, doc(issuer));
    const [a, b] = await Promise.all([discover(request), discover(request, new AbortController().signal)]);
    expect(a).toBe(b);
    expect(mock.history.get).toHaveLength(1);
  });
});
