import { createHash } from 'node:crypto';
import { DigestAuthenticator, parseDigest } from './digest-auth';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function answer(challenge: string, password: string, options: { qop?: boolean; user?: string } = {}): string {
  const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const user = options.user ?? 'bob';
  const ha1 = md5(`${user}:p2psip.test:${password}`);
  const ha2 = md5('REGISTER:sip:p2psip.test');
  const response = options.qop
    ? md5(`${ha1}:${nonce}:00000001:abc:auth:${ha2}`)
    : md5(`${ha1}:${nonce}:${ha2}`);
  const qop = options.qop ? ', qop=auth, nc=00000001, cnonce="abc"' : '';
  return `Digest username="${user}", realm="p2psip.test", nonce="${nonce}", uri="sip:p2psip.test", response="${response}"${qop}`;
}

describe('client-sdk — Digest authentication of REGISTER', () => {
  let now = 1_000_000;
  const auth = new DigestAuthenticator('p2psip.test', () => now);
  const passwords = (user: string) => (user === 'bob' ? 'pw' : undefined);

  it('accepts the right password, with and without qop=auth', () => {
    expect(auth.verify(answer(auth.challenge(), 'pw'), 'REGISTER', passwords)).toBe(true);
    expect(auth.verify(answer(auth.challenge(), 'pw', { qop: true }), 'REGISTER', passwords)).toBe(true);
  });

  it('refuses a wrong password, an unknown user, another method and a forged nonce', () => {
    expect(auth.verify(answer(auth.challenge(), 'nope'), 'REGISTER', passwords)).toBe(false);
    expect(auth.verify(answer(auth.challenge(), 'pw', { user: 'eve' }), 'REGISTER', passwords)).toBe(false);
    expect(auth.verify(answer(auth.challenge(), 'pw'), 'INVITE', passwords)).toBe(false);
    const forged = answer(auth.challenge(), 'pw').replace(/nonce="([0-9a-f]+)\./, 'nonce="1.');
    expect(auth.verify(forged, 'REGISTER', passwords)).toBe(false);
  });

  it('refuses a nonce older than five minutes', () => {
    const challenge = auth.challenge();
    now += 5 * 60_000 + 1;
    expect(auth.verify(answer(challenge, 'pw'), 'REGISTER', passwords)).toBe(false);
  });

  it('parses quoted and bare fields, and refuses headers that are not Digest', () => {
    expect(parseDigest('Digest username="a\\"b", realm=r, nonce="n", uri="u", response="x"')).toMatchObject({
      username: 'a"b',
      realm: 'r',
    });
    expect(parseDigest('Basic YWxhZGRpbjpvcGVuc2VzYW1l')).toBeUndefined();
    expect(parseDigest('Digest realm="r"')).toBeUndefined();
  });
});
