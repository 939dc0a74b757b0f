import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import axios from 'axios';
import {
  attachOAuth,
  deviceAuthorization,
  ErrorCode,
  jwtBearerGrant,
  refreshTokenGrant,
  tokenExchangeGrant,
  type TokenSource,
  type UserCodePrompt,
} from '../../lib/index';
import { jwtBearerAssertion } from '../../lib/grants/jwt-bearer-assertion';
import { importSigningKey } from '../../lib/jose/import-key';
import { signCompact } from '../../lib/jose/jws';
import { loopbackAuthorization } from '../../lib/node';
import { describeInChromium, launchChromium, type Chromium } from '../support/browser-harness';
import { startProtectedApi, type ProtectedApi } from '../support/protected-api';
import { ctx } from '../grants/helpers';
import { expectNoSecrets } from '../support/secrets-sweep';
import { startSignInServer, type SignInServer } from '../support/sign-in-server';

/*
 * The sign-in flows against a real oidc-provider (issue 12): the device flow approved through the provider while
 * the client polls, and authorization code + PKCE through the provider's own login and consent pages in headless
 * Chromium, over the loopback redirect. Requests made meanwhile wait for the sign-in and then succeed against an
 * API that verifies the tokens for real. Delegation: token exchange and the JWT bearer grant through the provider's
 * registerGrantType, whose handlers verify what they get (the subject token; the assertion's signature, claims,
 * lifetime and jti) for real.
 */

let server: SignInServer;
let api: ProtectedApi;

/** Service keys whose public halves the provider registers for JWT bearer assertions (RFC 7523), one per algorithm. */
const SERVICE_ISS = 'svc@axios-oauth-lock.test';
const serviceKeys = {
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
};
const privateJwk = (alg: keyof typeof serviceKeys): JsonWebKey => serviceKeys[alg].privateKey.export({ format: 'jwk' });
const publicJwk = (alg: keyof typeof serviceKeys): JsonWebKey =>
  ({ ...serviceKeys[alg].publicKey.export({ format: 'jwk' }), kid: `svc-${alg}`, alg }) as JsonWebKey;

beforeAll(async () => {
  server = await startSignInServer({ assertionIssuers: { [SERVICE_ISS]: [publicJwk('ES256'), publicJwk('RS256')] } });
  api = await startProtectedApi({ issuer: server.issuer, jwksUrl: server.jwksUrl, audience: server.resource });
});
afterAll(async () => {
  await api?.stop();
  await server?.stop();
});

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('device authorization against oidc-provider', () => {
  it('polls at the interval, slows down when told, and signs in once approved; waiting requests then succeed', async () => {
    const client = axios.create({ baseURL: api.baseURL });
    const auth = attachOAuth(client, { fetchToken: refreshTokenGrant({ issuer: server.issuer, clientId: 'tv' }) });
    const prompts: UserCodePrompt[] = [];
    await server.slowDownNext();
    const before = (await server.seen()).devicePolls.length;
    const signIn = auth.signIn(
      deviceAuthorization({
        issuer: server.issuer,
        clientId: 'tv',
        scope: 'openid offline_access orders:read',
        onUserCode: (p) => void prompts.push(p),
      }),
    );
    const waiting = [client.get('/orders'), client.get('/orders')];
    // First poll: slow_down (simulated); second: authorization_pending; then the user approves.
    await until(async () => (await server.seen()).devicePolls.length >= before + 2);
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.verificationUri).toBe(`${server.issuer}/device`);
    await server.approveDevice(prompts[0]!.userCode);
    const token = await signIn;
    expect(token.refreshToken).toEqual(expect.any(String));
    const responses = await Promise.all(waiting);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    const polls = (await server.seen()).devicePolls.slice(before);
    expect(polls).toHaveLength(3);
    // oidc-provider's interval is 5 s; slow_down makes it 10 s for good.
    expect(polls[1]! - polls[0]!).toBeGreaterThanOrEqual(9_900);
    expect(polls[2]! - polls[1]!).toBeGreaterThanOrEqual(9_900);
    // Renewal goes through fetchToken with the refresh token the sign-in obtained.
    const renewed = await auth.refresh();
    expect(renewed.accessToken).not.toBe(token.accessToken);
    expect((await client.get('/orders')).status).toBe(200);
    auth.detach();
  }, 60_000);

  it('fails with access_denied when the user declines, and leaves no token', async () => {
    const client = axios.create({ baseURL: api.baseURL });
    const auth = attachOAuth(client, { fetchToken: refreshTokenGrant({ issuer: server.issuer, clientId: 'tv' }) });
    const failed = auth
      .signIn(
        deviceAuthorization({
          issuer: server.issuer,
          clientId: 'tv',
          scope: 'openid',
          onUserCode: ({ userCode }) => server.denyDevice(userCode),
        }),
      )
      .catch((error: unknown) => error);
    const waiting = client.get('/orders').catch((error: unknown) => error);
    const error = (await failed) as { code: string; cause: { error: string } };
    expect(error.code).toBe(ErrorCode.SIGN_IN_FAILED);
    expect(error.cause.error).toBe('access_denied');
    expect(await waiting).toBe(error);
    expect(auth.tokenManager.token).toBeNull();
    auth.detach();
  }, 30_000);
});

describeInChromium('authorization code + PKCE through the loopback redirect, in headless Chromium', () => {
  let chromium: Chromium;
  beforeAll(async () => {
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
  });

  it("signs in through the provider's login and consent pages; requests made meanwhile wait and then succeed", async () => {
    const client = axios.create({ baseURL: api.baseURL });
    const auth = attachOAuth(client, { fetchToken: refreshTokenGrant({ issuer: server.issuer, clientId: 'cli' }) });
    const page = await chromium.context.newPage();
    let finalText = '';
    const signIn = auth.signIn(
      loopbackAuthorization({
        issuer: server.issuer,
        clientId: 'cli',
        scope: ['openid', 'offline_access', 'orders:read'],
        prompt: 'consent',
        openUrl: async (url) => {
          await page.goto(url, { waitUntil: 'domcontentloaded' });
          await page.fill('input[name=login]', 'alice');
          await page.fill('input[name=password]', 'any password');
          await page.click('button[type=submit]');
          await page.waitForSelector('input[name=prompt][value=consent]', { state: 'attached' });
          await page.click('button[type=submit]');
          await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/, { waitUntil: 'domcontentloaded' });
          finalText = await page.innerText('body');
        },
      }),
    );
    const waiting = [client.get('/orders'), client.get('/orders'), client.get('/orders')];
    const token = await signIn;
    expect(token.refreshToken).toEqual(expect.any(String));
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual([200, 200, 200]);
    await until(async () => finalText !== '');
    expect(finalText).toContain('You may close this window');
    const stats = await api.stats();
    expect(stats.distinctTokens).toBeGreaterThanOrEqual(1);
    const renewed = await auth.refresh();
    expect(renewed.accessToken).not.toBe(token.accessToken);
    await page.close();
    auth.detach();
  }, 60_000);

  it('examples/cli-sign-in.ts signs in through the browser and calls the API', async () => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join('examples', 'cli-sign-in.ts')], {
      cwd: path.join(__dirname, '..', '..'),
      env: { ...process.env, ISSUER: server.issuer, CLIENT_ID: 'cli', API_URL: api.baseURL, SCOPE: 'orders:read' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await until(async () => /Sign in at: (\S+)/.test(stdout));
    const url = /Sign in at: (\S+)/.exec(stdout)![1]!;
    const page = await chromium.context.newPage();
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    // The profile may still be signed in at the provider (the test above): then only the consent page shows.
    await page.waitForSelector('input[name=prompt]', { state: 'attached' });
    if ((await page.$('input[name=login]')) !== null) {
      await page.fill('input[name=login]', 'alice');
      await page.fill('input[name=password]', 'any password');
      await page.click('button[type=submit]');
      await page.waitForSelector('input[name=prompt][value=consent]', { state: 'attached' });
    }
    await page.click('button[type=submit]');
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/, { waitUntil: 'domcontentloaded' });
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^200 /m);
    await page.close();
  }, 60_000);
});

describe('token exchange against oidc-provider (registerGrantType)', () => {
  it("swaps a signed-in user's token for a downstream one, fetching the subject token per exchange", async () => {
    const user = attachOAuth(axios.create({ baseURL: api.baseURL }), {
      fetchToken: refreshTokenGrant({ issuer: server.issuer, clientId: 'tv' }),
    });
    const userToken = await user.signIn(
      deviceAuthorization({
        issuer: server.issuer,
        clientId: 'tv',
        scope: 'openid orders:read',
        onUserCode: ({ userCode }) => server.approveDevice(userCode),
      }),
    );
    const subjectToken = jest.fn(() => userToken.accessToken);
    const downstream = axios.create({ baseURL: 'http://127.0.0.1:9' });
    const service = attachOAuth(downstream, {
      fetchToken: tokenExchangeGrant({
        issuer: server.issuer,
        ...server.exchanger,
        subjectToken,
        subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token',
        requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
        audience: 'https://downstream.example.com',
        scope: 'orders:read',
      }),
    });
    const exchanged = await service.getToken();
    expect(exchanged).toMatchObject({ tokenType: 'Bearer', scope: 'orders:read' });
    expect(exchanged.accessToken).not.toBe(userToken.accessToken);
    await service.refresh();
    expect(subjectToken).toHaveBeenCalledTimes(2);
    expect(await server.exchanges()).toEqual([
      expect.objectContaining({
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        audience: 'https://downstream.example.com',
        client: 'exchanger',
      }),
      expect.objectContaining({ requested_token_type: 'urn:ietf:params:oauth:token-type:access_token', scope: 'orders:read' }),
    ]);
    service.detach();
    user.detach();
  }, 30_000);
});

describe('JWT bearer grant against oidc-provider (registerGrantType)', () => {
  const claims = (): { iss: string; sub: string; aud: string } => ({ iss: SERVICE_ISS, sub: 'batch-job', aud: `${server.issuer}/token` });
  /** One call of the grant by hand: its result or its error. */
  const outcomeOf = (source: TokenSource): Promise<unknown> => Promise.resolve(source(ctx())).catch((error: unknown) => error);

  it.each(['ES256', 'RS256'] as const)(
    'signs a fresh %s assertion per token request that the provider verifies with the registered key; the API accepts the token',
    async (alg) => {
      const client = axios.create({ baseURL: api.baseURL });
      const service = attachOAuth(client, {
        fetchToken: jwtBearerGrant({
          issuer: server.issuer,
          clientId: 'service',
          privateKey: privateJwk(alg),
          keyId: `svc-${alg}`,
          claims: claims(),
        }),
      });
      const before = (await server.jwtBearer()).accepted.length;
      const response = await client.get('/orders');
      expect(response.status).toBe(200);
      expect(response.data).toMatchObject({ clientId: 'service', scope: 'orders:read' });
      await service.refresh();
      expect((await client.get('/orders')).status).toBe(200);
      const accepted = (await server.jwtBearer()).accepted.slice(before);
      expect(accepted).toEqual([
        { alg, kid: `svc-${alg}`, ...claims(), jti: expect.any(String), lifetimeSeconds: 3600, client: 'service' },
        { alg, kid: `svc-${alg}`, ...claims(), jti: expect.any(String), lifetimeSeconds: 3600, client: 'service' },
      ]);
      expect(accepted[0]!.jti).not.toBe(accepted[1]!.jti);
      service.detach();
    },
    30_000,
  );

  it('is refused invalid_grant for an assertion the registered key did not sign, one replayed, or one living over an hour; none leaks', async () => {
    const log = async (): Promise<string[]> => (await server.jwtBearer()).refused;
    const refusedBefore = (await log()).length;
    // The right iss and kid, but another key: only the signature check can tell.
    const impostor = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    const forged = jwtBearerGrant({
      issuer: server.issuer,
      clientId: 'service',
      privateKey: impostor,
      keyId: 'svc-ES256',
      claims: claims(),
    });
    const forgedError = await outcomeOf(forged);
    expect(forgedError).toMatchObject({ code: ErrorCode.OAUTH_ERROR, error: 'invalid_grant' });

    // A valid assertion sent twice: the second is a replay of its jti.
    const once = await jwtBearerAssertion({ privateKey: privateJwk('ES256'), keyId: 'svc-ES256', claims: claims() })();
    const replaying = jwtBearerGrant({ issuer: server.issuer, clientId: 'service', assertion: () => once });
    await expect(outcomeOf(replaying)).resolves.toMatchObject({ tokenType: 'Bearer' });
    const replayError = await outcomeOf(replaying);
    expect(replayError).toMatchObject({ code: ErrorCode.OAUTH_ERROR, error: 'invalid_grant' });

    // Signed by the registered key, but valid for two hours: the grant never makes one (at most 3600 s); the provider refuses it.
    const iat = Math.floor(Date.now() / 1000);
    const signer = { alg: 'ES256' as const, key: await importSigningKey(privateJwk('ES256'), 'ES256') };
    const longLived = await signCompact(
      signer,
      { typ: 'JWT', kid: 'svc-ES256' },
      { ...claims(), jti: `long-${iat}`, iat, exp: iat + 7200 },
    );
    const tooLong = await outcomeOf(jwtBearerGrant({ issuer: server.issuer, clientId: 'service', assertion: () => longLived }));
    expect(tooLong).toMatchObject({ code: ErrorCode.OAUTH_ERROR, error: 'invalid_grant' });

    expect((await log()).slice(refusedBefore)).toEqual([
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      'jti replayed',
      'lives longer than an hour',
    ]);
    expectNoSecrets(replayError, [once]);
    expectNoSecrets(forgedError, [impostor.d!]);
  }, 30_000);
});
