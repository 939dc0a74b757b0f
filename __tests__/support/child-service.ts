import { fork, type ChildProcess } from 'node:child_process';

/*
 * Runs a small server (an .mjs file next to this one) in a child process and talks to it over the IPC channel.
 * Why a child process: oidc-provider and jose are ESM-only, and jest runs our TypeScript as CommonJS; a child
 * `node` process loads them natively, and the tests talk to it over real HTTP like any client would.
 *
 * The child announces `{ type: 'ready', port }`; `call()` sends `{ type: 'call', id, command, args }` and waits
 * for the matching `{ type: 'result' }`. `stop()` kills the child and waits for it to exit, so jest exits by itself.
 */

export interface ChildService {
  readonly port: number;
  /** Sends a command to the child and resolves with its answer. */
  call<T>(command: string, args?: Record<string, unknown>): Promise<T>;
  /** Kills the child and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

interface ChildMessage {
  type: 'ready' | 'result';
  port?: number;
  id?: number;
  value?: unknown;
  error?: string;
}

const running = new Set<ChildProcess>();
// Last line of defence: if a test run dies before its afterAll, its servers die with it.
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

export function startChildService(file: string, env: Record<string, string>): Promise<ChildService> {
  const child = fork(file, [], {
    env: { ...process.env, ...env },
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  return new Promise<ChildService>((resolve, reject) => {
    const onEarlyExit = (code: number | null): void => reject(new Error(`${file} exited with ${code} before it was ready:\n${stderr}`));
    child.once('exit', onEarlyExit);
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'ready') return;
      child.off('exit', onEarlyExit);
      resolve(serviceFor(child, message.port ?? 0, exited));
    });
  });
}

function serviceFor(child: ChildProcess, port: number, exited: Promise<void>): ChildService {
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  child.on('message', (message: ChildMessage) => {
    if (message.type !== 'result' || message.id === undefined) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.value);
  });
  void exited.then(() => pending.forEach((waiter) => waiter.reject(new Error('the child process exited'))));
  return {
    port,
    call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve, reject });
        child.send({ type: 'call', id, command, args });
      });
    },
    async stop(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
