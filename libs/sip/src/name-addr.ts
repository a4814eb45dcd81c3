import { InvalidSipMessageError } from './errors';
import { isToken, isTokenChar } from './grammar';
import { type HeaderParams, formatParams, readParams } from './params';
import { quoteString, unquoteString } from './quoted-string';
import { Scanner } from './scanner';
import { checkUri } from './uri-reference';

/**
 * One From, To, Contact, Route or Record-Route value (RFC 3261 §20.10, §25.1): an optional display
 * name (unquoted text), the URI as written, and the header parameters (`tag`, `expires`, `q`…).
 * A Contact of `*` is not a name-addr; check for it before calling parseNameAddr.
 */
export interface NameAddr {
  displayName?: string;
  uri: string;
  params: HeaderParams;
}

const REASON = 'bad name-addr';

export function parseNameAddr(text: string): NameAddr {
  const scanner = new Scanner(text, REASON);
  scanner.skipWhitespace();
  const displayName = readDisplayName(scanner);
  let uri: string;
  if (displayName !== undefined || scanner.peek() === 0x3c) {
    scanner.expect('<');
    uri = scanner.readWhile((c) => c !== 0x3e);
    scanner.expect('>');
    checkUri(uri, REASON);
  } else {
    // addr-spec without brackets: §20.10 — its ';' parameters belong to the header, and a URI
    // holding ',', '?' or ';' must be bracketed, so the URI ends at the first ';' or space.
    uri = scanner.readWhile((c) => c !== 0x3b && c !== 0x20 && c !== 0x09);
    if (/[,?]/.test(uri)) scanner.fail();
    checkUri(uri, REASON);
  }
  const params = readParams(scanner);
  scanner.skipWhitespace();
  if (!scanner.atEnd) scanner.fail();
  return displayName === undefined ? { uri, params } : { displayName, uri, params };
}

/**
 * Always writes the bracketed form, so parameters can never be mistaken for URI parameters; a
 * display name that is a run of tokens is written bare, anything else quoted.
 */
export function formatNameAddr(value: NameAddr): string {
  if (/[\s<>"]/.test(value.uri) || value.uri === '') {
    throw new InvalidSipMessageError(`not a URI for a name-addr: ${JSON.stringify(value.uri)}`);
  }
  const name = value.displayName === undefined ? '' : `${formatDisplayName(value.displayName)} `;
  return `${name}<${value.uri}>${formatParams(value.params)}`;
}

/**
 * display-name = *(token LWS) / quoted-string. Returns undefined (cursor unmoved) when what
 * follows is not a display name followed by `<`, i.e. an addr-spec.
 */
function readDisplayName(scanner: Scanner): string | undefined {
  if (scanner.peek() === 0x22) {
    const name = unquoteString(scanner.readQuotedString());
    scanner.skipWhitespace();
    return name;
  }
  const start = scanner.pos;
  const tokens: string[] = [];
  for (;;) {
    const token = scanner.readWhile(isTokenChar);
    if (token === '') break;
    tokens.push(token);
    scanner.skipWhitespace();
  }
  if (tokens.length > 0 && scanner.peek() === 0x3c) return tokens.join(' ');
  scanner.pos = start;
  return undefined;
}

function formatDisplayName(name: string): string {
  const tokens = name.split(' ');
  return tokens.every(isToken) ? name : quoteString(name);
}
