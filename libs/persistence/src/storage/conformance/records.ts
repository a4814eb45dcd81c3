import {
  type SuiteContext,
  arrayRecord,
  deletion,
  dictionaryRecord,
  rid,
  singleRecord,
  sortedViews,
  view,
} from './builders';

const KIB = 1024;

/** read, readResource and write: what a Store, Fetch and Stat rely on. */
export function describeRecords(context: SuiteContext): void {
  describe('read and write', () => {
    it('reads nothing for a (resource, kind) never written', async () => {
      expect(await context.store().read(rid(1), 1)).toBeUndefined();
      expect(await context.store().readResource(rid(1))).toEqual([]);
    });

    it('reads back a SINGLE record exactly as written', async () => {
      const record = singleRecord(rid(7), 1, 'sip:alice@192.0.2.1:5060', 3n);
      await context.store().write([record]);
      expect(view(await context.store().read(rid(7), 1))).toEqual(view(record));
    });

    it('round-trips sparse ARRAY and DICTIONARY records with removal markers and empty values', async () => {
      const array = arrayRecord(rid(8), 2, [
        [0, 'turn:192.0.2.10'],
        [5, undefined],
        [9, ''],
      ]);
      const dictionary = dictionaryRecord(rid(8), 3, [
        ['', 'empty key'],
        ['alice-laptop', undefined],
        ['alice-phone', 'sip:alice@198.51.100.7'],
      ]);
      await context.store().write([array, dictionary]);
      expect(view(await context.store().read(rid(8), 2))).toEqual(view(array));
      expect(view(await context.store().read(rid(8), 3))).toEqual(view(dictionary));
    });

    it('replaces a record when the same (resource, kind) is written again', async () => {
      await context.store().write([singleRecord(rid(9), 1, 'first', 1n)]);
      const second = singleRecord(rid(9), 1, 'second', 2n);
      await context.store().write([second]);
      expect(view(await context.store().read(rid(9), 1))).toEqual(view(second));
    });

    it('deletes a record written without values and keeps the other kinds of the resource', async () => {
      const kept = singleRecord(rid(10), 2, 'kept');
      await context.store().write([singleRecord(rid(10), 1, 'gone'), kept]);
      await context.store().write([deletion(rid(10), 1)]);
      expect(await context.store().read(rid(10), 1)).toBeUndefined();
      expect((await context.store().readResource(rid(10))).map(view)).toEqual([view(kept)]);
    });

    it('treats deleting an absent record and an empty write as no-ops', async () => {
      const kept = singleRecord(rid(11), 1, 'kept');
      await context.store().write([kept]);
      await context.store().write([deletion(rid(11), 2), deletion(rid(12), 1)]);
      await context.store().write([]);
      expect((await context.store().readResource(rid(11))).map(view)).toEqual([view(kept)]);
      expect(await context.store().read(rid(12), 1)).toBeUndefined();
    });

    it('writes several kinds and resources in one call', async () => {
      const records = [
        singleRecord(rid(20), 1, 'a'),
        arrayRecord(rid(20), 2, [[0, 'b']]),
        dictionaryRecord(rid(21), 3, [['k', 'c']]),
      ];
      await context.store().write(records);
      expect(
        sortedViews([
          ...(await context.store().readResource(rid(20))),
          ...(await context.store().readResource(rid(21))),
        ]),
      ).toEqual(sortedViews(records));
    });

    it('applies the replacements, additions and deletions of one call together', async () => {
      await context.store().write([singleRecord(rid(30), 1, 'old-1'), singleRecord(rid(30), 2, 'old-2')]);
      const replaced = singleRecord(rid(30), 2, 'new-2', 2n);
      const added = singleRecord(rid(30), 3, 'new-3');
      await context.store().write([deletion(rid(30), 1), replaced, added]);
      expect(sortedViews(await context.store().readResource(rid(30)))).toEqual(
        sortedViews([replaced, added]),
      );
    });

    it('keeps the last of two records for the same (resource, kind) in one call', async () => {
      const last = singleRecord(rid(31), 1, 'last', 2n);
      await context.store().write([singleRecord(rid(31), 1, 'first', 1n), last]);
      expect(view(await context.store().read(rid(31), 1))).toEqual(view(last));
      await context.store().write([singleRecord(rid(31), 1, 'again', 3n), deletion(rid(31), 1)]);
      expect(await context.store().read(rid(31), 1)).toBeUndefined();
    });

    it('reads every kind of a resource, kinds 0 and 2^32-1 included, and nothing of its neighbours', async () => {
      const own = [
        singleRecord(rid(41), 0, 'zero'),
        singleRecord(rid(41), 7, 'seven'),
        singleRecord(rid(41), 0xffffffff, 'max'),
      ];
      const neighbours = [singleRecord(rid(40), 0xffffffff, 'before'), singleRecord(rid(42), 0, 'after')];
      await context.store().write([...neighbours, ...own]);
      expect(sortedViews(await context.store().readResource(rid(41)))).toEqual(sortedViews(own));
      expect(view(await context.store().read(rid(41), 0xffffffff))).toEqual(view(own[2]));
    });

    it('keeps records at both ends of the ring apart', async () => {
      const bottom = singleRecord(rid(0), 1, 'zero');
      const top = singleRecord(rid((1n << 128n) - 1n), 1, 'top');
      await context.store().write([bottom, top]);
      expect(view(await context.store().read(rid(0), 1))).toEqual(view(bottom));
      expect((await context.store().readResource(rid((1n << 128n) - 1n))).map(view)).toEqual([view(top)]);
    });

    it('stores a record of 100 values of 1 KB each', async () => {
      const entries = Array.from({ length: 100 }, (_, i) => [i, `${i}:`.padEnd(KIB, 'x')] as const);
      const big = arrayRecord(rid(50), 2, entries, 100n);
      await context.store().write([big]);
      const read = await context.store().read(rid(50), 2);
      expect(read?.values).toHaveLength(100);
      expect(view(read)).toEqual(view(big));
      expect((await context.store().range(0n, 0n)).map(view)).toEqual([view(big)]);
    });
  });
}
