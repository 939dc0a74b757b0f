import { createConnection } from 'node:net';
import { ErrorCode, OAuthError, type SignInError, TokenManager } from '../../lib/index.js';
import { loopbackAuthorization } from '../../lib/node.js';
import { deferred } from '../support/fake-api';
import { form, mockAuthServer, tokenBody } from './helpers';

const AUTHORIZE = 'https://id.example.com/authorize';
const TOKEN = 'https://id.example.com/token';

/** A loopback sign-in whose browser the test plays: `opened` resolves with the authorization URL. */
function setup(extra: Record<string, unknown> = {}) {
  const { http, mock } = mockAuthServer();
  const opened = deferred<URL>();
  const source = loopbackAuthorization({
    authorizationUrl: AUTHORIZE,
    tokenUrl: TOKEN,
    clientId: 'cli',
    scope: 'openid offline_access',
    httpClient: http,
    maxRetries: 0,
    openUrl: (url) => opened.resolve(new URL(url)),
    ...extra,
  });
  const manager = new TokenManager({ fetchToken: jest.fn() });
  return { mock, opened: opened.promise, source, manager };
}

async function browse(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, text: await response.text() };
}

/** Whether anything still listens on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const redirectOf = (url: URL): URL => new URL(url.searchParams.get('redirect_uri')!);

describe('loopbackAuthorization', () => {
  it('signs in through 127.0.0.1: 404 for anything but the callback with the right state, a closing page, no listener left', async () => {
    const { mock, opened, source, manager } = setup();
    mock.onPost(TOKEN).reply(200, tokenBody({ refresh_token: 'rt-cli' }));
    const signIn = manager.signIn(source);
    const url = await opened;
    expect(url.origin + url.pathname).toBe(AUTHORIZE);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    const redirect = redirectOf(url);
    expect(redirect.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(redirect.pathname).toBe('/callback');
    const state = url.searchParams.get('state')!;
    const base = redirect.href;
    expect((await browse(`${redirect.origin}/favicon.ico`)).status).toBe(404);
    expect((await browse(`${base}?code=c-1&state=wrong-state`)).status).toBe(404);
    expect((await browse(`${base}?code=c-1`)).status).toBe(404);
    const done = await browse(`${base}?code=code-CLI-12345&state=${state}`);
    expect(done.status).toBe(200);
    expect(done.text).toContain('You may close this window');
    await expect(signIn).resolves.toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-cli' });
    expect(mock.history.post).toHaveLength(1);
    expect(form(mock.history.post[0]!)).toMatchObject({ grant_type: 'authorization_code', code: 'code-CLI-12345', redirect_uri: base });
    expect(form(mock.history.post[0]!).code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await listening(Number(redirect.port))).toBe(false);
  });

  it('shows the error to the browser and fails the sign-in with the OAuthError, closing the listener', async () => {
    const { mock, opened, source, manager } = setup();
    const failed = manager.signIn(source).catch((e: unknown) => e);
    const url = await opened;
    const redirect = redirectOf(url);
    const page = await browse(`${redirect.href}?error=access_denied&error_description=No%20thanks&state=${url.searchParams.get('state')}`);
    expect(page.status).toBe(400);
    expect(page.text).toContain('access_denied');
    const error = (await failed) as SignInError;
    expect(error.code).toBe(ErrorCode.SIGN_IN_FAILED);
    expect(error.cause).toBeInstanceOf(OAuthError);
    expect(mock.history.post).toHaveLength(0);
    expect(await listening(Number(redirect.port))).toBe(false);
  });

  it('closes the listener when aborted, and the sign-in rejects with the abort reason', async () => {
    const controller = new AbortController();
    const { opened, source, manager } = setup({ signal: controller.signal });
    const signIn = manager.signIn(source);
    const redirect = redirectOf(await opened);
    controller.abort(new Error('user pressed Ctrl-C'));
    const error = (await signIn.catch((e: unknown) => e)) as SignInError;
    expect((error.cause as Error).message).toBe('user pressed Ctrl-C');
    expect(await listening(Number(redirect.port))).toBe(false);
  });

  it('closes the listener at its deadline with ERR_SIGN_IN_TIMEOUT', async () => {
    const { opened, source, manager } = setup({ timeoutMs: 50 });
    const signIn = manager.signIn(source);
    const redirect = redirectOf(await opened);
    await expect(signIn).rejects.toMatchObject({ code: ErrorCode.SIGN_IN_TIMEOUT });
    expect(await listening(Number(redirect.port))).toBe(false);
  });

  it('regression: an openUrl that waits for the browser to finish does not deadlock the sign-in', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN).reply(200, tokenBody());
    const page = deferred<string>();
    const source = loopbackAuthorization({
      authorizationUrl: AUTHORIZE,
      tokenUrl: TOKEN,
      clientId: 'cli',
      httpClient: http,
      timeoutMs: 5_000,
      // Plays a browser that is driven to the end (as a Playwright script would) before openUrl returns.
      openUrl: async (url) => {
        const request = new URL(url);
        page.resolve((await browse(`${redirectOf(request).href}?code=code-1234&state=${request.searchParams.get('state')}`)).text);
      },
    });
    await expect(new TokenManager({ fetchToken: jest.fn() }).signIn(source)).resolves.toMatchObject({ accessToken: 'at-1' });
    expect(await page.promise).toContain('You may close this window');
  });

  it('closes the listener when openUrl fails', async () => {
    let port = 0;
    const { source, manager } = setup({
      openUrl: (url: string) => {
        port = Number(redirectOf(new URL(url)).port);
        throw new Error('no browser');
      },
    });
    await expect(manager.signIn(source)).rejects.toMatchObject({ code: ErrorCode.SIGN_IN_FAILED, cause: { message: 'no browser' } });
    expect(port).toBeGreaterThan(0);
    expect(await listening(port)).toBe(false);
  });

  it('checks its options at creation', () => {
    expect(() => loopbackAuthorization({ tokenUrl: TOKEN, clientId: 'cli', openUrl: 'x' as never, authorizationUrl: AUTHORIZE })).toThrow(
      '"options.openUrl" must be a function',
    );
    expect(() => loopbackAuthorization({ tokenUrl: TOKEN, clientId: 'cli', openUrl: () => undefined })).toThrow(
      '"options.authorizationUrl" is required with "tokenUrl"',
    );
    expect(() =>
      loopbackAuthorization({ issuer: 'https://id.example.com', clientId: 'cli', openUrl: () => undefined, timeoutMs: 0 }),
    ).toThrow('"options.timeoutMs" must be a finite number >= 1');
    expect(() =>
      loopbackAuthorization({ issuer: 'https://id.example.com', clientId: 'cli', openUrl: () => undefined, portt: 1 } as never),
    ).toThrow('"options.portt" is not an option of loopbackAuthorization()');
  });
});
