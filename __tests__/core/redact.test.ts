import axios, { AxiosError, AxiosHeaders } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { attachOAuth, REDACTED, TokenRefreshError } from '../../lib/index.js';
import { redactError, scrubSecrets } from '../../lib/core/redact';
import { formEncode as coreFormEncode } from '../../lib/core/scrub-secrets';
import { formEncode } from '../../lib/grants/client-auth';
import { expectNoSecrets } from '../support/secrets-sweep';

const SECRETS = ['s3cret-client', 'r3fresh-token', 'acc3ss-token', 'pa55word'];

describe('secrets in errors', () => {
  it('redacts an AxiosError thrown by a token source: body, Basic header, message and cause chain', async () => {
    const tokenHttp = axios.create();
    new MockAdapter(tokenHttp, { onNoMatch: 'throwException' })
      .onPost('https://auth.example.com/token')
      .reply(400, { error: 'invalid_grant' });
    const api = axios.create({ baseURL: 'https://api.example.com' });
    new MockAdapter(api, { onNoMatch: 'throwException' });
    const handle = attachOAuth(api, {
      initialToken: { accessToken: 'acc3ss-token', refreshToken: 'r3fresh-token', expiresIn: 0 },
      fetchToken: async (ctx) => {
        const body = `grant_type=refresh_token&refresh_token=${ctx.lastToken?.refreshToken}&password=pa55word`;
        const response = await tokenHttp.post('https://auth.example.com/token', body, {
          headers: { Authorization: `Basic ${Buffer.from('id:s3cret-client').toString('base64')}` },
          auth: { username: 'id', password: 's3cret-client' },
        });
        return response.data;
      },
    });
    const error = await handle.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefreshError);
    const cause = (error as TokenRefreshError).cause as AxiosError;
    expect(cause.response?.status).toBe(400); // still useful to the caller
    expect(cause.config?.data).toBe(REDACTED);
    expectNoSecrets(error, SECRETS);
  });

  it('scrubs the old tokens out of a plain error message a token source throws', async () => {
    const api = axios.create({ baseURL: 'https://api.example.com' });
    const handle = attachOAuth(api, {
      initialToken: { accessToken: 'acc3ss-token', refreshToken: 'r3fresh-token', expiresIn: 0 },
      fetchToken: async (ctx) => {
        throw new Error(`refresh with ${ctx.lastToken?.refreshToken} failed for ${ctx.lastToken?.accessToken}`);
      },
    });
    const error = (await handle.getToken().catch((e: unknown) => e)) as TokenRefreshError;
    expect(error.message).toBe(`Failed to refresh token: Error: refresh with ${REDACTED} failed for ${REDACTED}`);
    expectNoSecrets(error, SECRETS);
  });

  describe('with a real loopback API answering 401', () => {
    let server: Server;
    let baseURL: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.statusCode = 401;
        res.end('{"error":"invalid_token"}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('leaves no access token in the 401 an API call finally rejects with, yet keeps its status', async () => {
      const api = axios.create({ baseURL });
      const fetchToken = jest.fn().mockResolvedValueOnce('acc3ss-token').mockResolvedValueOnce('acc3ss-token2');
      attachOAuth(api, { fetchToken });
      const error = (await api.get('/orders').catch((e: unknown) => e)) as AxiosError;
      expect(error.response?.status).toBe(401);
      expect(error.config?.headers.Authorization).toBe(REDACTED);
      expectNoSecrets(error, ['acc3ss-token']);
      expect((error.request as { _header?: string })._header).toContain('acc3ss-token2'); // still there for code that asks
      expect(Object.keys(error)).not.toContain('request');
    });

    it('scrubs a custom headerName from the rethrown error', async () => {
      const api = axios.create({ baseURL });
      const fetchToken = jest.fn().mockResolvedValueOnce('key-0123456789').mockResolvedValueOnce('key-9876543210');
      attachOAuth(api, { fetchToken, headerName: 'X-Api-Token', headerScheme: '' });
      const error = (await api.get('/orders').catch((e: unknown) => e)) as AxiosError;

      expect(error.response?.status).toBe(401);
      expect(fetchToken).toHaveBeenCalledTimes(2);
      expect(error.config?.headers['X-Api-Token']).toBe(REDACTED);
      expectNoSecrets(error, ['key-0123456789', 'key-9876543210']);
    });

    it('regression: the per-request state (config.oauthLockState) is hidden from toJSON, JSON and util.inspect', async () => {
      const api = axios.create({ baseURL });
      attachOAuth(api, { fetchToken: jest.fn().mockResolvedValueOnce('acc3ss-token').mockResolvedValueOnce('acc3ss-token2') });
      const error = (await api.get('/orders').catch((e: unknown) => e)) as AxiosError;

      expect(error.config?.oauthLockState).toEqual({ generation: expect.any(Number), replayed: true, owner: expect.anything() }); // still readable
      for (const text of [JSON.stringify(error), JSON.stringify(error.toJSON()), inspect(error, { depth: Infinity })]) {
        expect(text).not.toContain('oauthLockState');
      }
    });
  });
});

/** An AxiosError as axios builds one, with the config (AxiosHeaders), request and response it carries. */
function axiosError(headers: Record<string, string> = { Authorization: 'Bearer acc3ss-token' }): AxiosError {
  const config = {
    url: '/x',
    method: 'post',
    headers: new AxiosHeaders(headers),
    data: 'password=pa55word',
    oauthLockState: { generation: 1, replayed: false },
  };
  const request = { _header: `POST /x\r\nAuthorization: Bearer acc3ss-token\r\n` };
  const response = { status: 500, statusText: '', headers: {}, data: '', config, request };
  return new AxiosError('Request failed', 'ERR_BAD_RESPONSE', config as never, request, response as never);
}

describe('redactError, branch by branch', () => {
  it('replaces credential headers of an AxiosHeaders bag through set(), whatever their case', () => {
    const error = axiosError({ authorization: 'Bearer a', 'Proxy-Authorization': 'Basic b', Accept: 'json' });
    redactError(error);
    expect(error.config!.headers.toJSON()).toEqual({ authorization: REDACTED, 'Proxy-Authorization': REDACTED, Accept: 'json' });
  });

  it('goes through the set() of a header bag that has one (AxiosHeaders normalises there)', () => {
    const set = jest.fn();
    const error = { config: { headers: { Authorization: 'Bearer a', set } } };
    redactError(error);
    expect(set).toHaveBeenCalledWith('Authorization', REDACTED);
    expect(set).toHaveBeenCalledTimes(1);
  });

  it('replaces credential headers of a plain object, and leaves null and undefined values alone', () => {
    const error = { config: { headers: { AUTHORIZATION: 'Bearer a', 'proxy-authorization': null, 'x-token': undefined, other: 'kept' } } };
    redactError(error, { headerNames: ['X-Token'] });
    expect(error.config.headers).toEqual({ AUTHORIZATION: REDACTED, 'proxy-authorization': null, 'x-token': undefined, other: 'kept' });
  });

  it('replaces extra header names case-insensitively, and only with headerNames', () => {
    const plain = axiosError({ 'X-Api-Token': 'key' });
    redactError(plain);
    expect(plain.config!.headers['X-Api-Token']).toBe('key');
    const custom = axiosError({ 'X-Api-Token': 'key' });
    redactError(custom, { headerNames: ['x-api-TOKEN'] });
    expect(custom.config!.headers['X-Api-Token']).toBe(REDACTED);
  });

  it('replaces the body only with redactBody, and a missing body stays missing', () => {
    const kept = axiosError();
    redactError(kept);
    expect(kept.config!.data).toBe('password=pa55word');
    const replaced = axiosError();
    redactError(replaced, { redactBody: true });
    expect(replaced.config!.data).toBe(REDACTED);
    const none = { config: { headers: {} } as { headers: object; data?: unknown } };
    redactError(none, { redactBody: true });
    expect('data' in none.config).toBe(false);
  });

  it('replaces basic auth credentials (config.auth) whenever present', () => {
    const error = { config: { auth: { username: 'id', password: 's3cret-client' } } };
    redactError(error);
    expect(error.config.auth).toBe(REDACTED);
    const without = { config: {} as { auth?: unknown } };
    redactError(without);
    expect('auth' in without.config).toBe(false);
  });

  it('redacts response.config too when it is another object than config', () => {
    const error = { response: { config: { headers: { Authorization: 'Bearer acc3ss-token' }, data: 'pa55word' } } };
    redactError(error, { redactBody: true });
    expect(error.response.config).toEqual({ headers: { Authorization: REDACTED }, data: REDACTED });
  });

  it('hides request, response.request and config.oauthLockState, which stay readable', () => {
    const error = axiosError();
    redactError(error);
    expect(Object.keys(error)).not.toContain('request');
    expect(Object.keys(error.response!)).not.toContain('request');
    expect(Object.keys(error.config!)).not.toContain('oauthLockState');
    expect((error.request as { _header: string })._header).toContain('acc3ss-token');
    expect((error.response!.request as { _header: string })._header).toContain('acc3ss-token');
    expect(error.config!.oauthLockState).toEqual({ generation: 1, replayed: false });
  });

  it('leaves a non-configurable property as it is instead of throwing', () => {
    const error = {};
    Object.defineProperty(error, 'request', { value: 'raw', enumerable: true, configurable: false });
    expect(() => redactError(error)).not.toThrow();
    expect(Object.keys(error)).toEqual(['request']);
  });

  it('scrubs secrets from message and stack down the cause chain, and only when there are secrets', () => {
    const inner = new Error('inner acc3ss-token');
    const outer = new Error('outer r3fresh-token', { cause: inner });
    redactError(outer);
    expect(outer.message).toBe('outer r3fresh-token');
    redactError(outer, { secrets: ['acc3ss-token', 'r3fresh-token', undefined, ''] });
    expect([outer.message, inner.message]).toEqual([`outer ${REDACTED}`, `inner ${REDACTED}`]);
    expect(String(inner.stack)).toContain(`inner ${REDACTED}`);
  });

  it('scrubs a stack that was already rendered before redaction (V8 renders it once, with the message of that time)', () => {
    const error = new Error('refresh with r3fresh-token failed');
    expect(error.stack).toContain('r3fresh-token'); // rendered now, e.g. by a logger or a framework
    redactError(error, { secrets: ['r3fresh-token'] });
    expect(error.stack).not.toContain('r3fresh-token');
    expect(error.stack).toContain(`refresh with ${REDACTED} failed`);
  });

  it('replaces the body of a request that got no response (a token endpoint that could not be reached)', () => {
    const error = new AxiosError('connect ECONNREFUSED', 'ECONNREFUSED', {
      headers: new AxiosHeaders(),
      data: 'grant_type=refresh_token&refresh_token=r3fresh-token',
    } as never);
    expect(error.response).toBeUndefined();
    redactError(error, { redactBody: true });
    expect(error.config!.data).toBe(REDACTED);
    expectNoSecrets(error, SECRETS);
  });

  it('skips a message or stack that is not a string', () => {
    const error = { message: 42, stack: undefined };
    redactError(error, { secrets: ['acc3ss-token'] });
    expect(error).toEqual({ message: 42, stack: undefined });
  });

  it('stops at a cycle in the cause chain, and after 8 causes', () => {
    const a = new Error('a acc3ss-token');
    const b = new Error('b acc3ss-token', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(() => redactError(a, { secrets: ['acc3ss-token'] })).not.toThrow();
    expect([a.message, b.message]).toEqual([`a ${REDACTED}`, `b ${REDACTED}`]);

    const chain = Array.from({ length: 10 }, (_, i) => new Error(`e${i} acc3ss-token`));
    chain.forEach((e, i) => ((e as { cause?: unknown }).cause = chain[i + 1]));
    redactError(chain[0], { secrets: ['acc3ss-token'] });
    expect(chain.map((e) => e.message.endsWith(REDACTED))).toEqual([true, true, true, true, true, true, true, true, false, false]);
  });

  it('accepts anything: undefined, a string, an object without config', () => {
    expect(() => redactError(undefined)).not.toThrow();
    expect(() => redactError('acc3ss-token', { secrets: ['acc3ss-token'] })).not.toThrow();
    expect(() => redactError({ config: null, response: 'x' })).not.toThrow();
  });

  it('leaves an instance without its own axios headers untouched (a config whose headers are not an object)', () => {
    const error = { config: { headers: 'Authorization: x' } };
    redactError(error);
    expect(error.config.headers).toBe('Authorization: x');
  });

  it('accepts a config whose headers are null (a hand-built config), and still redacts the rest of it', () => {
    const error = { config: { headers: null, auth: { username: 'id', password: 's3cret-client' } } };
    expect(() => redactError(error)).not.toThrow();
    expect(error.config).toEqual({ headers: null, auth: REDACTED });
  });
});

describe('scrubSecrets (issue 9, item 4)', () => {
  it('replaces a secret raw, form-encoded (either hex case), encodeURIComponent-encoded and JSON-escaped', () => {
    const secret = 'rt-9f.x s/"q';
    const texts = [
      secret,
      formEncode(secret),
      formEncode(secret).toLowerCase(),
      encodeURIComponent(secret),
      JSON.stringify(secret).slice(1, -1),
    ];
    for (const text of texts) expect(scrubSecrets(`<${text}>`, [secret])).toBe(`<${REDACTED}>`);
    expect(scrubSecrets(JSON.stringify(secret).replace(/\//g, '\\/'), [secret])).toBe(`"${REDACTED}"`);
  });

  it('replaces a secret of 8 characters or more even inside a word', () => {
    expect(scrubSecrets('xxabcdefghyy', ['abcdefgh'])).toBe(`xx${REDACTED}yy`);
  });

  it('replaces a shorter secret only where it stands as a whole token', () => {
    expect(scrubSecrets('Authorization at token=at& "at" at. at-risk at_x 9at', ['at'])).toBe(
      `Authorization ${REDACTED} token=${REDACTED}& "${REDACTED}" ${REDACTED}. at-risk at_x 9at`,
    );
    expect(scrubSecrets('at', ['at'])).toBe(REDACTED);
    expect(scrubSecrets('atat at', ['at'])).toBe(`atat ${REDACTED}`);
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    expect(scrubSecrets('abcdefghij', ['abcdefgh', 'abcdefghij'])).toBe(REDACTED);
  });

  it('replaces an encoding shared by a short and a long secret everywhere: the long rule wins', () => {
    const short = '"""""'; // form-encoded: %22%22%22%22%22, which is also the long secret itself
    expect(scrubSecrets('x%22%22%22%22%22y', [short])).toBe('x%22%22%22%22%22y');
    expect(scrubSecrets('x%22%22%22%22%22y', [short, '%22%22%22%22%22'])).toBe(`x${REDACTED}y`);
    expect(scrubSecrets('x%22%22%22%22%22y', ['%22%22%22%22%22', short])).toBe(`x${REDACTED}y`);
  });

  it('ignores empty and undefined secrets, and a lone surrogate is matched raw', () => {
    expect(scrubSecrets('text', ['', undefined])).toBe('text');
    expect(scrubSecrets('x\ud800yyyyyyyy', ['\ud800yyyyyyyy'])).toBe(`x${REDACTED}`);
  });

  it("encodes like the grants' formEncode", () => {
    for (const value of ['plain', "-_.!~*'() ", 'é€😀', 'a+b=c&d%', '']) expect(coreFormEncode(value)).toBe(formEncode(value));
  });
});
