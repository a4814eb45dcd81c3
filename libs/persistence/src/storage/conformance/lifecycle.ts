import {
  type SuiteContext,
  arrayRecord,
  deletion,
  expectStorageError,
  rid,
  singleRecord,
  sortedViews,
} from './builders';

/** close(): later calls fail with StorageError `CLOSED`; closing twice is harmless. */
export function describeClosing(context: SuiteContext): void {
  describe('closing', () => {
    it('rejects every call after close with CLOSED, and closes twice without error', async () => {
      const store = context.store();
      await store.write([singleRecord(rid(1), 1, 'a')]);
      await store.close();
      await expectStorageError(() => store.read(rid(1), 1), 'CLOSED');
      await expectStorageError(() => store.readResource(rid(1)), 'CLOSED');
      await expectStorageError(() => store.write([singleRecord(rid(2), 1, 'b')]), 'CLOSED');
      await expectStorageError(() => store.range(0n, 0n), 'CLOSED');
      await expectStorageError(() => store.resourceCount(), 'CLOSED');
      await store.close();
    });
  });
}

/** Only for durable adapters: what was written before close() is there after reopening. */
export function describePersistence(context: SuiteContext): void {
  describe('persistence', () => {
    it('keeps records, deletions and the resource count across close and reopen', async () => {
      const before = context.store();
      const kept = [
        singleRecord(rid(1), 1, 'sip:alice@192.0.2.1', 4n),
        arrayRecord(rid(1), 2, [
          [0, 'a'],
          [3, undefined],
        ]),
        singleRecord(rid(0x99), 1, 'other'),
      ];
      await before.write([...kept, singleRecord(rid(2), 1, 'deleted later')]);
      await before.write([deletion(rid(2), 1)]);

      const after = await context.reopen();
      expect(sortedViews(await after.range(0n, 0n))).toEqual(sortedViews(kept));
      expect(await after.read(rid(2), 1)).toBeUndefined();
      expect(await after.resourceCount()).toBe(2);
      await after.write([singleRecord(rid(3), 1, 'after reopen')]);
      expect(await after.resourceCount()).toBe(3);
    });
  });
}
