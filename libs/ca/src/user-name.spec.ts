import { InvalidRequestError } from './errors';
import { isDomainAllowed, normalizeUserName } from './user-name';
import { isAcceptableKey } from './key-policy';

describe('ca — user names and keys', () => {
  it('lower-cases the domain and keeps the user part', () => {
    expect(normalizeUserName(' Alice@P2PSIP.Test ')).toBe('Alice@p2psip.test');
  });

  it('refuses names that are not user@domain', () => {
    for (const bad of [
      'alice',
      '@p2psip.test',
      'alice@',
      'a b@p2psip.test',
      'alice@bad_domain',
      `${'x'.repeat(65)}@p2psip.test`,
    ]) {
      expect(() => normalizeUserName(bad)).toThrow(InvalidRequestError);
    }
  });

  it('refuses non-ASCII user parts (regression: bšb@… was certified as bab@…)', () => {
    for (const bad of ['bšb@p2psip.test', 'b\u0100b@p2psip.test', 'bob\u0000@p2psip.test']) {
      expect(() => normalizeUserName(bad)).toThrow(InvalidRequestError);
    }
  });

  it('allows a domain and its subdomains only', () => {
    expect(isDomainAllowed('a@p2psip.test', ['p2psip.test'])).toBe(true);
    expect(isDomainAllowed('a@lab.p2psip.test', ['p2psip.test'])).toBe(true);
    expect(isDomainAllowed('a@evilp2psip.test', ['p2psip.test'])).toBe(false);
    expect(isDomainAllowed('a@other.test', ['p2psip.test'])).toBe(false);
  });

  it('accepts P-256/P-384, RSA 2048+ and Ed25519 keys only', () => {
    expect(isAcceptableKey({ algorithm: 'ECDSA', namedCurve: 'P-256' })).toBe(true);
    expect(isAcceptableKey({ algorithm: 'ECDSA', namedCurve: 'secp256k1' })).toBe(false);
    expect(isAcceptableKey({ algorithm: 'RSA', modulusLength: 2048 })).toBe(true);
    expect(isAcceptableKey({ algorithm: 'RSA', modulusLength: 512 })).toBe(false);
    expect(isAcceptableKey({ algorithm: 'Ed25519' })).toBe(true);
    expect(isAcceptableKey({ algorithm: 'other' })).toBe(false);
  });
});
