import { issueTurnCredentials, turnRestPassword } from './turn-credentials';

describe('relay — TURN REST credentials', () => {
  it('puts the expiry in unix seconds before the user name', () => {
    const credentials = issueTurnCredentials({
      secret: 's3cret',
      userName: 'alice@p2psip.test',
      ttlMs: 60_000,
      nowMs: 1_700_000_000_500,
    });
    expect(credentials.username).toBe('1700000061:alice@p2psip.test');
    expect(credentials.expiresAtMs).toBe(1_700_000_061_000);
  });

  it('signs the user with base64 HMAC-SHA1 of the shared secret (checked with openssl)', () => {
    // echo -n '1700000061:alice' | openssl dgst -sha1 -hmac s3cret -binary | base64
    expect(turnRestPassword('s3cret', '1700000061:alice')).toBe('uK0Hk4p9cLeR3gpMlSw2L7bzl6s=');
  });

  it('replaces colons in the user name so the expiry field stays unambiguous', () => {
    const credentials = issueTurnCredentials({ secret: 'x', userName: 'a:b', ttlMs: 1000, nowMs: 0 });
    expect(credentials.username).toBe('1:a_b');
  });
});
