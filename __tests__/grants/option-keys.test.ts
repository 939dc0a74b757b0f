import {
  authorizationCodeGrant,
  clientCredentials,
  deviceAuthorization,
  jwtBearerGrant,
  passwordGrant,
  refreshTokenGrant,
  tokenExchangeGrant,
} from '../../lib/index.js';
import { loopbackAuthorization } from '../../lib/node.js';
import { TOKEN_URL } from './helpers';

/*
 * Every option the README documents for a grant is accepted by its factory, and a misspelt one is refused with the
 * factory's name (issue 9, mutation run over lib/grants/grant-options.ts). The keys are written out here, not taken
 * from the library's table: a key dropped from the table would be refused as unknown and break users' code.
 */

const ENDPOINT_KEYS = [
  'tokenUrl',
  'issuer',
  'discovery',
  'revocationUrl',
  'clientId',
  'clientSecret',
  'authMethod',
  'privateKey',
  'keyId',
  'signingAlg',
  'assertionHeader',
  'assertionAudience',
  'scope',
  'audience',
  'resource',
  'extraParams',
  'httpClient',
  'timeoutMs',
  'maxRetries',
  'retryDelayMs',
  'maxRetryDelayMs',
  'allowInsecureHttp',
];
const client = { tokenUrl: TOKEN_URL, clientId: 'svc', clientSecret: 'cs-keys-secret' };
const VERIFIER = 'v'.repeat(43);

const factories: Array<[string, (options: Record<string, unknown>) => unknown, Record<string, unknown>, string[]]> = [
  ['clientCredentials', clientCredentials as never, client, []],
  ['refreshTokenGrant', refreshTokenGrant as never, client, []],
  ['passwordGrant', passwordGrant as never, { ...client, username: 'u', password: 'p' }, ['username', 'password']],
  [
    'authorizationCodeGrant',
    authorizationCodeGrant as never,
    {
      ...client,
      redirectUri: 'https://app.example.com/cb',
      codeVerifier: VERIFIER,
      state: 's1',
      callbackUrl: 'https://app.example.com/cb?code=c1&state=s1',
    },
    ['redirectUri', 'callbackUrl', 'state', 'codeVerifier', 'url'],
  ],
  [
    'loopbackAuthorization',
    loopbackAuthorization as never,
    { ...client, authorizationUrl: 'https://auth.example.com/authorize', openUrl: () => undefined },
    ['openUrl', 'signal', 'callbackPath', 'port', 'prompt', 'loginHint', 'acrValues', 'maxAge', 'authorizationUrl', 'pushed'],
  ],
  [
    'deviceAuthorization',
    deviceAuthorization as never,
    { ...client, deviceAuthorizationUrl: 'https://auth.example.com/device', onUserCode: () => undefined },
    ['deviceAuthorizationUrl', 'onUserCode', 'signal'],
  ],
  [
    'tokenExchangeGrant',
    tokenExchangeGrant as never,
    { ...client, subjectToken: () => 'st', subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token' },
    ['subjectToken', 'subjectTokenType', 'actorToken', 'actorTokenType', 'requestedTokenType'],
  ],
  ['jwtBearerGrant', jwtBearerGrant as never, { ...client, assertion: () => 'a.b.c' }, ['assertion', 'claims', 'assertionLifetimeSeconds']],
];

function unknownOptionError(create: () => unknown): string | undefined {
  try {
    create();
  } catch (error) {
    const message = (error as Error).message;
    return /is not an option of/.test(message) ? message : undefined;
  }
  return undefined;
}

describe.each(factories)('%s', (name, factory, valid, ownKeys) => {
  it('is created from its minimal options', () => {
    expect(() => factory(valid)).not.toThrow();
  });

  it.each([...ENDPOINT_KEYS, ...ownKeys])('knows the option %s', (key) => {
    expect(unknownOptionError(() => factory({ ...valid, [key]: undefined }))).toBeUndefined();
  });

  it('refuses a misspelt option, naming it and the factory', () => {
    expect(unknownOptionError(() => factory({ ...valid, tokenUrll: TOKEN_URL }))).toBe(`"options.tokenUrll" is not an option of ${name}()`);
  });
});

it('refuses authorizationParams, which loopbackAuthorization once accepted and ignored', () => {
  const [, loopback, valid] = factories.find(([name]) => name === 'loopbackAuthorization')!;
  expect(unknownOptionError(() => loopback({ ...valid, authorizationParams: { ui_locales: 'de' } }))).toBe(
    '"options.authorizationParams" is not an option of loopbackAuthorization()',
  );
});

describe('parameters a grant sets itself', () => {
  it.each([
    'grant_type',
    'client_id',
    'client_secret',
    'refresh_token',
    'username',
    'password',
    'code',
    'code_verifier',
    'redirect_uri',
    'device_code',
    'subject_token',
    'subject_token_type',
    'actor_token',
    'actor_token_type',
    'requested_token_type',
    'assertion',
    'client_assertion',
    'client_assertion_type',
  ])('cannot be overridden through extraParams: %s', (param) => {
    expect(() => clientCredentials({ ...client, extraParams: { [param]: 'x' } })).toThrow(
      new TypeError(`"options.extraParams.${param}" is set by the grant and cannot be overridden`),
    );
  });
});
