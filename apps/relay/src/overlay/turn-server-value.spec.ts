import { encodeTurnServer } from './turn-server-value';

describe('relay — TurnServer values', () => {
  it('encodes RFC 6940 IpAddressPort after the iteration (digest vector 192.0.2.1:6084)', () => {
    expect(encodeTurnServer(3, '192.0.2.1', 6084).toString('hex')).toBe('03' + '0106c000020117c4');
  });

  it('encodes IPv6 with 16 address bytes', () => {
    expect(encodeTurnServer(1, '::1', 3478).toString('hex')).toBe('010212' + '0'.repeat(30) + '01' + '0d96');
  });
});
