import axios, { type AxiosError, type AxiosInstance } from 'axios';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachOAuth } from '../../lib/index.js';

/**
 * Reliability scenario 51 and issue 9 item 1: a redirect to another origin must not carry the token, whatever the
 * header's name (follow-redirects CVE-2022-0536 covers only Authorization, Cookie and Proxy-Authorization).
 * Two servers on 127.0.0.1 with different ports are two origins.
 */
describe('redirects', () => {
  const servers: Server[] = [];
  type Handler = (req: IncomingMessage, res: ServerResponse) => void;
  const listen = async (handler: Handler): Promise<string> => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  /** A server that records every request's path and headers, answering `answer(req)` (200 'ok' by default). */
  const recorder = async (answer?: (req: IncomingMessage, res: ServerResponse) => boolean) => {
    const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
    const origin = await listen((req, res) => {
      req.resume();
      seen.push({ path: req.url!, headers: req.headers });
      if (answer?.(req, res) !== true) res.end('ok');
    });
    return { origin, seen };
  };
  const redirectTo = (status: number, location: string) => (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url!.startsWith('/start')) return false;
    res.writeHead(status, { location }).end();
    return true;
  };

  const headerCases = [
    { label: 'with Authorization', options: {}, header: 'authorization', value: 'Bearer secret-token' },
    {
      label: 'regression: with a custom X-Api-Key, which follow-redirects kept',
      options: { headerName: 'X-Api-Key', headerScheme: '' },
      header: 'x-api-key',
      value: 'secret-token',
    },
  ];
  const statuses = [301, 302, 303, 307, 308];

  describe.each(headerCases)('$label', ({ options, header, value }) => {
    it.each(statuses)('a %i to another origin does not deliver the token there', async (status) => {
      const other = await recorder();
      const api = await recorder(redirectTo(status, `${other.origin}/landing`));
      const client = axios.create({ baseURL: api.origin });
      attachOAuth(client, { fetchToken: async () => 'secret-token', ...options });
      await expect(client.post('/start', { n: 1 })).resolves.toMatchObject({ status: 200, data: 'ok' });
      expect(api.seen.map((s) => s.headers[header])).toEqual([value]);
      expect(other.seen).toHaveLength(1);
      expect(other.seen[0]!.headers[header]).toBeUndefined();
      expect(JSON.stringify(other.seen[0]!.headers)).not.toContain('secret-token');
    });

    it.each(statuses)('keeps the token on a %i to the same origin', async (status) => {
      const api = await recorder(redirectTo(status, '/landing'));
      const client = axios.create({ baseURL: api.origin });
      attachOAuth(client, { fetchToken: async () => 'secret-token', ...options });
      await client.post('/start', { n: 1 });
      expect(api.seen.map((s) => [s.path, s.headers[header]])).toEqual([
        ['/start', value],
        ['/landing', value],
      ]);
    });

    it('does not give the token back when a chain returns to the first origin (decision: stripped for the rest of the chain)', async () => {
      let apiOrigin = '';
      const other = await recorder((req, res) => (res.writeHead(302, { location: `${apiOrigin}/back` }).end(), true));
      const api = await recorder(redirectTo(302, `${other.origin}/bounce`));
      apiOrigin = api.origin;
      const client = axios.create({ baseURL: api.origin });
      attachOAuth(client, { fetchToken: async () => 'secret-token', ...options });
      await expect(client.get('/start')).resolves.toMatchObject({ data: 'ok' });
      expect(api.seen.map((s) => [s.path, s.headers[header]])).toEqual([
        ['/start', value],
        ['/back', undefined],
      ]);
      expect(other.seen[0]!.headers[header]).toBeUndefined();
    });
  });

  it('regression (axios < 1.18): strips Authorization on a redirect to a subdomain, which follow-redirects treats as the same host', async () => {
    const server = await recorder((req, res) => {
      if (req.headers.host!.startsWith('api.'))
        return (res.writeHead(302, { location: `http://evil.${req.headers.host}/landing` }).end(), true);
      return false;
    });
    const port = new URL(server.origin).port;
    const client = axios.create({
      baseURL: `http://api.localhost:${port}`,
      // Every name resolves to our loopback server: two origins, one socket address.
      lookup: ((_host: string, _opts: unknown, cb: (err: null, address: string, family: number) => void) =>
        cb(null, '127.0.0.1', 4)) as never,
    });
    attachOAuth(client, { fetchToken: async () => 'secret-token' });
    await client.get('/start');
    expect(server.seen.map((s) => [s.headers.host, s.headers.authorization])).toEqual([
      [`api.localhost:${port}`, 'Bearer secret-token'],
      [`evil.api.localhost:${port}`, undefined],
    ]);
  });

  it("runs the caller's own beforeRedirect (instance default or per request), and strips the token after it", async () => {
    const other = await recorder();
    const api = await recorder(redirectTo(302, `${other.origin}/landing`));
    const seenByDefault: string[] = [];
    const seenByRequest: string[] = [];
    const client: AxiosInstance = axios.create({
      baseURL: api.origin,
      beforeRedirect: (opts) => void seenByDefault.push(String(opts.href)),
    });
    attachOAuth(client, { fetchToken: async () => 'secret-token', headerName: 'X-Api-Key', headerScheme: '' });
    await client.get('/start');
    await client.get('/start', {
      beforeRedirect: (opts) => {
        seenByRequest.push(String(opts.href));
        (opts.headers as Record<string, string>)['X-Api-Key'] = 'secret-token'; // even a hook cannot carry it over
      },
    });
    expect(seenByDefault).toEqual([`${other.origin}/landing`]);
    expect(seenByRequest).toEqual([`${other.origin}/landing`]);
    expect(other.seen.map((s) => s.headers['x-api-key'])).toEqual([undefined, undefined]);
  });

  it('regression: a 401 from the foreign origin a redirect led to does not refresh our token', async () => {
    const other = await recorder((_req, res) => (res.writeHead(401, { 'www-authenticate': 'Bearer' }).end(), true));
    const api = await recorder(redirectTo(302, `${other.origin}/landing`));
    const client = axios.create({ baseURL: api.origin });
    const fetchToken = jest.fn(async () => 'secret-token');
    attachOAuth(client, { fetchToken });
    const error = (await client.get('/start').catch((e: unknown) => e)) as AxiosError;
    expect(error.response?.status).toBe(401);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(api.seen).toHaveLength(1); // not replayed
    expect(other.seen).toHaveLength(1);
  });

  it('still refreshes for a 401 after a same-origin redirect', async () => {
    const api = await recorder((req, res) => {
      if (req.url === '/start') return (res.writeHead(302, { location: '/landing' }).end(), true);
      if (req.headers.authorization !== 'Bearer t2') return (res.writeHead(401).end(), true);
      return false;
    });
    const client = axios.create({ baseURL: api.origin });
    let n = 0;
    const fetchToken = jest.fn(async () => `t${++n}`);
    attachOAuth(client, { fetchToken });
    await expect(client.get('/start')).resolves.toMatchObject({ data: 'ok' });
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it("routes: a redirect from one handle's origin to another handle's carries neither token, and a 401 there refreshes neither", async () => {
    const other = await recorder((_req, res) => (res.writeHead(401, { 'www-authenticate': 'Bearer' }).end(), true));
    const api = await recorder(redirectTo(302, `${other.origin}/landing`));
    const client = axios.create({ baseURL: api.origin });
    const first = jest.fn(async () => 'secret-token');
    const second = jest.fn(async () => 'other-secret');
    attachOAuth(client, { fetchToken: first, headerName: 'X-Api-Key', headerScheme: '' });
    attachOAuth(client, { origins: other.origin, fetchToken: second });
    const error = (await client.get('/start').catch((e: unknown) => e)) as AxiosError;
    expect(error.response?.status).toBe(401);
    expect(api.seen.map((s) => s.headers['x-api-key'])).toEqual(['secret-token']);
    expect(other.seen).toHaveLength(1);
    expect(JSON.stringify(other.seen[0]!.headers)).not.toMatch(/secret/);
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).not.toHaveBeenCalled();
  });
});
