import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { attachOAuth } from '../../lib';
import { ErrorCode } from '../../lib/core/errors';
import { clientCredentials } from '../../lib/grants';
import { CLIENT, ctx, rejectionOf } from './helpers';

/**
 * A real loopback server, because axios' own `timeout` is a socket-idle timeout in Node and only real sockets show it:
 * `/trickle*` answers 200 and then writes one byte every 300 ms (at most 40, then ends), so the socket is never idle
 * for long; the n-th request to a path listed in `answers` gets that JSON body instead.
 */
let server: Server;
let base: string;
let bytesWritten = 0;
const trickling = new Set<ServerResponse>();
const answers = new Map<string, Array<Record<string, unknown> | 'trickle'>>();

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    const path = request.url ?? '';
    const answer = answers.get(path)?.shift() ?? (path.includes('/trickle') ? 'trickle' : undefined);
    if (answer === undefined) return void response.writeHead(404).end();
    if (answer !== 'trickle') return void response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
    response.writeHead(200, { 'Content-Type': 'application/json' });
    trickling.add(response);
    let sent = 0;
    const timer = setInterval(() => {
      if (sent++ >= 40) return void response.end();
      bytesWritten++;
      response.write(' ');
    }, 300);
    response.on('close', () => (clearInterval(timer), trickling.delete(response)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const response of trickling) response.destroy();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  bytesWritten = 0;
});

const options = { ...CLIENT, timeoutMs: 1000, maxRetries: 0 };

describe('every network wait has a total deadline', () => {
  it('regression: a token endpoint trickling one byte every 300 ms fails after timeoutMs, not when it stops', async () => {
    const grant = clientCredentials({ ...options, tokenUrl: `${base}/trickle/token` });
    const error = await rejectionOf(grant(ctx()));

    expect(error).toMatchObject({ name: 'AxiosError', code: 'ECONNABORTED', message: 'timeout of 1000ms exceeded' });
    expect(bytesWritten).toBeLessThan(10); // the server was still trickling: 40 bytes would take 12 s
    expect(JSON.stringify(error)).not.toContain(CLIENT.clientSecret);
  }, 20_000);

  it('regression: revoke() against a trickling revocation endpoint fails after timeoutMs', async () => {
    const grant = clientCredentials({ ...options, tokenUrl: `${base}/token`, revocationUrl: `${base}/trickle/revoke` });
    const error = await rejectionOf(grant.revoke!({ accessToken: 'at-1', tokenType: 'Bearer', obtainedAt: 0 }));

    // Typed as a revocation failure (the token may still be valid), with the deadline's timeout as its cause.
    expect(error).toMatchObject({ code: 'ERR_OAUTH_REVOCATION_FAILED', cause: expect.objectContaining({ code: 'ECONNABORTED' }) });
    expect(bytesWritten).toBeLessThan(10);
  }, 20_000);

  it('regression: handle.revoke() against a trickling revocation endpoint settles after timeoutMs', async () => {
    const grant = clientCredentials({ ...options, tokenUrl: `${base}/token`, revocationUrl: `${base}/trickle/revoke` });
    const api = axios.create({ baseURL: 'https://api.example.com' });
    const handle = attachOAuth(api, { fetchToken: grant, initialToken: { accessToken: 'at-1', expiresIn: 3600 } });
    await rejectionOf(handle.revoke());

    expect(bytesWritten).toBeLessThan(10);
    handle.detach();
  }, 20_000);

  it('regression: a trickling discovery fails after timeoutMs, is not cached, and the next refresh discovers again', async () => {
    const issuer = `${base}/trickle-issuer`;
    const wellKnown = '/trickle-issuer/.well-known/openid-configuration';
    answers.set(wellKnown, ['trickle', { issuer, token_endpoint: `${base}/token-ok` }]);
    answers.set('/token-ok', [{ access_token: 'at-after', token_type: 'Bearer', expires_in: 60 }]);
    const grant = clientCredentials({ ...options, issuer, discovery: 'openid-configuration' });

    const error = await rejectionOf(grant(ctx()));
    expect(error).toMatchObject({ name: 'TokenRefreshError', code: ErrorCode.DISCOVERY_FAILED });
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNABORTED');
    expect(bytesWritten).toBeLessThan(10);

    await expect(grant(ctx())).resolves.toMatchObject({ accessToken: 'at-after' });
  }, 20_000);
});
