import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimServer } from './server.js';

/** The same {@link SimServer} over real loopback HTTP (127.0.0.1, an ephemeral port). */
export async function listenLoopback(sim: SimServer): Promise<{ baseURL: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    respond(sim, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Keep-alive sockets would hold close() open; the bench closes them itself.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseURL: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

async function respond(sim: SimServer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // The simulated endpoints ignore request bodies; drain it so the socket can be reused.
  for await (const chunk of req) void chunk;
  const reply = await sim.handle({
    method: req.method ?? 'GET',
    path: (req.url ?? '/').split('?')[0]!,
    authorization: req.headers.authorization,
  });
  const body = JSON.stringify(reply.data);
  res.writeHead(reply.status, { ...reply.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
