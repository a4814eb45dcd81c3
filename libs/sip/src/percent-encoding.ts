import { SipParseError } from './errors';
import { decodeUtf8 } from './utf8';

/**
 * Decodes `%HH` escapes in one URI component, after checking every other character is one the
 * component allows unescaped. Escaped bytes must form UTF-8: SIP text is UTF-8, and a decoded
 * string that silently held U+FFFD would compare equal to a different URI.
 */
export function percentDecode(text: string, allowed: (code: number) => boolean, reason: string): string {
  if (!text.includes('%')) {
    for (let i = 0; i < text.length; i++) if (!allowed(text.charCodeAt(i))) throw new SipParseError(reason);
    return text;
  }
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/i.test(hex)) throw new SipParseError(reason);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (allowed(code)) {
      bytes.push(code);
    } else {
      throw new SipParseError(reason);
    }
  }
  return decodeUtf8(Uint8Array.from(bytes), reason);
}

/** Escapes every character outside `allowed` as UTF-8 `%HH` (upper-case hex, RFC 3986 §2.1). */
export function percentEncode(text: string, allowed: (code: number) => boolean): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && allowed(code)) {
      out += char;
    } else {
      for (const byte of Buffer.from(char, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}
