import { type ResourceId, idToHex } from '@p2psip/identity';
import { type KindRecord, inArc } from '@p2psip/storage';
import { type SuiteContext, TOP, rid, singleRecord, slots, sortedViews, spreadIds } from './builders';

// Ring positions chosen to hit every boundary: both ends of the ring and close neighbours.
const POSITIONS = [0n, 1n, 0x10n, 0x20n, 0x30n, TOP - 1n, TOP];

/** range(from, to): the arc (from, to], wrapping past zero, in ring order from `from`. */
export function describeRanges(context: SuiteContext): void {
  describe('range', () => {
    /** Two kinds at every position; returns the positions a range lists, one per resource. */
    async function fill(): Promise<void> {
      await context
        .store()
        .write(
          POSITIONS.flatMap((p) => [singleRecord(rid(p), 1, `${p}/1`), singleRecord(rid(p), 2, `${p}/2`)]),
        );
    }

    async function positions(from: bigint, to: bigint): Promise<bigint[]> {
      const records = await context.store().range(from, to);
      expect(records.every((r) => r.kind === 1 || r.kind === 2)).toBe(true);
      return resourceOrder(records);
    }

    it('lists (from, to] without wrapping: from excluded, to included', async () => {
      await fill();
      expect(await positions(0x10n, 0x30n)).toEqual([0x20n, 0x30n]);
      expect(await positions(0n, 1n)).toEqual([1n]);
      expect(await positions(0x30n, TOP)).toEqual([TOP - 1n, TOP]);
    });

    it('wraps past zero: from after `from` to the top, then from zero to `to`', async () => {
      await fill();
      expect(await positions(0x30n, 0x10n)).toEqual([TOP - 1n, TOP, 0n, 1n, 0x10n]);
      expect(await positions(TOP, 0x10n)).toEqual([0n, 1n, 0x10n]);
      expect(await positions(TOP - 1n, 0n)).toEqual([TOP, 0n]);
    });

    it('lists the whole ring when from = to, starting after from', async () => {
      await fill();
      expect(await positions(0x20n, 0x20n)).toEqual([0x30n, TOP - 1n, TOP, 0n, 1n, 0x10n, 0x20n]);
      expect(await positions(0n, 0n)).toEqual([1n, 0x10n, 0x20n, 0x30n, TOP - 1n, TOP, 0n]);
      expect(await positions(TOP, TOP)).toEqual(POSITIONS);
    });

    it('lists every kind of each resource in the arc', async () => {
      await fill();
      const records = await context.store().range(0x10n, 0x20n);
      expect(sortedViews(records)).toEqual(
        sortedViews([singleRecord(rid(0x20), 1, '32/1'), singleRecord(rid(0x20), 2, '32/2')]),
      );
    });

    it('is empty for an arc that holds nothing, and for an empty store', async () => {
      expect(await context.store().range(0n, 0n)).toEqual([]);
      await fill();
      expect(await context.store().range(0x20n, 0x2fn)).toEqual([]);
      expect(await context.store().range(1n, 0xfn)).toEqual([]);
    });

    it('orders hashed Resource-IDs ascending from `from` for arbitrary arcs', async () => {
      const ids = spreadIds(150, 'range');
      const kindOf = new Map(ids.map((id, i) => [id, 1 + (i % 3)]));
      await context.store().write(ids.map((id, i) => singleRecord(id, kindOf.get(id)!, `v${i}`)));
      const sorted = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const arcs: [bigint, bigint][] = [
        [sorted[20], sorted[90]],
        [sorted[120], sorted[15]],
        [sorted[60] + 1n, sorted[60] - 1n],
        [sorted[75], sorted[75]],
      ];
      for (const [from, to] of arcs) {
        const records = await context.store().range(from, to);
        expect(resourceOrder(records).map(idToHex)).toEqual(expectedOrder(ids, from, to).map(idToHex));
        const expectedSlots = ids
          .filter((id) => inArc(id, from, to))
          .map((id) => `${idToHex(id)}/${kindOf.get(id)}`);
        expect(slots(records).sort()).toEqual(expectedSlots.sort());
      }
    });
  });
}

/** The distinct Resource-IDs of a range result in the order they first appear. */
function resourceOrder(records: readonly KindRecord[]): bigint[] {
  const order: bigint[] = [];
  for (const record of records) if (order.at(-1) !== record.resourceId) order.push(record.resourceId);
  expect(new Set(order).size).toBe(order.length); // a resource's kinds come together
  return order;
}

/** Reference answer: the ids in the arc, ascending, rotated to start after `from`. */
function expectedOrder(ids: readonly ResourceId[], from: bigint, to: bigint): bigint[] {
  const inside = ids.filter((id) => inArc(id, from, to)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...inside.filter((id) => id > from), ...inside.filter((id) => id <= from)];
}
