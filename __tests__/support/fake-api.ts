import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';

export const BASE_URL = 'https://api.example.com';

/** A promise whose settling the test controls, to hold a refresh open. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * An axios instance whose API accepts exactly the tokens in `valid` and records what each request carried.
 * `GET /orders` answers 200 with a valid token and 401 otherwise.
 */
export function createFakeApi(baseURL: string = BASE_URL) {
  const api: AxiosInstance = axios.create({ baseURL });
  const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
  const valid = new Set<string>();
  const seen: { url: string | undefined; authorization: string | undefined; config: InternalAxiosRequestConfig }[] = [];
  const authorizationOf = (config: { headers?: unknown }): string | undefined =>
    (config.headers as Record<string, string> | undefined)?.Authorization;
  const checkToken = (config: InternalAxiosRequestConfig): [number, unknown] => {
    const authorization = authorizationOf(config);
    seen.push({ url: config.url, authorization, config });
    const token = authorization?.replace(/^Bearer /, '');
    return token !== undefined && valid.has(token) ? [200, { ok: true, token }] : [401, { error: 'invalid_token' }];
  };
  mock.onAny().reply((config) => checkToken(config as InternalAxiosRequestConfig));
  return { api, mock, valid, seen, authorizationOf };
}

/** A token source that counts its calls and issues `t1`, `t2`, … valid for `expiresIn` seconds. */
export function countingSource(valid?: Set<string>, expiresIn = 3600) {
  let calls = 0;
  return jest.fn(async (): Promise<{ accessToken: string; expiresIn: number }> => {
    const accessToken = `t${++calls}`;
    valid?.add(accessToken);
    return { accessToken, expiresIn };
  });
}

/** Lets every queued promise callback run (several rounds: interceptors chain a few promises deep). */
export async function flushPromises(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
