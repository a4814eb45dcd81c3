import { decodeTurnServer } from './turn-server-value';

describe('client — TURN-SERVICE values', () => {
  it('decodes the RFC 6940 IpAddressPort after the iteration (digest vector 192.0.2.1:6084)', () => {
    expect(decodeTurnServer(Buffer.from('030106c000020117c4', 'hex'))).toEqual({
      iteration: 3,
      address: '192.0.2.1:6084',
    });
  });

  it('decodes IPv6 in brackets, zeros compressed', () => {
    const bytes = Buffer.from(`010212${'0'.repeat(30)}010d96`, 'hex');
    expect(decodeTurnServer(bytes)).toEqual({ iteration: 1, address: '[::1]:3478' });
  });

  it('refuses anything else', () => {
    expect(decodeTurnServer(Buffer.from('0103', 'hex'))).toBeUndefined();
    expect(decodeTurnServer(Buffer.from('010106c0000201', 'hex'))).toBeUndefined();
  });
});
