import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * The origin of the browser app that signs in with the in-page redirect flow (issue 12): page 1 at `/` and the
 * registered redirect URI `/callback`, both the bundled test app and nothing else. The authorization server and the
 * API are other origins (other ports), so the token request and the API calls are real cross-origin requests.
 */

export interface SignInPageServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  close(): Promise<void>;
}

export async function startSignInPageServer(appScript: string): Promise<SignInPageServer> {
  const page = '<!doctype html><meta charset="utf-8"><title>app</title><script src="/app.js"></script>';
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && (pathname === '/' || pathname === '/callback')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    } else if (req.method === 'GET' && pathname === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(appScript);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
