// The fixture lifecycle every store conformance suite shares (enrollment store, value store):
// a fresh store per test, closed and cleaned up after it, and a way to reopen a durable one.

/** Anything a suite can close. */
interface Closable {
  close(): Promise<void>;
}

/** One fresh, empty store for one test. */
export interface StoreFixture<S extends Closable> {
  readonly store: S;
  /** Removes the store's data; the suite has closed every store of this fixture by then. */
  cleanup(): Promise<void>;
}

export interface StoreConformanceOptions<S extends Closable, F extends StoreFixture<S>> {
  /**
   * For durable adapters: opens the data of `fixture` again (the suite has closed its store). When
   * given, the suite also checks that everything survives close() and reopen.
   */
  readonly reopen?: (fixture: F) => Promise<S>;
  /** Per-test timeout, for adapters behind a network. @default 30000 ms */
  readonly timeoutMs?: number;
}

/** What the parts of a suite use: the current store, and reopening it. */
export interface StoreSuiteContext<S> {
  store(): S;
  /** Closes the current store and opens its data again; only for durable adapters. */
  reopen(): Promise<S>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Runs `parts` inside one `describe(title)` against a fresh fixture per test; `durableParts` run
 * only when the adapter can reopen its data.
 */
export function describeStoreConformance<S extends Closable, F extends StoreFixture<S>>(
  title: string,
  open: () => Promise<F>,
  options: StoreConformanceOptions<S, F>,
  parts: readonly ((context: StoreSuiteContext<S>) => void)[],
  durableParts: readonly ((context: StoreSuiteContext<S>) => void)[],
): void {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  describe(title, () => {
    jest.setTimeout(timeoutMs);
    let fixture: F | undefined;
    let current: S | undefined;

    beforeEach(async () => {
      fixture = await open();
      current = fixture.store;
    }, timeoutMs);

    afterEach(async () => {
      await current?.close();
      await fixture?.cleanup();
      current = undefined;
      fixture = undefined;
    }, timeoutMs);

    const context: StoreSuiteContext<S> = {
      store: () => {
        if (current === undefined) throw new Error('no store open: use it inside a test');
        return current;
      },
      reopen: async () => {
        if (fixture === undefined || options.reopen === undefined)
          throw new Error('this adapter cannot reopen');
        await current?.close();
        current = undefined;
        current = await options.reopen(fixture);
        return current;
      },
    };

    for (const part of parts) part(context);
    if (options.reopen !== undefined) for (const part of durableParts) part(context);
  });
}
