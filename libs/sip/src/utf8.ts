import { SipParseError } from './errors';

// fatal: SIP text is UTF-8 (RFC 3261 §7.3.1), and U+FFFD substitutes would let two different byte
// strings compare equal. ignoreBOM keeps a leading BOM as a character, so it fails the grammar
// instead of vanishing.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8, turning malformed bytes into a SipParseError with the given reason. */
export function decodeUtf8(bytes: Uint8Array, reason = 'invalid UTF-8'): string {
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new SipParseError(reason, { cause });
  }
}
