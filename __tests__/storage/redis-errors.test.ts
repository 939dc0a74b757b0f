import { createClient } from 'redis';
import Redis from 'ioredis';
import { TokenManager } from '../../lib/core/token-manager';
import { REDACTED } from '../../lib/core/redact';
import { redactStorageError } from '../../lib/core/redact-storage-error';
import type { Token } from '../../lib/core/token';
import { redisCommands } from '../../lib/storage/redis-client';
import { redisStorage } from '../../lib/storage/redis-storage';
import { CLIENT_KINDS, uniqueKey, useRedis, type TestClient } from '../support/redis-clients';
import { startRedisServer, describeWithRedis, type RedisServer } from '../support/redis-server';
import { expectNoSecrets } from '../support/secrets-sweep';

// Issue 9, item 3: a failed SET carries the token JSON in the client's error (ioredis `command.args`).
const ACCESS = 'at-Secr3t-0123456789';
const REFRESH = 'rt-Secr3t-9876543210';
const SECRETS = [ACCESS, REFRESH];

function token(): Token {
  return { accessToken: ACCESS, refreshToken: REFRESH, tokenType: 'Bearer', obtainedAt: Date.now(), expiresAt: Date.now() + 3_600_000 };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** What ioredis keeps of the failed command: its name stays, every argument is redacted. */
function expectCommandRedacted(kind: string, error: Error, name: string): void {
  if (kind !== 'ioredis') return;
  const command = (error as { command?: { name: string; args: string[] } }).command;
  expect(command?.name).toBe(name);
  expect(command?.args.length).toBeGreaterThan(0);
  expect(command?.args.every((arg) => arg === REDACTED)).toBe(true);
}

describeWithRedis('redisStorage: the errors of a Redis client carry no secret', (binary) => {
  const host = useRedis(binary);
  const { pool } = host;

  describe.each(CLIENT_KINDS)('with %s', (kind) => {
    let admin: TestClient;
    beforeEach(async () => {
      admin = await pool.open(kind, host.server.url);
    });

    it('regression: an OOM refusal of SET reaches onBackgroundError and set() without the token JSON', async () => {
      const { client } = await pool.open(kind, host.server.url);
      const storage = redisStorage({ client, key: uniqueKey('oom') });
      const reported: Error[] = [];
      const manager = new TokenManager({
        fetchToken: async () => ({ accessToken: ACCESS, refreshToken: REFRESH, expiresIn: 3600 }),
        storage,
        onBackgroundError: (error) => reported.push(error),
      });
      await admin.command(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
      await admin.command(['CONFIG', 'SET', 'maxmemory', '1']);
      try {
        await expect(manager.getToken()).resolves.toMatchObject({ accessToken: ACCESS });
        const direct = await rejection(storage.set(token()));

        expect(direct.message).toMatch(/^OOM /);
        expectCommandRedacted(kind, direct, 'SET');
        expectNoSecrets(direct, SECRETS);
        expect(reported.some((error) => error.message.startsWith('OOM '))).toBe(true);
        for (const error of reported) expectNoSecrets(error, SECRETS);
      } finally {
        await admin.command(['CONFIG', 'SET', 'maxmemory', '0']);
        manager.dispose();
        await storage.close();
      }
    });

    it('regression: an ACL refusal (NOPERM) of the token SET carries no token, while the lock still works', async () => {
      const key = uniqueKey('acl');
      const user = `reader-${Math.random().toString(36).slice(2)}`;
      // Read-write on the lock key, read-only on the token key: the lock is taken, the token write is refused.
      await admin.command(['ACL', 'SETUSER', user, 'on', '>pw-0123456789', '+@all', `%RW~${key}:*`, `%R~${key}`, '&*']);
      try {
        const { client } = await pool.open(kind, `redis://${user}:pw-0123456789@127.0.0.1:${host.server.port}`);
        const storage = redisStorage({ client, key });
        const reported: Error[] = [];
        const manager = new TokenManager({
          fetchToken: async () => ({ accessToken: ACCESS, refreshToken: REFRESH, expiresIn: 3600 }),
          storage,
          onBackgroundError: (error) => reported.push(error),
        });
        await expect(manager.getToken()).resolves.toMatchObject({ accessToken: ACCESS });
        manager.dispose();
        await storage.close();

        expect(reported).toHaveLength(1);
        expect(reported[0]!.message).toMatch(/^NOPERM /);
        expectCommandRedacted(kind, reported[0]!, 'SET');
        expectNoSecrets(reported[0], SECRETS);
      } finally {
        await admin.command(['ACL', 'DELUSER', user]);
      }
    });

    it('regression: Redis quoting the arguments of an unknown command does not quote the token JSON', async () => {
      const { client } = await pool.open(kind, host.server.url);
      const tokenJson = JSON.stringify(token());
      // What a renamed (rename-command) or unsupported command answers: "...with args beginning with: 'k' '{"acc...".
      const error = await rejection(redisCommands(client).run(['NOSUCHSET', uniqueKey('echo'), tokenJson], 5_000));

      expect(error.message).toMatch(/^ERR unknown command 'NOSUCHSET', with args beginning with: \[REDACTED\]$/);
      expectCommandRedacted(kind, error, 'NOSUCHSET');
      expectNoSecrets(error, [...SECRETS, tokenJson.slice(0, 60)]);
    });
  });

  describe('against a replica', () => {
    let replica: RedisServer;
    beforeAll(async () => {
      replica = await startRedisServer(binary());
    });
    afterAll(() => replica.stop());

    it.each(CLIENT_KINDS)('regression: a READONLY refusal (a failover demoted the primary) carries no token, with %s', async (kind) => {
      const replicaAdmin = await pool.open(kind, replica.url);
      await replicaAdmin.command(['REPLICAOF', '127.0.0.1', String(host.server.port)]);
      try {
        const { client } = await pool.open(kind, replica.url);
        const error = await rejection(redisStorage({ client, key: uniqueKey('readonly') }).set(token()));

        expect(error.message).toMatch(/^READONLY /);
        expectCommandRedacted(kind, error, 'SET');
        expectNoSecrets(error, SECRETS);
      } finally {
        await replicaAdmin.command(['REPLICAOF', 'NO', 'ONE']);
      }
    });
  });

  describe('transaction errors (shapes the storage does not produce itself, redacted all the same)', () => {
    it('regression: node-redis MultiErrorReply keeps its error replies but not the values in replies', async () => {
      const client = createClient({ url: host.server.url });
      await client.connect();
      try {
        const key = uniqueKey('multi');
        const tokenJson = JSON.stringify(token());
        const error = await rejection(client.multi().set(key, tokenJson).get(key).incr(key).exec());
        expect(error.constructor.name).toBe('MultiErrorReply');
        redactStorageError(error, []);

        const { replies, errorIndexes } = error as unknown as { replies: unknown[]; errorIndexes: number[] };
        expect(errorIndexes).toEqual([2]);
        expect(replies.slice(0, 2)).toEqual([REDACTED, REDACTED]);
        expect(replies[2]).toBeInstanceOf(Error);
        expectNoSecrets(error, SECRETS);
      } finally {
        client.destroy();
      }
    });

    it('regression: an ioredis EXECABORT keeps its previousErrors, without their arguments', async () => {
      const admin = new Redis(host.server.url);
      admin.on('error', () => undefined);
      try {
        await admin.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
        await admin.call('CONFIG', 'SET', 'maxmemory', '1');
        const error = await rejection(admin.multi().set(uniqueKey('execabort'), JSON.stringify(token())).exec());
        await admin.call('CONFIG', 'SET', 'maxmemory', '0');
        redactStorageError(error, []);

        const previous = (error as { previousErrors?: Array<{ command: { name: string; args: string[] } }> }).previousErrors;
        expect(error.message).toMatch(/^EXECABORT /);
        expect(previous?.[0]?.command).toEqual({ name: 'set', args: [REDACTED, REDACTED] });
        expectNoSecrets(error, SECRETS);
      } finally {
        await admin.call('CONFIG', 'SET', 'maxmemory', '0');
        admin.disconnect();
      }
    });
  });
});
