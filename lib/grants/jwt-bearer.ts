import type { TokenSource } from '../core/options.js';
import { requireFunction, requireWellFormedString } from '../core/validate.js';
import type { SigningAlg } from '../jose/algorithms.js';
import type { SigningKeyInput } from '../jose/import-key.js';
import type { TokenEndpointOptions } from './grant-options.js';
import { jwtBearerAssertion, type JwtBearerClaims } from './jwt-bearer-assertion.js';
import type { TokenProvider } from './token-exchange.js';
import { createTokenEndpointClient } from './token-endpoint-client.js';
import { grantTokenSource } from './token-source.js';
import { validateEndpointOptions } from './validate-options.js';

/**
 * Options of {@link jwtBearerGrant}: exactly one of `assertion` (you sign) or `privateKey` with `claims` (the grant
 * signs). In this grant `privateKey`, `keyId` and `signingAlg` belong to the grant's assertion; they sign a client
 * assertion too only with `authMethod: 'private_key_jwt'`.
 */
export interface JwtBearerGrantOptions extends Omit<TokenEndpointOptions, 'privateKey' | 'keyId' | 'signingAlg'> {
  /**
   * Returns a signed JWT assertion (RFC 7523 §3: `iss`, `sub`, `aud`, `exp`, a fresh `jti`), called once per token
   * request: a new assertion each time. Never put in an error. @default none (give `privateKey` and `claims` instead)
   */
  assertion?: TokenProvider;
  /** The key that signs the assertion: a CryptoKey, a private JWK or a PKCS#8 PEM (a Google key file's `private_key`). @default none */
  privateKey?: SigningKeyInput;
  /** The `kid` header of the assertion (a Google key file's `private_key_id`). @default none */
  keyId?: string;
  /** The algorithm to sign with. @default the key's own: ES256 for P-256, RS256 for RSA, EdDSA for Ed25519 */
  signingAlg?: SigningAlg;
  /** The claims of the assertion, required with `privateKey`; `jti`, `iat` and `exp` are added per token request. */
  claims?: JwtBearerClaims;
  /** `exp` − `iat` of each assertion, in seconds, 1 to 3600 (Google refuses more than an hour). @default 3600 */
  assertionLifetimeSeconds?: number;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const KEY_FORM = ['keyId', 'signingAlg', 'claims', 'assertionLifetimeSeconds'] as const;

/**
 * The JWT bearer grant (RFC 7523 §2.1), the way Google service accounts get tokens: the token request carries a
 * JWT the client signed, made fresh for every token request (new `jti`, `iat`, `exp`), either by your `assertion`
 * function or by the grant from `privateKey` and `claims`.
 * @example
 * const key = JSON.parse(await readFile('service-account.json', 'utf8'));
 * attachOAuth(gcp, { fetchToken: jwtBearerGrant({ tokenUrl: key.token_uri, clientId: key.client_email,
 *   privateKey: key.private_key, keyId: key.private_key_id,
 *   claims: { iss: key.client_email, aud: key.token_uri, scope: 'https://www.googleapis.com/auth/cloud-platform' } }) });
 * @see RFC 7523 §2.1, §3
 */
export function jwtBearerGrant(options: JwtBearerGrantOptions): TokenSource {
  const { assertion, privateKey, keyId, signingAlg, claims, assertionLifetimeSeconds, ...rest } = options ?? ({} as JwtBearerGrantOptions);
  if ((assertion === undefined) === (privateKey === undefined)) {
    throw new TypeError('"options" must have exactly one of "assertion" and "privateKey"');
  }
  // With private_key_jwt the grant's key authenticates the client as well (RFC 7523 §2.1 allows both at once).
  const endpoint: TokenEndpointOptions =
    rest.authMethod === 'private_key_jwt'
      ? { ...rest, privateKey: privateKey!, ...(keyId === undefined ? {} : { keyId }), ...(signingAlg === undefined ? {} : { signingAlg }) }
      : rest;
  if (assertion !== undefined && rest.authMethod === 'private_key_jwt') {
    throw new TypeError(`"options.authMethod" 'private_key_jwt' signs with "options.privateKey", which "options.assertion" excludes`);
  }
  const client = createTokenEndpointClient(validateEndpointOptions(endpoint, 'jwtBearerGrant'));
  let sign: TokenProvider;
  if (assertion !== undefined) {
    const given = KEY_FORM.find((name) => options[name] !== undefined);
    if (given !== undefined) throw new TypeError(`"options.${given}" is only used with "options.privateKey", not "options.assertion"`);
    requireFunction(assertion, 'options.assertion');
    sign = assertion;
  } else {
    sign = jwtBearerAssertion({ privateKey, keyId, signingAlg, claims, assertionLifetimeSeconds });
  }
  return grantTokenSource(async ({ signal, scope, claims: requested, dpop }) => {
    const jwt = requireWellFormedString(await sign(), 'the assertion() result');
    const grant: Array<[string, string]> = [
      ['grant_type', JWT_BEARER],
      ['assertion', jwt],
    ];
    return client.requestToken(grant, signal, [jwt], { scope, claims: requested, dpop });
  }, client);
}
