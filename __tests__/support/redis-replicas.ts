import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { RedisStorageOptions } from '../../lib/storage/redis-options';

/*
 * Starts replicas (redis-replica.worker.ts), each a real Node process with its own Redis client, and collects
 * their reports. `kill()` SIGKILLs one, as a crash would; every process is killed at `stopAll()` or at exit.
 */

export interface ReplicaConfig {
  id: string;
  /** Which client the replica's redisStorage uses, or 'memory' for none (each process on its own). */
  storage: 'ioredis' | 'redis' | 'memory';
  redisUrl: string;
  key: string;
  tokenUrl: string;
  apiUrl: string;
  concurrency: number;
  /** Pause between one loop's requests, so that a few processes on two cores leave room for the servers. */
  thinkMs: number;
  storageOptions?: Partial<Pick<RedisStorageOptions, 'lockTtlMs' | 'commandTimeoutMs' | 'pollIntervalMs' | 'storeRefreshToken'>>;
}

export interface ReplicaReport {
  id: string;
  ok: number;
  failed: number;
  errors: string[];
  backgroundErrors: number;
  latenciesMs: number[];
}

interface Replica {
  id: string;
  child: ChildProcess;
  report: Promise<ReplicaReport>;
}

const WORKER = join(__dirname, 'redis-replica.worker.ts');
const ROOT = resolve(__dirname, '../..');
const alive = new Set<ChildProcess>();
process.once('exit', () => alive.forEach((child) => child.kill('SIGKILL')));

export class Replicas {
  readonly #replicas: Replica[] = [];

  /** Starts one process per config and resolves once every one of them is connected and ready. */
  async start(configs: ReplicaConfig[]): Promise<void> {
    await Promise.all(configs.map((config) => this.#spawn(config)));
  }

  go(): void {
    for (const { child } of this.#replicas) child.send({ type: 'start' });
  }

  kill(id: string): void {
    this.#replicas.find((r) => r.id === id)?.child.kill('SIGKILL');
  }

  /** Stops the traffic of every replica still alive and resolves with their reports. */
  async stopAll(): Promise<ReplicaReport[]> {
    const living = this.#replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
    for (const { child } of living) child.send({ type: 'stop' });
    const reports = await Promise.all(living.map((r) => r.report));
    this.#replicas.splice(0).forEach(({ child }) => child.kill('SIGKILL'));
    return reports;
  }

  #spawn(config: ReplicaConfig): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      cwd: ROOT,
      env: { ...process.env, REPLICA_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    alive.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    void exited.then(() => alive.delete(child));
    const failure = (what: string) =>
      exited.then(() => Promise.reject(new Error(`replica ${config.id} ${what} (exit ${child.exitCode ?? child.signalCode}):\n${stderr}`)));
    const report = new Promise<ReplicaReport>((done) =>
      child.on('message', (m: { type: string; report?: ReplicaReport }) => m.type === 'report' && done(m.report!)),
    );
    const ready = new Promise<void>((done) => child.on('message', (m: { type: string }) => m.type === 'ready' && done()));
    const reported = Promise.race([report, failure('exited before reporting')]);
    reported.catch(() => undefined); // a killed replica never reports, and nobody asks it to
    this.#replicas.push({ id: config.id, child, report: reported });
    return Promise.race([ready, failure('exited before it was ready')]);
  }
}
