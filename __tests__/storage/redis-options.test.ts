import { redisStorage } from '../../lib/storage/redis-storage';
import type { RedisStorageOptions } from '../../lib/storage/redis-options';

// Never connected: validation happens before any command is sent.
const client = { call: jest.fn(), duplicate: jest.fn() };

describe('redisStorage options', () => {
  it.each<[string, unknown, ErrorConstructor, string]>([
    ['no options', undefined, TypeError, '"options" must be an object'],
    ['no client', { key: 'k' }, TypeError, '"options.client" must be an ioredis or node-redis client (with call() or sendCommand())'],
    [
      'a client without a command method',
      { client: { get: jest.fn() }, key: 'k' },
      TypeError,
      '"options.client" must be an ioredis or node-redis client',
    ],
    ['an empty key', { client, key: '' }, TypeError, '"options.key" must be a non-empty string'],
    ['a key that is not a string', { client, key: 42 }, TypeError, '"options.key" must be a non-empty string'],
    ['lockTtlMs as a string', { client, key: 'k', lockTtlMs: '10s' }, TypeError, '"options.lockTtlMs" must be a number'],
    ['lockTtlMs of zero', { client, key: 'k', lockTtlMs: 0 }, RangeError, '"options.lockTtlMs" must be a positive integer of milliseconds'],
    [
      'a fractional lockTtlMs',
      { client, key: 'k', lockTtlMs: 1.5 },
      RangeError,
      '"options.lockTtlMs" must be a positive integer of milliseconds',
    ],
    [
      'an infinite waitTimeoutMs',
      { client, key: 'k', waitTimeoutMs: Infinity },
      RangeError,
      '"options.waitTimeoutMs" must be a positive integer',
    ],
    [
      'a negative pollIntervalMs',
      { client, key: 'k', pollIntervalMs: -1 },
      RangeError,
      '"options.pollIntervalMs" must be a positive integer',
    ],
    ['a NaN commandTimeoutMs', { client, key: 'k', commandTimeoutMs: NaN }, TypeError, '"options.commandTimeoutMs" must be a number'],
    [
      'storeRefreshToken as a string',
      { client, key: 'k', storeRefreshToken: 'no' },
      TypeError,
      '"options.storeRefreshToken" must be a boolean',
    ],
  ])('rejects %s, naming the option', (_, options, type, message) => {
    const create = (): unknown => redisStorage(options as RedisStorageOptions);
    expect(create).toThrow(type);
    expect(create).toThrow(message);
  });

  it.each(['lockTtlMs', 'pollIntervalMs', 'waitTimeoutMs', 'commandTimeoutMs'])(
    'regression: refuses a %s that setTimeout would overflow (commandTimeoutMs: 2 ** 31 failed every command at once)',
    (name) => {
      const create = (): unknown => redisStorage({ client, key: 'k', [name]: 2 ** 31 });
      expect(create).toThrow(RangeError);
      expect(create).toThrow(`"options.${name}" must be a positive integer of milliseconds, at most 2147483647`);
      expect(() => redisStorage({ client, key: 'k', [name]: 2 ** 31 - 1 })).not.toThrow();
    },
  );

  it('accepts a node-redis client (sendCommand) as well as an ioredis one (call)', () => {
    expect(() => redisStorage({ client: { sendCommand: jest.fn() }, key: 'k' })).not.toThrow();
    expect(() => redisStorage({ client, key: 'k' })).not.toThrow();
  });

  it('sends nothing to Redis when created', () => {
    redisStorage({ client, key: 'k' });
    expect(client.call).not.toHaveBeenCalled();
    expect(client.duplicate).not.toHaveBeenCalled();
  });
});
