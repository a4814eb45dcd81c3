import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost settings. Memory = 128 · N · r bytes per hash (32 MiB with the defaults). */
export interface KdfSettings {
  /** CPU/memory cost, a power of two. @default 32768 */
  readonly N: number;
  /** Block size. @default 8 */
  readonly r: number;
  /** Parallelism. @default 1 */
  readonly p: number;
}

export const DEFAULT_KDF: KdfSettings = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/**
 * Hashes a password with scrypt, a memory-hard KDF, so a stolen store does not give passwords away
 * cheaply. Encoded as `scrypt$N$r$p$<salt b64>$<hash b64>`: the settings travel with the hash,
 * so the cost can be raised later without breaking stored users.
 */
export async function hashPassword(password: string, settings: KdfSettings = DEFAULT_KDF): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, settings);
  return [
    'scrypt',
    settings.N,
    settings.r,
    settings.p,
    salt.toString('base64'),
    hash.toString('base64'),
  ].join('$');
}

/** True when `password` matches `encoded`; false for any malformed encoding (never throws on it). */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 2 ** 20) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  if (expected.length !== KEY_BYTES) return false;
  const actual = await derive(password, salt, { N, r, p });
  return timingSafeEqual(actual, expected);
}

function derive(password: string, salt: Buffer, settings: KdfSettings): Promise<Buffer> {
  const maxmem = 256 * settings.N * settings.r + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...settings, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}
