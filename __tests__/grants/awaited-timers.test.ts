import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Runs the probe in its own process, so that an `unref()`'d timer can really let it exit. */
async function probe(which: string, port: number): Promise<string> {
  const script = join(__dirname, '../support/awaited-timer-probe.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, which, String(port)], {
    cwd: join(__dirname, '../..'),
    timeout: 20_000,
  });
  return stdout;
}

let server: Server;
let requests = 0;

beforeEach(async () => {
  requests = 0;
  // Answers 503 to the first request and a token to the next ones; closes every connection after answering, so that
  // no idle keep-alive socket is left to hold the child's event loop.
  server = createServer((request, response) => {
    requests++;
    request.resume();
    response.setHeader('Connection', 'close');
    if (requests === 1) {
      response.writeHead(503, { 'Content-Type': 'text/plain' }).end('busy');
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ access_token: 'at-probe', token_type: 'Bearer', expires_in: 3600 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('timers that pace awaited work keep the process alive', () => {
  it('regression: a grant backing off after a 503 no longer lets the process exit 0 before the token arrives', async () => {
    const stdout = await probe('grant-backoff', (server.address() as AddressInfo).port);

    expect(stdout).toBe('token at-probe\n');
    expect(requests).toBe(2);
  }, 30_000);

  it('regression: a refresh whose token source never settles still fails with ERR_TOKEN_REFRESH_TIMEOUT before exit', async () => {
    const stdout = await probe('refresh-deadline', (server.address() as AddressInfo).port);

    expect(stdout).toBe('rejected ERR_TOKEN_REFRESH_TIMEOUT\n');
    expect(requests).toBe(0);
  }, 30_000);
});
