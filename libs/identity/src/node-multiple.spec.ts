import { InvalidIdError } from './errors';
import { findNodeMultipleIndex, nodeMultipleResourceId } from './node-multiple';
import { idToHex, nodeIdFromHex } from './ring-id';

describe('identity — NODE-MULTIPLE positions', () => {
  const nodeId = nodeIdFromHex('0102030405060708090a0b0c0d0e0f10');

  it('hashes Node-ID ‖ uint32 index (digest §8 vector)', () => {
    expect(idToHex(nodeMultipleResourceId(nodeId, 1))).toBe('536d1db50a6a6549514999663cf20e56');
  });

  it('finds the index of a position, and nothing past the maximum', () => {
    const position = nodeMultipleResourceId(nodeId, 7);
    expect(findNodeMultipleIndex(nodeId, position, 20)).toBe(7);
    expect(findNodeMultipleIndex(nodeId, position, 6)).toBeUndefined();
  });

  it('refuses index 0 and fractions', () => {
    expect(() => nodeMultipleResourceId(nodeId, 0)).toThrow(InvalidIdError);
    expect(() => nodeMultipleResourceId(nodeId, 1.5)).toThrow(InvalidIdError);
  });
});
