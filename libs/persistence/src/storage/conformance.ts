import type { ValueStore } from '@p2psip/storage';
import type { SuiteContext } from './conformance/builders';
import { describeConcurrency } from './conformance/concurrency';
import { describeCounts } from './conformance/counts';
import { describeClosing, describePersistence } from './conformance/lifecycle';
import { describeRanges } from './conformance/ranges';
import { describeRecords } from './conformance/records';

/** One fresh, empty store for one test. */
export interface ValueStoreFixture {
  readonly store: ValueStore;
  /** Removes the store's data; the suite has closed every store of this fixture by then. */
  cleanup(): Promise<void>;
}

export interface ValueStoreConformanceOptions<F extends ValueStoreFixture> {
  /**
   * For durable adapters: opens the data of `fixture` again (the suite has closed its store). When
   * given, the suite also checks that values survive close() and reopen.
   */
  readonly reopen?: (fixture: F) => Promise<ValueStore>;
  /** Per-test timeout, for adapters behind a network. @default 30000 ms */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The shared Jest suite every ValueStore adapter runs: each sentence of the contract in
 * libs/storage/src/value-store.ts, with MemoryValueStore as the reference, plus concurrency and
 * (when `reopen` is given) persistence. Each test gets its own fixture from `open`.
 *
 * The contract leaves the order of kinds within one resource open (lmdb and MongoDB give ascending
 * Kind-IDs, memory gives write order), so the suite compares kinds as sets.
 */
export function describeValueStoreConformance<F extends ValueStoreFixture>(
  name: string,
  open: () => Promise<F>,
  options: ValueStoreConformanceOptions<F> = {},
): void {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  describe(`value store — ${name}`, () => {
    jest.setTimeout(timeoutMs);
    let fixture: F | undefined;
    let current: ValueStore | undefined;

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

    const context: SuiteContext = {
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

    describeRecords(context);
    describeRanges(context);
    describeCounts(context);
    describeConcurrency(context);
    describeClosing(context);
    if (options.reopen !== undefined) describePersistence(context);
  });
}
