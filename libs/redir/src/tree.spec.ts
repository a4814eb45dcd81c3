import { RING_SIZE, idToHex, resourceIdOf } from '@p2psip/identity';
import { RedirTree, deepestLevel, treeNodeResourceId } from './tree';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('redir — tree', () => {
  it('stores the root of turn-server at the digest’s Resource-ID (uint16 level and node)', () => {
    expect(idToHex(treeNodeResourceId('turn-server', 0, 0))).toBe('777995ae73664b3ce6d2623d0cc1de19');
    expect(new RedirTree({ namespace: 'turn-server' }).nodeFor(0, resourceIdOf('x')).resourceId).toBe(
      treeNodeResourceId('turn-server', 0, 0),
    );
  });

  it('goes as deep as uint16 node numbers allow, and starts at level 2', () => {
    expect(deepestLevel(10)).toBe(4);
    expect(deepestLevel(2)).toBe(16);
    expect(deepestLevel(256)).toBe(2);
    expect(new RedirTree({ namespace: 'n', branchingFactor: 256 }).startLevel).toBe(2);
    expect(new RedirTree({ namespace: 'n' }).branchingFactor).toBe(10);
  });

  it('refuses branching factors, namespaces and coordinates outside the tree', () => {
    for (const b of [0, 1, 257, 2.5, Number.NaN]) {
      expect(codeOf(() => new RedirTree({ namespace: 'n', branchingFactor: b }))).toBe(
        'INVALID_REDIR_SETTINGS',
      );
    }
    expect(codeOf(() => new RedirTree({ namespace: '' }))).toBe('INVALID_REDIR_SETTINGS');
    expect(codeOf(() => new RedirTree({ namespace: '\ud800' }))).toBe('INVALID_REDIR_SETTINGS');
    const tree = new RedirTree({ namespace: 'n' });
    expect(codeOf(() => tree.nodeFor(5, 0n))).toBe('INVALID_REDIR_SETTINGS');
    expect(codeOf(() => tree.node(2, 100))).toBe('INVALID_REDIR_SETTINGS');
    expect(codeOf(() => treeNodeResourceId('n', 70_000, 0))).toBe('INVALID_REDIR_SETTINGS');
  });

  it('splits the ring exactly at 2^128·j / b^l, rounding the bounds up to whole ids', () => {
    const tree = new RedirTree({ namespace: 'n', branchingFactor: 10 });
    for (const [level, node] of [
      [1, 3],
      [2, 57],
      [4, 9999],
    ] as const) {
      const start = ceilDiv(RING_SIZE * BigInt(node), 10n ** BigInt(level));
      expect(tree.nodeFor(level, start).node).toBe(node);
      expect(tree.nodeFor(level, start - 1n).node).toBe(node - 1);
      expect(tree.covers(level, node, start)).toBe(true);
      expect(tree.covers(level, node, start - 1n)).toBe(false);
    }
    expect(tree.nodeFor(4, RING_SIZE - 1n).node).toBe(9999);
    expect(tree.nodeFor(0, RING_SIZE - 1n).node).toBe(0);
  });

  it('numbers the intervals so that a tree node at level l+1 is one interval of level l', () => {
    const tree = new RedirTree({ namespace: 'n', branchingFactor: 7 });
    for (let i = 0; i < 200; i++) {
      const id = resourceIdOf(`id-${i}`);
      for (let level = 0; level < tree.deepestLevel; level++) {
        expect(tree.intervalOf(level, id)).toBe(tree.nodeFor(level + 1, id).node);
        expect(Math.floor(tree.intervalOf(level, id) / 7)).toBe(tree.nodeFor(level, id).node);
      }
    }
  });
});

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
