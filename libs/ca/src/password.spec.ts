import { hashPassword, verifyPassword } from './password';

const fast = { N: 1024, r: 8, p: 1 };

describe('ca — passwords', () => {
  it('verifies the password it hashed, and nothing else', async () => {
    const encoded = await hashPassword('correct horse', fast);
    expect(encoded).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword('correct horse', encoded)).toBe(true);
    expect(await verifyPassword('correct horsE', encoded)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same', fast)).not.toBe(await hashPassword('same', fast));
  });

  it('treats malformed or absurd encodings as a mismatch instead of throwing', async () => {
    for (const bad of [
      '',
      'plain',
      'scrypt$x$8$1$AA$BB',
      'bcrypt$1$2$3$4$5',
      `scrypt$${2 ** 30}$8$1$AAAA$${'A'.repeat(44)}`,
    ]) {
      expect(await verifyPassword('pw', bad)).toBe(false);
    }
  });
});
