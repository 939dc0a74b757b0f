import { isSigningAlg, type SigningAlg } from '../jose/algorithms.js';
import { randomId } from '../jose/base64url.js';
import { checkSigningKey, importHmacSecret, importSigningKey } from '../jose/import-key.js';
import { encodeHeader, signWithEncodedHeader, type Signer } from '../jose/jws.js';
import type { AssertionAudience, ClientAuthMethod, TokenEndpointOptions } from './grant-options.js';

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The lifetime of an assertion: it is made for one request, so a minute covers any clock the AS allows. */
export const ASSERTION_LIFETIME_SECONDS = 60;

/** Makes the client assertion of one token-endpoint request: a fresh JWT each time. */
export interface ClientAssertion {
  /** Which `aud` the assertions carry. */
  readonly audience: AssertionAudience;
  /** A new signed assertion for `audience` (the issuer or the endpoint URL, as the caller resolved it). */
  create(clientId: string, aud: string): Promise<string>;
}

const RESERVED_HEADER = ['alg', 'kid'];

/**
 * Checks the key-based client authentication options at grant creation, naming the option at fault and never
 * quoting a key or secret, and returns the assertion maker of a `private_key_jwt` or `client_secret_jwt` client
 * (`undefined` for any other method).
 * @param method the method chosen, or `undefined` when discovery will choose (a `privateKey` then means private_key_jwt).
 * @see RFC 7523 §2.2, §3; OpenID Connect Core §9
 */
export function resolveClientAssertion(
  options: TokenEndpointOptions,
  method: ClientAuthMethod | undefined,
  path: string,
): ClientAssertion | undefined {
  const jwtMethod =
    method === 'private_key_jwt' || method === 'client_secret_jwt' || (method === undefined && options.privateKey !== undefined);
  if (!jwtMethod) {
    const stray = (['privateKey', 'keyId', 'signingAlg', 'assertionHeader', 'assertionAudience'] as const).find(
      (k) => options[k] !== undefined,
    );
    if (stray !== undefined) {
      throw new TypeError(`"${path}.${stray}" is only used with authMethod 'private_key_jwt' or 'client_secret_jwt'`);
    }
    // Discovery may still pick client_secret_jwt for a client with a secret, if that is all the server lists.
    const secret = options.clientSecret;
    if (method !== undefined || typeof secret !== 'string' || secret === '') return undefined;
    return assertionMaker(audienceOption(options, path), {}, 'HS256', () => importHmacSecret(secret));
  }
  const audience = audienceOption(options, path);
  const header = headerOption(options, path);
  if (method === 'client_secret_jwt') {
    if (options.privateKey !== undefined)
      throw new TypeError(`"${path}.privateKey" is not used with authMethod 'client_secret_jwt' (it signs with "clientSecret")`);
    if (options.signingAlg !== undefined && options.signingAlg !== 'HS256') {
      throw new TypeError(`"${path}.signingAlg" must be 'HS256' with authMethod 'client_secret_jwt'`);
    }
    const secret = options.clientSecret;
    if (typeof secret !== 'string' || secret === '')
      throw new TypeError(`"${path}.clientSecret" is required with authMethod 'client_secret_jwt'`);
    return assertionMaker(audience, header, 'HS256', () => importHmacSecret(secret));
  }
  if (options.privateKey === undefined) throw new TypeError(`"${path}.privateKey" is required with authMethod 'private_key_jwt'`);
  if (options.signingAlg !== undefined && (!isSigningAlg(options.signingAlg) || options.signingAlg === 'HS256')) {
    throw new TypeError(`"${path}.signingAlg" must be one of 'ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519'`);
  }
  const alg = checkSigningKey(options.privateKey, options.signingAlg, `${path}.privateKey`);
  if (alg === 'HS256') throw new TypeError(`"${path}.privateKey" must be a private key; client_secret_jwt signs with "clientSecret"`);
  const key = options.privateKey;
  return assertionMaker(audience, header, alg, () => importSigningKey(key, alg));
}

function assertionMaker(
  audience: AssertionAudience,
  header: Record<string, string>,
  alg: SigningAlg,
  importKey: () => Promise<CryptoKey>,
): ClientAssertion {
  let signer: Promise<Signer> | undefined;
  let encodedHeader: string | undefined;
  return {
    audience,
    async create(clientId, aud) {
      // Imported once, on first use (import is async); a failed import is tried again next time.
      signer ??= importKey().then((key) => ({ alg, key }));
      signer.catch(() => (signer = undefined));
      const ready = await signer;
      encodedHeader ??= encodeHeader(ready, header);
      const iat = Math.floor(Date.now() / 1000);
      // RFC 7523 §3: iss and sub are the client id, aud the AS, exp bounded, jti unique (the AS rejects a replay).
      const claims = { iss: clientId, sub: clientId, aud, jti: randomId(), iat, nbf: iat, exp: iat + ASSERTION_LIFETIME_SECONDS };
      return signWithEncodedHeader(ready, encodedHeader, claims);
    },
  };
}

function audienceOption(options: TokenEndpointOptions, path: string): AssertionAudience {
  const value = options.assertionAudience;
  if (value === undefined) return options.issuer === undefined ? 'token-endpoint' : 'issuer';
  if (value !== 'issuer' && value !== 'token-endpoint')
    throw new TypeError(`"${path}.assertionAudience" must be one of 'issuer', 'token-endpoint'`);
  if (value === 'issuer' && options.issuer === undefined) {
    throw new TypeError(`"${path}.assertionAudience" 'issuer' needs "issuer"; with "tokenUrl" alone the audience is the token endpoint`);
  }
  return value;
}

function headerOption(options: TokenEndpointOptions, path: string): Record<string, string> {
  const header: Record<string, string> = {};
  if (options.keyId !== undefined) {
    if (typeof options.keyId !== 'string' || options.keyId === '') throw new TypeError(`"${path}.keyId" must be a non-empty string`);
    header.kid = options.keyId;
  }
  const extra = options.assertionHeader;
  if (extra === undefined) return header;
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra))
    throw new TypeError(`"${path}.assertionHeader" must be an object`);
  for (const [name, value] of Object.entries(extra)) {
    if (RESERVED_HEADER.includes(name))
      throw new TypeError(`"${path}.assertionHeader.${name}" is set from the key ("signingAlg", "keyId")`);
    if (typeof value !== 'string') throw new TypeError(`"${path}.assertionHeader.${name}" must be a string`);
    header[name] = value;
  }
  return header;
}
