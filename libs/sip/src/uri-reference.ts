import { SipParseError } from './errors';
import { parseSipUri } from './uri';

/**
 * Checks a URI found in a request line or between `<` `>`. SIP and SIPS URIs must parse fully;
 * other schemes (tel:, urn:, im:) only need an RFC 3986 scheme and printable ASCII without
 * spaces or angle brackets, since we route on SIP URIs and merely carry the rest.
 */
export function checkUri(text: string, reason: string): void {
  if (/^sips?:/i.test(text)) {
    try {
      parseSipUri(text);
    } catch (cause) {
      throw new SipParseError(reason, { cause });
    }
    return;
  }
  if (!/^[a-z][a-z0-9+.-]*:[\x21\x23-\x3b\x3d\x3f-\x7e]+$/i.test(text)) throw new SipParseError(reason);
}
