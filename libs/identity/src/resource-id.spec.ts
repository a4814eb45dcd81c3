import { InvalidResourceNameError } from './errors';
import { normalizeAor, resourceIdOf, resourceIdOfName, resourceNameOf } from './resource-id';
import { idToHex } from './ring-id';

describe('identity — Resource-IDs', () => {
  it('hashes the DESIGN.md §3 test vectors', () => {
    expect(idToHex(resourceIdOf('alice@dht.example.com'))).toBe('0c51a942f50c828aef82a5af83e8ed59');
    expect(idToHex(resourceIdOf('bob@dht.example.com'))).toBe('6c1cfd6d5d9e35557d66a1b05f9e2247');
  });

  it('gives the same id for an AOR with or without its scheme', () => {
    const expected = '0c51a942f50c828aef82a5af83e8ed59';
    for (const aor of [
      'sip:alice@dht.example.com',
      'sips:alice@dht.example.com',
      'SIP:alice@DHT.Example.COM',
    ]) {
      expect(idToHex(resourceIdOfName(aor))).toBe(expected);
    }
  });

  it('lower-cases the host and keeps the user part as written', () => {
    expect(normalizeAor('sip:Alice@DHT.example.com')).toBe('Alice@dht.example.com');
  });

  it('drops URI parameters and headers and percent-decodes', () => {
    expect(normalizeAor('sip:alice@dht.example.com;transport=tcp?subject=hi')).toBe('alice@dht.example.com');
    expect(normalizeAor('sip:al%69ce@dht.example.com')).toBe('alice@dht.example.com');
  });

  it('keeps names that are not AORs byte for byte', () => {
    expect(resourceNameOf('turn-server')).toBe('turn-server');
    expect(resourceIdOfName('Turn-Server')).not.toBe(resourceIdOfName('turn-server'));
  });

  it('refuses AORs without a user or host, and bad escapes', () => {
    for (const bad of ['sip:@dht.example.com', 'sip:alice@', 'sip:alice', 'sip:a%zz@x.org', '']) {
      expect(() => resourceIdOfName(bad)).toThrow(InvalidResourceNameError);
    }
  });
});
