import { REDACTED, scrubSecrets } from './scrub-secrets.js';

const MAX_ERRORS = 32;

/** Where the Redis clients keep what was sent, or what came back, on their errors. */
interface StorageErrorLike {
  message?: unknown;
  stack?: unknown;
  cause?: unknown;
  /** ioredis: `{ name, args }` of the failed command; `args` holds the token JSON of a failed `SET`. */
  command?: unknown;
  /** Other clients and wrappers: the command's arguments. */
  args?: unknown;
  argv?: unknown;
  /** ioredis: the errors of a transaction's queued commands (EXECABORT). */
  previousErrors?: unknown;
  /** ioredis Cluster: the last node's error. */
  lastNodeError?: unknown;
  /** node-redis `MultiErrorReply`: every reply of the transaction, the successful ones (a `GET`'s token) included. */
  replies?: unknown;
  /** AggregateError. */
  errors?: unknown;
}

/**
 * Takes secrets out of an error a storage client (ioredis, node-redis) rejected with, in place, before any hook or
 * caller sees it (issue 9): a failed `SET` (OOM, `READONLY` during a failover, an ACL refusal) carries the token
 * JSON, access and refresh token included, in ioredis' `command.args`.
 *
 * - Command arguments (`command.args`, `args`, `argv`) become {@link REDACTED}, one per argument; the command's
 *   name stays, it says what failed.
 * - Replies of a transaction (node-redis `MultiErrorReply.replies`) become {@link REDACTED} unless they are errors;
 *   `errorIndexes` stays.
 * - Nested errors (`previousErrors`, `lastNodeError`, `errors`, `cause`) are redacted the same way.
 * - Messages and stacks lose Redis' echo of the arguments (`unknown command 'SET', with args beginning with: ...`,
 *   which a renamed or unsupported command produces) and every value of `secrets`, as {@link scrubSecrets} does.
 * @param secrets values the failed command carried (the token JSON, its tokens), to scrub from messages.
 */
export function redactStorageError(error: unknown, secrets: readonly (string | undefined)[]): void {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < MAX_ERRORS) {
    const current = queue.shift();
    if (!isObject(current) || seen.has(current)) continue;
    seen.add(current);
    const e = current as StorageErrorLike & Record<string, unknown>;
    if (isObject(e.command) && Array.isArray(e.command.args)) e.command = { ...e.command, args: e.command.args.map(() => REDACTED) };
    for (const key of ['args', 'argv'] as const) if (Array.isArray(e[key])) e[key] = e[key].map(() => REDACTED);
    if (Array.isArray(e.replies)) e.replies = e.replies.map((reply: unknown) => (reply instanceof Error ? reply : REDACTED));
    if (Array.isArray(e.replies)) queue.push(...(e.replies as unknown[]));
    if (Array.isArray(e.previousErrors)) queue.push(...(e.previousErrors as unknown[]));
    if (Array.isArray(e.errors)) queue.push(...(e.errors as unknown[]));
    queue.push(e.lastNodeError, e.cause);
    if (typeof e.message === 'string') e.message = scrubText(e.message, secrets);
    if (typeof e.stack === 'string') e.stack = scrubText(e.stack, secrets);
  }
}

/** Redis quotes up to 128 characters of the arguments after this phrase: a truncated token would survive a scrub. */
const ARGUMENT_ECHO = /(with args beginning with:)[^\n]*/gi;

function scrubText(text: string, secrets: readonly (string | undefined)[]): string {
  return scrubSecrets(text.replace(ARGUMENT_ECHO, `$1 ${REDACTED}`), secrets);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
