import util from 'node:util';
import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import type { Token } from '../../lib/core/token';

export const TOKEN_URL = 'https://auth.example.com/oauth/token';
export const REVOCATION_URL = 'https://auth.example.com/oauth/revoke';
export const CLIENT = { clientId: 'orders-service', clientSecret: 'cs-Sup3rS3cret' };

/** A private axios instance for the grant, with a mock that fails any request the test did not expect. */
export function mockAuthServer(): { http: AxiosInstance; mock: MockAdapter } {
  const http = axios.create();
  return { http, mock: new MockAdapter(http, { onNoMatch: 'throwException' }) };
}

/** The form body of a captured request, decoded. */
export function form(config: AxiosRequestConfig): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(String(config.data)));
}

/** The id and secret out of a Basic header, Appendix B-decoded. */
export function basicCredentials(config: AxiosRequestConfig): [string, string] {
  const authorization = (config.headers as Record<string, unknown>).Authorization;
  const header = typeof authorization === 'string' ? authorization : '';
  const decoded = atob(header.replace(/^Basic /, ''));
  const [id, secret] = decoded.split(':').map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
  return [id!, secret!];
}

export const tokenBody = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  access_token: 'at-1',
  token_type: 'Bearer',
  expires_in: 3600,
  ...extra,
});

/** Every way an error is commonly logged, down its `cause` chain. */
export function everyRendering(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Object && depth < 10; depth++) {
    const e = current as Error;
    parts.push(JSON.stringify(e), util.inspect(e, { depth: Infinity, showHidden: false }), String(e), String(e.stack));
    current = (e as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

/** Awaits a promise while fake timers run, so backoff sleeps elapse. */
export async function withTimers<T>(promise: T | Promise<T>): Promise<T> {
  const settled = Promise.resolve(promise).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  await jest.runAllTimersAsync();
  const result = await settled;
  if (result.ok) return result.value;
  throw result.error;
}

/** The rejection of a promise (fails the test if it resolves). */
export async function rejectionOf(promise: unknown): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

export const ctx = (lastToken: Token | null = null) => ({
  reason: 'initial' as const,
  lastToken,
  signal: new AbortController().signal,
});
