import { InvalidSipMessageError, SipParseError } from './errors';
import { UNRESERVED, makeCharClass } from './grammar';
import { formatPort, hostForWire, isHost, readHost, readPort } from './host';
import { percentDecode, percentEncode } from './percent-encoding';
import { Scanner } from './scanner';

/**
 * A SIP or SIPS URI (RFC 3261 §19.1). Components are stored percent-decoded, parameter names in
 * lower case (they compare case-insensitively, §19.1.4); `host` is kept as written, with the
 * brackets of an IPv6 reference (`[::1]`). A parameter without a value (`;lr`) maps to null.
 */
export interface SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Map<string, string | null>;
  headers: Map<string, string>;
}

const REASON = 'bad SIP URI';

// What each component may carry unescaped (RFC 3261 §25.1).
const USER = makeCharClass(UNRESERVED + '&=+$,;?/');
const PASSWORD = makeCharClass(UNRESERVED + '&=+$,');
const PARAM = makeCharClass(UNRESERVED + '[]/:&+$');
const HEADER = makeCharClass(UNRESERVED + '[]/?:+$');

export function parseSipUri(text: string): SipUri {
  const match = /^(sips?):/i.exec(text);
  if (!match?.[1]) throw new SipParseError(REASON);
  const scheme = match[1].toLowerCase() as 'sip' | 'sips';
  const rest = text.slice(match[0].length);
  // '@' is escaped everywhere else in a SIP URI, so it alone separates the userinfo.
  const at = rest.indexOf('@');
  if (at !== rest.lastIndexOf('@')) throw new SipParseError(REASON);
  const uri: SipUri = { scheme, host: '', params: new Map(), headers: new Map() };
  if (at >= 0) parseUserinfo(rest.slice(0, at), uri);
  parseHostAndAfter(rest.slice(at + 1), uri);
  return uri;
}

export function formatSipUri(uri: SipUri): string {
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips')
    throw new InvalidSipMessageError('scheme must be sip or sips');
  const host = hostForWire(uri.host);
  if (!isHost(host)) throw new InvalidSipMessageError(`not a SIP host: ${JSON.stringify(uri.host)}`);
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) {
    if (uri.user === '') throw new InvalidSipMessageError('a URI user cannot be empty');
    out += percentEncode(uri.user, USER);
    if (uri.password !== undefined) out += `:${percentEncode(uri.password, PASSWORD)}`;
    out += '@';
  }
  out += host;
  if (uri.port !== undefined) out += `:${formatPort(uri.port)}`;
  for (const [name, value] of uri.params) {
    out += `;${encodeNonEmpty(name, PARAM)}`;
    if (value !== null) out += `=${encodeNonEmpty(value, PARAM)}`;
  }
  let separator = '?';
  for (const [name, value] of uri.headers) {
    out += `${separator}${encodeNonEmpty(name, HEADER)}=${percentEncode(value, HEADER)}`;
    separator = '&';
  }
  return out;
}

function parseUserinfo(userinfo: string, uri: SipUri): void {
  const colon = userinfo.indexOf(':');
  const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
  if (user === '') throw new SipParseError(REASON);
  uri.user = percentDecode(user, USER, REASON);
  if (colon >= 0) uri.password = percentDecode(userinfo.slice(colon + 1), PASSWORD, REASON);
}

function parseHostAndAfter(text: string, uri: SipUri): void {
  const scanner = new Scanner(text, REASON);
  uri.host = readHost(scanner);
  if (scanner.consume(':')) uri.port = readPort(scanner);
  while (scanner.consume(';')) {
    const [name, value] = splitParam(scanner.readWhile((c) => c !== 0x3b && c !== 0x3f));
    const key = percentDecode(name, PARAM, REASON).toLowerCase();
    // §19.1.1: a URI parameter appears at most once; two would make its meaning ambiguous.
    if (key === '' || uri.params.has(key)) scanner.fail();
    uri.params.set(key, value === null ? null : decodeNonEmpty(value, PARAM));
  }
  if (scanner.consume('?')) parseHeaders(scanner.text.slice(scanner.pos), uri);
  else if (!scanner.atEnd) scanner.fail();
}

function parseHeaders(text: string, uri: SipUri): void {
  for (const field of text.split('&')) {
    const equals = field.indexOf('=');
    if (equals < 0) throw new SipParseError(REASON);
    const name = decodeNonEmpty(field.slice(0, equals), HEADER);
    if (uri.headers.has(name)) throw new SipParseError(REASON);
    uri.headers.set(name, percentDecode(field.slice(equals + 1), HEADER, REASON));
  }
}

function splitParam(param: string): [string, string | null] {
  const equals = param.indexOf('=');
  return equals < 0 ? [param, null] : [param.slice(0, equals), param.slice(equals + 1)];
}

function decodeNonEmpty(text: string, allowed: (code: number) => boolean): string {
  if (text === '') throw new SipParseError(REASON);
  return percentDecode(text, allowed, REASON);
}

function encodeNonEmpty(text: string, allowed: (code: number) => boolean): string {
  if (text === '')
    throw new InvalidSipMessageError('URI parameter and header names and values cannot be empty');
  return percentEncode(text, allowed);
}
