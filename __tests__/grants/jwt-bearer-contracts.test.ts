import { generateKeyPairSync } from 'node:crypto';
import { jwtBearerGrant } from '../../lib/index.js';
import { thrown } from '../support/thrown';
import { ctx, form, mockAuthServer, tokenBody } from './helpers';

/*
 * jwtBearerGrant (issue 9, mutation run over lib/grants/jwt-bearer.ts): with authMethod private_key_jwt the grant's
 * key also signs the client assertion, with the same key id and algorithm; an assertion function excludes that.
 */

const TOKEN_URL = 'https://oauth2.example.com/token';
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const privateKey = ec.privateKey.export({ format: 'jwk' }) as JsonWebKey;
const claims = { iss: 'robot@example.com', aud: TOKEN_URL };

const headerOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;

async function clientAssertionHeader(extra: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { http, mock } = mockAuthServer();
  mock.onPost(TOKEN_URL).reply(200, tokenBody());
  const grant = jwtBearerGrant({
    tokenUrl: TOKEN_URL,
    clientId: 'robot',
    authMethod: 'private_key_jwt',
    privateKey,
    claims,
    httpClient: http,
    ...extra,
  });
  await grant(ctx());
  return headerOf(form(mock.history.post[0]!).client_assertion!);
}

describe('jwtBearerGrant with authMethod private_key_jwt', () => {
  it('signs the client assertion with the grant key, its keyId and its algorithm', async () => {
    expect(await clientAssertionHeader({ keyId: 'k1', signingAlg: 'ES256' })).toEqual({ alg: 'ES256', kid: 'k1' });
  });

  it('puts no kid in the client assertion when no keyId is given', async () => {
    expect(await clientAssertionHeader({})).toEqual({ alg: 'ES256' });
  });

  it('refuses an assertion function, which has no key to authenticate the client with', () => {
    const error = thrown(() =>
      jwtBearerGrant({ tokenUrl: TOKEN_URL, clientId: 'robot', authMethod: 'private_key_jwt', assertion: () => 'a.b.c' }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(
      `"options.authMethod" 'private_key_jwt' signs with "options.privateKey", which "options.assertion" excludes`,
    );
  });
});

describe('jwtBearerGrant with an assertion function', () => {
  it('names the assertion() result when it is not a usable JWT, and sends nothing', async () => {
    const { http, mock } = mockAuthServer();
    const grant = jwtBearerGrant({ tokenUrl: TOKEN_URL, clientId: 'robot', clientSecret: 'cs', assertion: () => '', httpClient: http });
    await expect(grant(ctx())).rejects.toThrow('the assertion() result');
    expect(mock.history.post).toHaveLength(0);
  });
});
