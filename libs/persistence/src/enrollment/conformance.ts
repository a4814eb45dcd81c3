import type { EnrollmentStore } from '@p2psip/ca';
import {
  type StoreConformanceOptions,
  type StoreFixture,
  describeStoreConformance,
} from '../conformance-harness';
import { describeCertificates } from './conformance/certificates';
import { describeConcurrency } from './conformance/concurrency';
import { describeCopies } from './conformance/copies';
import { describeCounts } from './conformance/counts';
import { describeNodeIds } from './conformance/node-ids';
import { describePersistence } from './conformance/persistence';
import { describeSettings } from './conformance/settings';
import { describeUsers } from './conformance/users';

/** One fresh, empty store for one test. */
export type EnrollmentStoreFixture = StoreFixture<EnrollmentStore>;

export type ConformanceOptions<F extends EnrollmentStoreFixture> = StoreConformanceOptions<
  EnrollmentStore,
  F
>;

/**
 * The shared Jest suite every EnrollmentStore adapter runs: each sentence of the contract in
 * libs/ca/src/store.ts, plus concurrency and (when `reopen` is given) persistence. Each test gets
 * its own fixture from `open`.
 */
export function describeEnrollmentStoreConformance<F extends EnrollmentStoreFixture>(
  name: string,
  open: () => Promise<F>,
  options: ConformanceOptions<F> = {},
): void {
  describeStoreConformance(
    `persistence — ${name}`,
    open,
    options,
    [
      describeUsers,
      describeNodeIds,
      describeCertificates,
      describeSettings,
      describeCounts,
      describeCopies,
      describeConcurrency,
    ],
    [describePersistence],
  );
}
