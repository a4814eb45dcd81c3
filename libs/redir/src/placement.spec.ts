import { type NodeId, RING_SIZE, idToBytes, nodeIdFromBytes, resourceIdOf } from '@p2psip/identity';
import { redirValueProblem } from './placement';
import { encodeRedirRecord } from './record';
import { RedirTree, treeNodeResourceId } from './tree';

const idOf = (label: string): NodeId => nodeIdFromBytes(idToBytes(resourceIdOf(label)));
const recordFor = (id: NodeId, level: number, node: number, namespace = 'turn-server') =>
  encodeRedirRecord({ destinations: [{ kind: 'node', id }], namespace, level, node });

describe('redir — placement (NODE-ID-MATCH)', () => {
  const tree = new RedirTree({ namespace: 'turn-server' });
  const provider = idOf('relay');

  it('accepts a record in the tree node that covers the provider, at every level', () => {
    for (let level = 0; level <= tree.deepestLevel; level++) {
      const { node, resourceId } = tree.nodeFor(level, provider);
      expect(redirValueProblem(resourceId, provider, recordFor(provider, level, node), 10)).toBeUndefined();
    }
  });

  it('refuses a record stored elsewhere, naming another node, outside the tree, or malformed', () => {
    const { node, resourceId } = tree.nodeFor(2, provider);
    const elsewhere = tree.nodeFor(2, (provider + RING_SIZE / 50n) % RING_SIZE);
    // Stored at another tree node's Resource-ID.
    expect(redirValueProblem(elsewhere.resourceId, provider, recordFor(provider, 2, node), 10)).toMatch(
      /stored elsewhere/,
    );
    // Claims the other node (its own Resource-ID) although the provider lies outside it.
    expect(
      redirValueProblem(elsewhere.resourceId, provider, recordFor(provider, 2, elsewhere.node), 10),
    ).toMatch(/outside tree node/);
    // A level too deep for the record's uint16 node numbers with b = 10.
    expect(
      redirValueProblem(treeNodeResourceId('turn-server', 5, 0), provider, recordFor(provider, 5, 0), 10),
    ).toMatch(/outside a tree/);
    // Another namespace hashes elsewhere.
    expect(redirValueProblem(resourceId, provider, recordFor(provider, 2, node, 'voice-mail'), 10)).toMatch(
      /stored elsewhere/,
    );
    expect(redirValueProblem(resourceId, provider, Uint8Array.of(0, 1), 10)).toMatch(/needs/);
  });

  it('depends on the branching factor: the same record misplaces under another b', () => {
    const { node, resourceId } = tree.nodeFor(2, provider);
    const value = recordFor(provider, 2, node);
    expect(redirValueProblem(resourceId, provider, value, 10)).toBeUndefined();
    expect(
      new RedirTree({ namespace: 'turn-server', branchingFactor: 16 }).nodeFor(2, provider).node,
    ).not.toBe(node);
    expect(redirValueProblem(resourceId, provider, value, 16)).toMatch(/outside tree node/);
  });
});
