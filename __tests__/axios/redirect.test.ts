import axios from 'axios';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachOAuth } from '../../lib/index.js';

/** Reliability scenario 51: a redirect to another origin must not carry the token (follow-redirects CVE-2022-0536). */
describe('redirects', () => {
  const servers: Server[] = [];
  const listen = async (handler: Parameters<typeof createServer>[1]): Promise<string> => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('does not carry the token across a redirect to another origin', async () => {
    let received: IncomingHttpHeaders | undefined;
    const other = await listen((req, res) => {
      received = req.headers;
      res.end('ok');
    });
    const otherOnLocalhost = other.replace('127.0.0.1', 'localhost');
    const apiURL = await listen((req, res) => {
      res.writeHead(302, { location: `${otherOnLocalhost}/landing` }).end();
    });
    const api = axios.create({ baseURL: apiURL });
    attachOAuth(api, { fetchToken: async () => 'secret-token' });
    await expect(api.get('/start')).resolves.toMatchObject({ status: 200, data: 'ok' });
    expect(received).toBeDefined();
    expect(received!.authorization).toBeUndefined();
  });
});
