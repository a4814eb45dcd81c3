import { randomBytes } from 'node:crypto';

import { InvalidSipMessageError } from './errors';
import { isWord } from './grammar';

/** RFC 3261 §8.1.1.7: a branch starting with this cookie promises it is unique per transaction. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

/** A Via branch: the magic cookie and 96 random bits (base64url is all token characters). */
export function newBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomBytes(12).toString('base64url');
}

/** A From/To tag: §19.3 asks for at least 32 random bits; 64 keep collisions out of reach. */
export function newTag(): string {
  return randomBytes(8).toString('hex');
}

/** A Call-ID `random@host` (§8.1.1.4) with 128 random bits; `host` must be a Call-ID word. */
export function newCallId(host: string): string {
  if (!isWord(host)) throw new InvalidSipMessageError(`not usable in a Call-ID: ${JSON.stringify(host)}`);
  return `${randomBytes(16).toString('hex')}@${host}`;
}
