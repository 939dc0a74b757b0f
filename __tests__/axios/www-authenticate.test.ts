import { MAX_CHALLENGES, MAX_HEADER_LENGTH, MAX_PARAMS, parseWwwAuthenticate } from '../../lib/axios/www-authenticate.js';

/** The parse result in plain objects, for readable expectations. */
function parsed(header: unknown): Array<{ scheme: string; params: Record<string, string>; token68?: string }> {
  return parseWwwAuthenticate(header).map((c) => ({ ...c, params: { ...c.params } }));
}

describe('WWW-Authenticate: the RFC 9110 grammar', () => {
  it('reads the RFC 9110 §11.6.1 example: two challenges, a token value, an escaped quote', () => {
    // RFC 9110 §11.6.1 (the httpbis draft's example, trac.ietf.org/trac/httpbis ticket 320)
    expect(parsed('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"')).toEqual([
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'basic', params: { realm: 'simple' } },
    ]);
  });

  it('reads token68 credentials, alone or padded', () => {
    expect(parsed('Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXag==, Basic realm="x"')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'YIIBhgYGKwYBBQUCoIIBejCCAXag==' },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
  });

  it('lower-cases scheme and parameter names, and keeps values as sent', () => {
    expect(parsed('BEARER Error="Invalid_Token", SCOPE=Read')).toEqual([
      { scheme: 'bearer', params: { error: 'Invalid_Token', scope: 'Read' } },
    ]);
  });

  it('allows whitespace around "=", empty list elements, and no space after commas', () => {
    expect(parsed(' , Bearer realm = "a" ,, error=invalid_token ,DPoP algs="ES256"')).toEqual([
      { scheme: 'bearer', params: { realm: 'a', error: 'invalid_token' } },
      { scheme: 'dpop', params: { algs: 'ES256' } },
    ]);
  });

  it('keeps commas and equals signs inside quoted strings', () => {
    // RFC 6750 §3, the second scope example
    expect(parsed('Bearer realm="example", scope="urn:example:channel=HBO&urn:example:rating=G,PG-13"')).toEqual([
      { scheme: 'bearer', params: { realm: 'example', scope: 'urn:example:channel=HBO&urn:example:rating=G,PG-13' } },
    ]);
  });

  it('reads each header line of an array, in order', () => {
    expect(parsed(['Basic realm="proxy"', 'Bearer error="invalid_token"'])).toEqual([
      { scheme: 'basic', params: { realm: 'proxy' } },
      { scheme: 'bearer', params: { error: 'invalid_token' } },
    ]);
  });

  it('keeps the first of a repeated parameter name, whatever its case', () => {
    expect(parsed('Bearer error="invalid_token", ERROR="insufficient_scope"')).toEqual([
      { scheme: 'bearer', params: { error: 'invalid_token' } },
    ]);
  });

  it('stores a parameter named __proto__ as data, not as a prototype', () => {
    const [challenge] = parseWwwAuthenticate('Bearer __proto__="x", constructor="y"');
    expect(challenge!.params.__proto__).toBe('x');
    expect(Object.getPrototypeOf(challenge!.params)).toBeNull();
    expect(challenge!.params.constructor).toBe('y');
  });
});

describe('WWW-Authenticate: a corpus of real headers', () => {
  const corpus: Array<[string, string, ReturnType<typeof parsed>]> = [
    ['RFC 6750 §3: a request without a token', 'Bearer realm="example"', [{ scheme: 'bearer', params: { realm: 'example' } }]],
    [
      'RFC 6750 §3: an expired token',
      'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
      [{ scheme: 'bearer', params: { realm: 'example', error: 'invalid_token', error_description: 'The access token expired' } }],
    ],
    [
      // learn.microsoft.com/entra/identity-platform/claims-challenge ("Claims challenge header format")
      'Microsoft Entra: a claims challenge (docs)',
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: '',
            authorization_uri: 'https://login.microsoftonline.com/common/oauth2/authorize',
            error: 'insufficient_claims',
            claims: 'eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19',
          },
        },
      ],
    ],
    [
      // Azure/azure-sdk-for-js sdk/core/core-rest-pipeline/test/bearerTokenAuthenticationPolicy.spec.ts, "parse multiple
      // challenges with different scheme" (a CAE revocation answer of Microsoft Graph)
      'Microsoft Entra: CAE revocation with a PoP and a Bearer challenge',
      'PoP realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", nonce="ey==", Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error_description="Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTcyNjI1ODEyMiJ9fX0="',
      [
        {
          scheme: 'pop',
          params: {
            realm: '',
            authorization_uri: 'https://login.microsoftonline.com/common/oauth2/authorize',
            client_id: '00000003-0000-0000-c000-000000000000',
            nonce: 'ey==',
          },
        },
        {
          scheme: 'bearer',
          params: {
            realm: '',
            authorization_uri: 'https://login.microsoftonline.com/common/oauth2/authorize',
            client_id: '00000003-0000-0000-c000-000000000000',
            error_description:
              'Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp',
            error: 'insufficient_claims',
            claims: 'eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTcyNjI1ODEyMiJ9fX0=',
          },
        },
      ],
    ],
    [
      // okta/okta-sdk-golang issue #145 (Okta management API, client credentials token lacking a scope)
      'Okta: insufficient_scope with scope and resource',
      'Bearer authorization_uri="http://***.okta.com/oauth2/v1/authorize", realm="http://dev-***.okta.com", scope="okta.groups.read", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="/api/v1/groups/12345"',
      [
        {
          scheme: 'bearer',
          params: {
            authorization_uri: 'http://***.okta.com/oauth2/v1/authorize',
            realm: 'http://dev-***.okta.com',
            scope: 'okta.groups.read',
            error: 'insufficient_scope',
            error_description: 'The access token provided does not contain the required scopes.',
            resource: '/api/v1/groups/12345',
          },
        },
      ],
    ],
    [
      // oktadeveloper/okta-blog-archive pull request #1653 (Okta OIDC userinfo docs): commas inside the description
      'Okta: userinfo 403 with commas in the description',
      'Bearer error="insufficient_scope", error_description="The access token must provide access to at least one of these scopes - profile, email, address or phone"',
      [
        {
          scheme: 'bearer',
          params: {
            error: 'insufficient_scope',
            error_description: 'The access token must provide access to at least one of these scopes - profile, email, address or phone',
          },
        },
      ],
    ],
    [
      // auth0/node-oauth2-jwt-bearer packages/oauth2-bearer/src/errors.ts, InsufficientScopeError's header
      'Auth0: express-oauth2-jwt-bearer insufficient_scope',
      'Bearer realm="api", error="insufficient_scope", error_description="Insufficient Scope", scope="read:messages write:messages"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'api',
            error: 'insufficient_scope',
            error_description: 'Insufficient Scope',
            scope: 'read:messages write:messages',
          },
        },
      ],
    ],
    [
      // keycloak/keycloak pull request #6618 (UserInfoEndpoint); seen in stevenmaguire/oauth2-keycloak issue #57
      'Keycloak: userinfo with an invalid token',
      'Bearer realm="master", error="invalid_token", error_description="Token verification failed"',
      [{ scheme: 'bearer', params: { realm: 'master', error: 'invalid_token', error_description: 'Token verification failed' } }],
    ],
    [
      // GitHub's container service, as recorded in image clients' tests (e.g. argoproj-labs/argocd-image-updater); the
      // host is replaced by an example one, the shape (no spaces after commas) is the real one
      'GitHub: container service challenge, no spaces after commas',
      'Bearer realm="https://containers.example.com/token",service="containers.example.com",scope="repository:myorg/myimage:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://containers.example.com/token',
            service: 'containers.example.com',
            scope: 'repository:myorg/myimage:pull',
          },
        },
      ],
    ],
    [
      // RFC 9449 §7.2, Figure 17
      'RFC 9449: Bearer and DPoP offered together, Bearer without parameters',
      'Bearer, DPoP algs="ES256 PS256"',
      [
        { scheme: 'bearer', params: {} },
        { scheme: 'dpop', params: { algs: 'ES256 PS256' } },
      ],
    ],
    [
      // RFC 9449 §7.2, Figure 18
      'RFC 9449: an invalid Bearer token beside a DPoP offer',
      'Bearer error="invalid_token", error_description="Invalid token", DPoP algs="ES256 PS256"',
      [
        { scheme: 'bearer', params: { error: 'invalid_token', error_description: 'Invalid token' } },
        { scheme: 'dpop', params: { algs: 'ES256 PS256' } },
      ],
    ],
    [
      // draft-ietf-oauth-dpop (became RFC 9449 §7.1): a failed key binding
      'RFC 9449: invalid DPoP key binding',
      'DPoP realm="WallyWorld", error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256"',
      [
        {
          scheme: 'dpop',
          params: { realm: 'WallyWorld', error: 'invalid_token', error_description: 'Invalid DPoP key binding', algs: 'ES256' },
        },
      ],
    ],
    [
      // RFC 9449 §9 (resource server nonce)
      'RFC 9449: use_dpop_nonce from a resource server',
      'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
      [{ scheme: 'dpop', params: { error: 'use_dpop_nonce', error_description: 'Resource server requires nonce in DPoP proof' } }],
    ],
    [
      // RFC 9470 §3, Figure 1
      'RFC 9470: a different authentication level',
      'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR"',
      [
        {
          scheme: 'bearer',
          params: {
            error: 'insufficient_user_authentication',
            error_description: 'A different authentication level is required',
            acr_values: 'myACR',
          },
        },
      ],
    ],
    [
      // RFC 9470 §3, Figure 2
      'RFC 9470: a more recent authentication',
      'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="5"',
      [
        {
          scheme: 'bearer',
          params: { error: 'insufficient_user_authentication', error_description: 'More recent authentication is required', max_age: '5' },
        },
      ],
    ],
    [
      // Apache Camel CAMEL-27123 (camel-oauth step-up): max_age as a bare token
      'Apache Camel: RFC 9470 challenge with an unquoted max_age',
      'Bearer error="insufficient_user_authentication", error_description="...", acr_values="2", max_age=300',
      [
        {
          scheme: 'bearer',
          params: { error: 'insufficient_user_authentication', error_description: '...', acr_values: '2', max_age: '300' },
        },
      ],
    ],
    [
      // OpenIDC/mod_oauth2 issue #42 (Apache mod_oauth2 3.3.0)
      'mod_oauth2: insufficient_scope without a scope',
      'Bearer error="insufficient_scope", error_description="Different scope(s) or other claims required."',
      [{ scheme: 'bearer', params: { error: 'insufficient_scope', error_description: 'Different scope(s) or other claims required.' } }],
    ],
  ];

  it.each(corpus)('%s', (_name, header, expected) => {
    expect(parsed(header)).toEqual(expected);
  });
});

describe('WWW-Authenticate: malformed and hostile headers', () => {
  it.each([undefined, null, 42, {}, '', '   ', ',,,', [undefined, 7]])('gives no challenge for %p', (header) => {
    expect(parseWwwAuthenticate(header)).toEqual([]);
  });

  it('keeps what it read of a challenge and drops the parameters after a malformed one', () => {
    expect(parsed('Bearer realm="a", bad@param, scope="x", Basic realm="b"')).toEqual([
      { scheme: 'bearer', params: { realm: 'a' } },
      { scheme: 'basic', params: { realm: 'b' } },
    ]);
  });

  it('ends a challenge at two parameters without a comma between them (Azure SDK "no comma" case)', () => {
    expect(parsed('Bearer authorization_uri="https://login.windows.net/" error_description="ran into some error"')).toEqual([
      { scheme: 'bearer', params: {} },
    ]);
  });

  it('drops an unterminated quoted string and a control character inside one', () => {
    expect(parsed('Bearer error="invalid_token, scope="x')).toEqual([{ scheme: 'bearer', params: {} }]);
    expect(parsed('Bearer error="a\nb", Basic realm="r"')).toEqual([
      { scheme: 'bearer', params: {} },
      { scheme: 'basic', params: { realm: 'r' } },
    ]);
  });

  it('skips an element that is neither a parameter nor a challenge, quotes and all', () => {
    expect(parsed('Bearer"x, y", Basic realm="r"')).toEqual([{ scheme: 'basic', params: { realm: 'r' } }]);
  });

  it('gives parameters after a token68 to nobody', () => {
    expect(parsed('Negotiate abc==, realm="x", Basic realm="y"')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'abc==' },
      { scheme: 'basic', params: { realm: 'y' } },
    ]);
  });

  it('does not read a header longer than MAX_HEADER_LENGTH', () => {
    const long = `Bearer error="invalid_token", x="${'a'.repeat(MAX_HEADER_LENGTH)}"`;
    expect(parseWwwAuthenticate(long)).toEqual([]);
    expect(parseWwwAuthenticate(['Basic realm="a"', long])).toHaveLength(1);
  });

  it('keeps at most MAX_CHALLENGES challenges and MAX_PARAMS parameters each', () => {
    const many = Array.from({ length: MAX_CHALLENGES + 5 }, (_, i) => `S${i} a=1`).join(', ');
    expect(parseWwwAuthenticate(many)).toHaveLength(MAX_CHALLENGES);
    const params = Array.from({ length: MAX_PARAMS + 5 }, (_, i) => `p${i}=v`).join(', ');
    expect(Object.keys(parseWwwAuthenticate(`Bearer ${params}`)[0]!.params)).toHaveLength(MAX_PARAMS);
    const lines = Array.from({ length: 1000 }, () => 'Bearer');
    expect(parseWwwAuthenticate(lines)).toHaveLength(MAX_CHALLENGES);
  });

  it('does not throw on an array whose element getter throws', () => {
    const hostile = ['Bearer realm="a"'];
    Object.defineProperty(hostile, 1, {
      get() {
        throw new Error('boom');
      },
    });
    expect(parsed(hostile)).toEqual([{ scheme: 'bearer', params: { realm: 'a' } }]);
  });
});
