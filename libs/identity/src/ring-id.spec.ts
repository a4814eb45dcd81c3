import { InvalidIdError } from './errors';
import {
  RESERVED_NODE_ID,
  WILDCARD_NODE_ID,
  idToBytes,
  idToHex,
  isReservedNodeId,
  isWildcardNodeId,
  nodeIdFromBytes,
  nodeIdFromHex,
  randomNodeId,
} from './ring-id';

describe('identity — 128-bit ids', () => {
  it('round-trips hex and bytes with zero padding', () => {
    const id = nodeIdFromHex('000000000000000000000000000000ff');
    expect(idToHex(id)).toBe('000000000000000000000000000000ff');
    expect(idToBytes(id)).toHaveLength(16);
    expect(nodeIdFromBytes(idToBytes(id))).toBe(id);
  });

  it('accepts upper-case hex and prints lower-case', () => {
    expect(idToHex(nodeIdFromHex('0C51A942F50C828AEF82A5AF83E8ED59'))).toBe(
      '0c51a942f50c828aef82a5af83e8ed59',
    );
  });

  it('refuses ids of the wrong length or alphabet', () => {
    for (const bad of ['', '00', 'g'.repeat(32), '0'.repeat(33), '0x' + '0'.repeat(30)]) {
      expect(() => nodeIdFromHex(bad)).toThrow(InvalidIdError);
    }
    expect(() => nodeIdFromBytes(new Uint8Array(20))).toThrow(InvalidIdError);
  });

  it('knows the reserved and wildcard ids and never draws them', () => {
    expect(isReservedNodeId(RESERVED_NODE_ID)).toBe(true);
    expect(isWildcardNodeId(WILDCARD_NODE_ID)).toBe(true);
    const draws = [new Uint8Array(16), new Uint8Array(16).fill(0xff), new Uint8Array(16).fill(7)];
    const id = randomNodeId(() => draws.shift() ?? new Uint8Array(16));
    expect(idToHex(id)).toBe('07'.repeat(16));
  });
});
