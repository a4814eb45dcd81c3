import { InvalidSipMessageError, SipParseError } from './errors';
import { hasControlChar } from './grammar';
import { Scanner } from './scanner';

/**
 * Wraps text in a SIP quoted-string, escaping `\` and `"`. CR/LF and other controls are refused:
 * they would let a display name or parameter value inject header lines.
 */
export function quoteString(text: string): string {
  if (hasControlChar(text))
    throw new InvalidSipMessageError('a quoted string cannot hold control characters');
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The text of a quoted-string (`"a \"b\""` → `a "b"`); anything else is a SipParseError. */
export function unquoteString(quoted: string): string {
  const scanner = new Scanner(quoted, 'bad quoted string');
  const raw = scanner.readQuotedString();
  if (!scanner.atEnd) throw new SipParseError('bad quoted string');
  return raw.slice(1, -1).replace(/\\([\s\S])/g, '$1');
}
