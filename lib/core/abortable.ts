/** What an AbortSignal and axios' GenericAbortSignal have in common. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener?: (type: 'abort', listener: () => void, options?: { once?: boolean }) => void;
  removeEventListener?: (type: 'abort', listener: () => void) => void;
}

/**
 * Settles as `promise` does, or rejects with `abortError()` as soon as `signal` aborts, whichever comes first.
 * `promise` stays observed either way: a shared refresh that fails after its waiter left is not an unhandled
 * rejection (axios #1939).
 */
export function settleOrAbort<T>(promise: Promise<T>, signal: AbortSignalLike | undefined, abortError: () => Error): Promise<T> {
  if (signal === undefined || typeof signal.addEventListener !== 'function') return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    signal.addEventListener!('abort', onAbort, { once: true });
    const stopListening = (): void => signal.removeEventListener?.('abort', onAbort);
    promise.then(
      (value) => (stopListening(), resolve(value)),
      (reason: unknown) => (stopListening(), reject(reason)),
    );
  });
}

/** Why `signal` aborted, as an Error (a rejection reason that loggers and `instanceof` checks can rely on). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  // Duck-typed: the DOMException of `abort()` comes from another realm in some runtimes (jsdom, vm, jest).
  const errorLike =
    typeof reason === 'object' &&
    reason !== null &&
    typeof (reason as Error).name === 'string' &&
    typeof (reason as Error).message === 'string';
  return errorLike ? (reason as Error) : new Error('The operation was aborted');
}
