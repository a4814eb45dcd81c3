import { idToHex } from '@p2psip/identity';
import { type SuiteContext, singleRecord, sortedViews, spreadIds } from './builders';

const WRITERS = 50;
const KINDS_PER_WRITE = 3;

/** The storage rules serialise per resource only, so writes to different resources overlap. */
export function describeConcurrency(context: SuiteContext): void {
  describe('concurrency', () => {
    it('keeps every record of concurrent writes to different resources', async () => {
      const ids = spreadIds(WRITERS, 'concurrent');
      const writes = ids.map((id) =>
        Array.from({ length: KINDS_PER_WRITE }, (_, k) => singleRecord(id, k + 1, `${idToHex(id)}/${k}`)),
      );
      await Promise.all(writes.map((records) => context.store().write(records)));
      expect(await context.store().resourceCount()).toBe(WRITERS);
      expect(sortedViews(await context.store().range(0n, 0n))).toEqual(sortedViews(writes.flat()));
    });

    it('never shows a reader part of a multi-kind write', async () => {
      const ids = spreadIds(WRITERS, 'atomic');
      const seen: number[] = [];
      await Promise.all(
        ids.flatMap((id) => [
          context
            .store()
            .write(Array.from({ length: KINDS_PER_WRITE }, (_, k) => singleRecord(id, k + 1, `v${k}`))),
          context
            .store()
            .readResource(id)
            .then((records) => seen.push(records.length)),
        ]),
      );
      expect(seen.every((count) => count === 0 || count === KINDS_PER_WRITE)).toBe(true);
      const after = await Promise.all(ids.map((id) => context.store().readResource(id)));
      expect(after.map((records) => records.length)).toEqual(ids.map(() => KINDS_PER_WRITE));
    });
  });
}
