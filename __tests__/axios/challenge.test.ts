import { decideChallenge, decodeClaims } from '../../lib/axios/challenge.js';

const claimsJson = '{"access_token":{"nbf":{"essential":true,"value":"1726077595"},"xms_caeerror":{"value":"10012"}}}';
// Azure/azure-sdk-for-js core-rest-pipeline bearerTokenAuthenticationPolicy.spec.ts, "standard CAE challenge"
const CAE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNzI2MDc3NTk1In0sInhtc19jYWVlcnJvciI6eyJ2YWx1ZSI6IjEwMDEyIn19fQ=="';

describe('decideChallenge', () => {
  it.each([401, 403])('steps up on insufficient_scope with a scope (%i)', (status) => {
    const decision = decideChallenge(status, 'Bearer error="insufficient_scope", scope="graph.send  graph.read"', 'Bearer');
    expect(decision).toMatchObject({ action: 'step-up', requiredScope: ['graph.send', 'graph.read'] });
  });

  it('refreshes on invalid_token and on a challenge of our scheme with no error', () => {
    expect(decideChallenge(401, 'Bearer error="invalid_token"', 'Bearer').action).toBe('refresh');
    expect(decideChallenge(401, 'Bearer realm="example"', 'Bearer').action).toBe('refresh');
  });

  it('refreshes with the decoded claims on insufficient_claims (Entra CAE)', () => {
    expect(decideChallenge(401, CAE, 'Bearer')).toMatchObject({ action: 'claims', claims: claimsJson });
  });

  it('asks for a sign-in on insufficient_user_authentication, with acr_values and max_age', () => {
    const header = 'Bearer error="insufficient_user_authentication", acr_values="phr  mfa", max_age="300"';
    expect(decideChallenge(401, header, 'Bearer')).toMatchObject({ action: 'sign-in', acrValues: ['phr', 'mfa'], maxAge: 300 });
    expect(decideChallenge(401, 'Bearer error="insufficient_user_authentication", max_age=-1', 'Bearer')).toMatchObject({
      action: 'sign-in',
      acrValues: [],
      maxAge: undefined,
    });
  });

  it('matches the scheme we sent, case-insensitively, and ignores challenges of other schemes', () => {
    const both = 'Bearer error="insufficient_scope", scope="a", DPoP error="invalid_token"';
    expect(decideChallenge(401, both, 'DPoP').action).toBe('refresh');
    expect(decideChallenge(401, both, 'bearer').action).toBe('step-up');
  });

  it("calls a 401 carrying only another scheme's challenge (a proxy's Basic) not ours; a 403 falls back", () => {
    expect(decideChallenge(401, 'Basic realm="corporate proxy"', 'Bearer')).toEqual({ action: 'return' });
    expect(decideChallenge(403, 'Basic realm="corporate proxy"', 'Bearer')).toEqual({ action: 'default' });
  });

  it('falls back to the pre-challenge behaviour without a challenge, a scheme, or a 401/403', () => {
    expect(decideChallenge(401, undefined, 'Bearer')).toEqual({ action: 'default' });
    expect(decideChallenge(403, '', 'Bearer')).toEqual({ action: 'default' });
    expect(decideChallenge(401, 'garbage"', 'Bearer')).toEqual({ action: 'default' });
    expect(decideChallenge(401, 'Bearer error="insufficient_scope", scope="a"', undefined)).toEqual({ action: 'default' });
    expect(decideChallenge(500, 'Bearer error="invalid_token"', 'Bearer')).toEqual({ action: 'default' });
  });

  it('returns as it is what it cannot act on: another error code, a scope-less insufficient_scope, unreadable claims', () => {
    expect(decideChallenge(401, 'Bearer error="invalid_request"', 'Bearer')).toEqual({ action: 'return' });
    // OpenIDC/mod_oauth2 issue #42
    expect(
      decideChallenge(403, 'Bearer error="insufficient_scope", error_description="Different scope(s) or other claims required."', 'Bearer'),
    ).toEqual({
      action: 'return',
    });
    // Azure SDK "cannot parse claims"
    expect(decideChallenge(401, 'Bearer claims="not base64", error="insufficient_claims"', 'Bearer')).toEqual({ action: 'return' });
  });

  it('lets the most specific challenge win among several of our scheme', () => {
    // Azure SDK "parse multiple challenges with claims": an invalid_token next to an insufficient_claims
    const header = `Bearer authorization_uri="https://login.windows.net/", error="invalid_token", claims="ey==", ${CAE}`;
    expect(decideChallenge(401, header, 'Bearer').action).toBe('claims');
    const all = 'Bearer error="insufficient_scope", scope="a", Bearer error="insufficient_user_authentication"';
    expect(decideChallenge(403, all, 'Bearer').action).toBe('sign-in');
  });
});

describe('decodeClaims', () => {
  it('decodes base64 and base64url JSON objects to their text', () => {
    expect(decodeClaims(Buffer.from(claimsJson).toString('base64'))).toBe(claimsJson);
    const url = Buffer.from('{"a":"ü?>"}').toString('base64url');
    expect(decodeClaims(url)).toBe('{"a":"ü?>"}');
  });

  it.each([
    '',
    'not base64',
    'ey==',
    Buffer.from('[1]').toString('base64'),
    Buffer.from('"x"').toString('base64'),
    '/w==',
    'a'.repeat(9000),
  ])('refuses %p', (value) => {
    expect(decodeClaims(value)).toBeUndefined();
  });
});
