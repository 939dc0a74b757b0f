import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/*
 * A throwaway `redis-server` (Debian package `redis-server`) on a free loopback port, with persistence off so
 * nothing is written to disk. The tests need the real server: the lock is a Lua script and an expiry, which
 * only Redis itself can be trusted to run.
 */

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM) and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (nothing was saved). */
  start(): Promise<void>;
}

/** The `redis-server` binary: `$REDIS_SERVER_BIN`, else the first on the PATH, else `null`. */
export function findRedisServer(): string | null {
  const explicit = process.env.REDIS_SERVER_BIN;
  const candidates = explicit ? [explicit] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'redis-server'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here (or not executable)
    }
  }
  return null;
}

const running = new Set<ChildProcess>();
// Last line of defence: a test run that dies before its afterAll takes its servers with it.
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

export async function startRedisServer(binary: string): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (child === null) child = await launch(binary, port);
    },
    async stop() {
      const current = child;
      child = null;
      if (current !== null) await terminate(current);
    },
  };
  await server.start();
  return server;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function launch(binary: string, port: number): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  return new Promise<ChildProcess>((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`));
    child.once('exit', onExit);
    child.once('error', reject);
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
      if (!output.includes('Ready to accept connections')) return;
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
      child.stdout?.resume(); // keep draining so a chatty server never blocks on a full pipe
      resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/**
 * `describe` for suites that need `redis-server`. Without the binary the suite fails under `CI=true` (CI must run
 * it) and is skipped elsewhere, saying why.
 */
export function describeWithRedis(name: string, body: (binary: () => string) => void): void {
  const binary = findRedisServer();
  if (binary !== null) {
    describe(name, () => body(() => binary));
    return;
  }
  const reason = 'redis-server was not found on the PATH (Debian: apt-get install -y redis-server, or set REDIS_SERVER_BIN)';
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs redis-server', () => {
        throw new Error(`${reason}; under CI=true this suite must run`);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${reason}`);
  describe.skip(name, () => body(() => ''));
}
