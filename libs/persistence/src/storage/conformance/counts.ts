import { type SuiteContext, deletion, rid, singleRecord, spreadIds } from './builders';

/** resourceCount: distinct Resource-IDs held (Probe's num_resources). */
export function describeCounts(context: SuiteContext): void {
  describe('resourceCount', () => {
    it('is 0 for an empty store', async () => {
      expect(await context.store().resourceCount()).toBe(0);
    });

    it('counts resources, not records', async () => {
      await context
        .store()
        .write([singleRecord(rid(1), 1, 'a'), singleRecord(rid(1), 2, 'b'), singleRecord(rid(1), 3, 'c')]);
      await context.store().write([singleRecord(rid(2), 1, 'd')]);
      expect(await context.store().resourceCount()).toBe(2);
    });

    it('drops a resource only when its last kind is deleted', async () => {
      await context.store().write([singleRecord(rid(1), 1, 'a'), singleRecord(rid(1), 2, 'b')]);
      await context.store().write([deletion(rid(1), 1)]);
      expect(await context.store().resourceCount()).toBe(1);
      await context.store().write([deletion(rid(1), 2), deletion(rid(3), 1)]);
      expect(await context.store().resourceCount()).toBe(0);
    });

    it('does not change when records are replaced, or deleted and added in one call', async () => {
      await context.store().write([singleRecord(rid(1), 1, 'a')]);
      await context.store().write([singleRecord(rid(1), 1, 'b', 2n)]);
      expect(await context.store().resourceCount()).toBe(1);
      await context.store().write([deletion(rid(1), 1), singleRecord(rid(1), 2, 'c')]);
      expect(await context.store().resourceCount()).toBe(1);
    });

    it('follows many writes and deletions', async () => {
      const ids = spreadIds(300, 'count');
      await context.store().write(ids.map((id) => singleRecord(id, 1, 'v')));
      expect(await context.store().resourceCount()).toBe(300);
      await context.store().write(ids.slice(0, 120).map((id) => deletion(id, 1)));
      expect(await context.store().resourceCount()).toBe(180);
    });
  });
}
