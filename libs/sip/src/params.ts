import { InvalidSipMessageError } from './errors';
import { isToken, isTokenChar } from './grammar';
import { isIPv6 } from './host';
import { Scanner } from './scanner';

/**
 * Header parameters (`;name[=value]`, RFC 3261 generic-param) as used by From/To/Contact/Route
 * and Via. Names are lower-cased (they compare case-insensitively); values are kept raw — a
 * quoted-string keeps its quotes — because quoting changes meaning in some parameters (RFC 3840
 * feature tags) and a caller must be able to write back exactly what it read.
 */
export type HeaderParams = Map<string, string | null>;

export interface ParamOptions {
  /** Via's `received` carries a bare IPv6address (RFC 5118), so Via values may contain ':'. */
  allowColon?: boolean;
}

/** Reads `*( SEMI generic-param )` from the cursor; stops before anything that is not `;`. */
export function readParams(scanner: Scanner, options: ParamOptions = {}): HeaderParams {
  const params: HeaderParams = new Map();
  for (;;) {
    const before = scanner.pos;
    scanner.skipWhitespace();
    if (!scanner.consume(';')) {
      scanner.pos = before;
      return params;
    }
    scanner.skipWhitespace();
    const name = scanner.readToken().toLowerCase();
    // Two values for one name (two tags, two branches) cannot both be honoured: refuse the header.
    if (params.has(name)) scanner.fail();
    const afterName = scanner.pos;
    scanner.skipWhitespace();
    if (scanner.consume('=')) {
      scanner.skipWhitespace();
      params.set(name, readValue(scanner, options));
    } else {
      scanner.pos = afterName;
      params.set(name, null);
    }
  }
}

/** Writes parameters back, refusing values that would not parse (or would inject text). */
export function formatParams(params: HeaderParams, options: ParamOptions = {}): string {
  let out = '';
  for (const [name, value] of params) {
    if (!isToken(name))
      throw new InvalidSipMessageError(`parameter name is not a token: ${JSON.stringify(name)}`);
    out += `;${name}`;
    if (value === null) continue;
    if (!isParamValue(value, options)) {
      throw new InvalidSipMessageError(`parameter ${name} needs a token, host or quoted-string value`);
    }
    out += `=${value}`;
  }
  return out;
}

/** gen-value = token / host / quoted-string. */
export function isParamValue(value: string, options: ParamOptions = {}): boolean {
  const scanner = new Scanner(value, 'bad parameter');
  try {
    readValue(scanner, options);
  } catch {
    return false;
  }
  return scanner.atEnd;
}

function readValue(scanner: Scanner, options: ParamOptions): string {
  const code = scanner.peek();
  if (code === 0x22) return scanner.readQuotedString();
  if (code === 0x5b) {
    const start = scanner.pos;
    scanner.readWhile((c) => c !== 0x5d);
    scanner.expect(']');
    const reference = scanner.text.slice(start, scanner.pos);
    if (!isIPv6(reference.slice(1, -1))) scanner.fail();
    return reference;
  }
  const value = scanner.readWhile((c) => isTokenChar(c) || (options.allowColon === true && c === 0x3a));
  if (value === '') scanner.fail();
  return value;
}
