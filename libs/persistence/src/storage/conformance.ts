import type { ValueStore } from '@p2psip/storage';
import {
  type StoreConformanceOptions,
  type StoreFixture,
  describeStoreConformance,
} from '../conformance-harness';
import { describeConcurrency } from './conformance/concurrency';
import { describeCounts } from './conformance/counts';
import { describeClosing, describePersistence } from './conformance/lifecycle';
import { describeRanges } from './conformance/ranges';
import { describeRecords } from './conformance/records';

/** One fresh, empty store for one test. */
export type ValueStoreFixture = StoreFixture<ValueStore>;

export type ValueStoreConformanceOptions<F extends ValueStoreFixture> = StoreConformanceOptions<
  ValueStore,
  F
>;

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
  describeStoreConformance(
    `value store — ${name}`,
    open,
    options,
    [describeRecords, describeRanges, describeCounts, describeConcurrency, describeClosing],
    [describePersistence],
  );
}
