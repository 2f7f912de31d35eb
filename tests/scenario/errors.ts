// Test helper (not product code): run a function that must fail, and return the typed error, so a
// test can assert both the error class and its reason code.
import { expect } from 'vitest';
import { SealroomCryptoError } from '../../crypto/index';

type ErrorClass = abstract new (...args: never[]) => SealroomCryptoError;

export function thrown(fn: () => unknown): SealroomCryptoError {
  try {
    const result = fn();
    if (result instanceof Promise) throw new Error('expected a synchronous throw, got a promise: use expectRejected');
  } catch (e) {
    if (e instanceof SealroomCryptoError) return e;
    throw e;
  }
  throw new Error('expected a typed crypto error, but nothing was thrown');
}

/** Assert that `fn` throws an instance of `cls` with `reason`. */
export function expectError(fn: () => unknown, cls: ErrorClass, reason: string): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(cls);
  expect(error.reason).toBe(reason);
}

/** Assert that a transition result carries an error of `cls` with `reason`. */
export function expectRefused(result: { readonly error?: SealroomCryptoError }, cls: ErrorClass, reason: string): void {
  expect(result.error).toBeInstanceOf(cls);
  expect(result.error?.reason).toBe(reason);
}

/** Assert that `fn`'s promise rejects with an instance of `cls` with `reason` (for the asynchronous, signing operations). */
export async function expectRejected(fn: () => Promise<unknown>, cls: ErrorClass, reason: string): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(cls);
  expect((error as SealroomCryptoError).reason).toBe(reason);
}
