/**
 * Runs synchronous work as a promise, so that a throw becomes a rejection (callers of an async
 * interface expect `await` to surface errors, never a synchronous throw).
 */
export function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}
