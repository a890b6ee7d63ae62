import { expect } from 'vitest';

/** An error class with a `code`, as every @oci-sd package has one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorClass<E extends Error> = abstract new (...args: any[]) => E;

function checked<E extends Error>(
  error: unknown,
  errorClass: ErrorClass<E>,
  code: string | undefined,
): E {
  if (!(error instanceof errorClass)) {
    const found = error instanceof Error ? `${error.constructor.name}: ${error.message}` : error;
    expect.fail(`expected a ${errorClass.name}, found ${String(found)}`);
  }
  if (code !== undefined)
    expect((error as E & { code?: unknown }).code, (error as Error).message).toBe(code);
  return error as E;
}

/**
 * The `errorClass` instance `promise` rejects with (with `code` when given), for further
 * assertions on its fields; fails the test when the promise resolves or rejects otherwise.
 */
export async function rejectionOf<E extends Error>(
  promise: Promise<unknown>,
  errorClass: ErrorClass<E>,
  code?: string,
): Promise<E> {
  const outcome = await promise.then(
    (value: unknown) => ({ resolved: true as const, value }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved)
    expect.fail(`expected a rejection with ${errorClass.name}, the promise resolved`);
  return checked(outcome.error, errorClass, code);
}

/** The `errorClass` instance `fn` throws (with `code` when given); fails the test otherwise. */
export function thrownBy<E extends Error>(
  fn: () => unknown,
  errorClass: ErrorClass<E>,
  code?: string,
): E {
  try {
    fn();
  } catch (error) {
    return checked(error, errorClass, code);
  }
  return expect.fail(`expected ${errorClass.name} to be thrown, nothing was`);
}
