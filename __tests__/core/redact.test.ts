import axios, { type AxiosError } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { attachOAuth, REDACTED, TokenRefreshError } from '../../lib/index.js';

const SECRETS = ['s3cret-client', 'r3fresh-token', 'acc3ss-token', 'pa55word'];

/** Every way a logger may print an error, walked down the cause chain. */
function everyRendering(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(JSON.stringify(e) ?? '', inspect(e, { depth: Infinity }), (e as Error).toString(), String((e as Error).stack));
  }
  return parts.join('\n');
}

function expectNoSecret(error: unknown): void {
  const text = everyRendering(error);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('secrets in errors', () => {
  it('redacts an AxiosError thrown by a token source: body, Basic header, message and cause chain', async () => {
    const tokenHttp = axios.create();
    new MockAdapter(tokenHttp).onPost('https://auth.example.com/token').reply(400, { error: 'invalid_grant' });
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
    expect(everyRendering(error)).not.toContain(Buffer.from('id:s3cret-client').toString('base64'));
    expectNoSecret(error);
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
    expectNoSecret(error);
  });

  describe('with a real loopback API', () => {
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
      expect(everyRendering(error)).not.toContain('acc3ss-token');
      expect((error.request as { _header?: string })._header).toContain('acc3ss-token2'); // still there for code that asks
      expect(Object.keys(error)).not.toContain('request');
    });
  });
});
