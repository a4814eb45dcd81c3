import type { EnrollmentStore } from '@p2psip/ca';
import type { SuiteContext } from './conformance/builders';
import { describeCertificates } from './conformance/certificates';
import { describeConcurrency } from './conformance/concurrency';
import { describeCopies } from './conformance/copies';
import { describeCounts } from './conformance/counts';
import { describeNodeIds } from './conformance/node-ids';
import { describePersistence } from './conformance/persistence';
import { describeSettings } from './conformance/settings';
import { describeUsers } from './conformance/users';

/** One fresh, empty store for one test. */
export interface EnrollmentStoreFixture {
  readonly store: EnrollmentStore;
  /** Removes the store's data; the suite has closed every store of this fixture by then. */
  cleanup(): Promise<void>;
}

export interface ConformanceOptions<F extends EnrollmentStoreFixture> {
  /**
   * For durable adapters: opens the data of `fixture` again (the suite has closed its store). When
   * given, the suite also checks that everything survives close() and reopen.
   */
  readonly reopen?: (fixture: F) => Promise<EnrollmentStore>;
  /** Per-test timeout, for adapters behind a network. @default 30000 ms */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

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
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  describe(`persistence — ${name}`, () => {
    jest.setTimeout(timeoutMs);
    let fixture: F | undefined;
    let current: EnrollmentStore | undefined;

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

    describeUsers(context);
    describeNodeIds(context);
    describeCertificates(context);
    describeSettings(context);
    describeCounts(context);
    describeCopies(context);
    describeConcurrency(context);
    if (options.reopen !== undefined) describePersistence(context);
  });
}
