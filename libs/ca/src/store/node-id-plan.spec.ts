import fc from 'fast-check';
import { planNodeIds } from './node-id-plan';

const nodeIdArb = fc.stringMatching(/^[0-9a-f]{32}$/);

describe('persistence — Node-ID plan', () => {
  it('returns the held ids unchanged when the user holds enough', () => {
    expect(planNodeIds(['a'.repeat(32), 'b'.repeat(32)], ['c'.repeat(32)])).toEqual({
      nodeIds: ['a'.repeat(32)],
      added: [],
    });
  });

  it('keeps held ids first, appends distinct new candidates in order and returns as many as asked', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(nodeIdArb, { maxLength: 4 }),
        fc.uniqueArray(nodeIdArb, { maxLength: 6 }),
        (held, candidates) => {
          const fresh = candidates.filter((id) => !held.includes(id));
          const needed = Math.max(0, candidates.length - held.length);
          if (fresh.length < needed) {
            expect(() => planNodeIds(held, candidates)).toThrow(RangeError);
            return;
          }
          const plan = planNodeIds(held, candidates);
          expect(plan.nodeIds).toHaveLength(candidates.length);
          expect(plan.nodeIds).toEqual([...held, ...plan.added].slice(0, candidates.length));
          expect(plan.added).toEqual(fresh.slice(0, needed));
          expect(new Set(plan.nodeIds).size).toBe(plan.nodeIds.length);
        },
      ),
    );
  });
});
