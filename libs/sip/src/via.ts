import { InvalidSipMessageError } from './errors';
import { isDigits, isToken } from './grammar';
import { formatPort, hostForWire, isHost, isIPv4, isIPv6, readHost, readPort } from './host';
import { type HeaderParams, formatParams, readParams } from './params';
import { Scanner } from './scanner';

/**
 * One Via value (RFC 3261 §20.42): `SIP/2.0/<transport> host[:port];params`. The transport is
 * upper-cased (it compares case-insensitively); `branch`, `received`, `rport` (RFC 3581), `ttl`
 * and `maddr` are in `params`, checked against their grammar; `rport` without a value maps to null.
 */
export interface Via {
  transport: string;
  host: string;
  port?: number;
  params: HeaderParams;
}

const REASON = 'bad Via';

export function parseVia(text: string): Via {
  const scanner = new Scanner(text, REASON);
  scanner.skipWhitespace();
  const transport = readSentProtocol(scanner);
  // sent-protocol LWS sent-by: the white space is mandatory.
  if (!scanner.skipWhitespace()) scanner.fail();
  const host = readHost(scanner);
  const via: Via = { transport, host, params: new Map() };
  const beforeColon = scanner.pos;
  scanner.skipWhitespace();
  if (scanner.consume(':')) {
    scanner.skipWhitespace();
    via.port = readPort(scanner);
  } else {
    scanner.pos = beforeColon;
  }
  via.params = readParams(scanner, { allowColon: true });
  scanner.skipWhitespace();
  if (!scanner.atEnd || !wellKnownParamsValid(via.params)) scanner.fail();
  return via;
}

export function formatVia(via: Via): string {
  if (!isToken(via.transport))
    throw new InvalidSipMessageError(`bad Via transport ${JSON.stringify(via.transport)}`);
  const host = hostForWire(via.host);
  if (!isHost(host)) throw new InvalidSipMessageError(`bad Via host ${JSON.stringify(via.host)}`);
  const port = via.port === undefined ? '' : `:${formatPort(via.port)}`;
  return `SIP/2.0/${via.transport.toUpperCase()} ${host}${port}${formatParams(via.params, { allowColon: true })}`;
}

/** sent-protocol = "SIP" SLASH "2.0" SLASH transport, with SWS allowed around each slash. */
function readSentProtocol(scanner: Scanner): string {
  const name = scanner.readToken();
  slash(scanner);
  const version = scanner.readToken();
  slash(scanner);
  const transport = scanner.readToken();
  // We speak SIP/2.0 only; another protocol in a Via is a message we cannot answer correctly.
  if (name.toUpperCase() !== 'SIP' || version !== '2.0') scanner.fail();
  return transport.toUpperCase();
}

function slash(scanner: Scanner): void {
  scanner.skipWhitespace();
  scanner.expect('/');
  scanner.skipWhitespace();
}

function wellKnownParamsValid(params: HeaderParams): boolean {
  const branch = params.get('branch');
  const received = params.get('received');
  const rport = params.get('rport');
  const ttl = params.get('ttl');
  const maddr = params.get('maddr');
  return (
    (branch === undefined || (branch !== null && isToken(branch))) &&
    (received === undefined || (received !== null && (isIPv4(received) || isIPv6(received)))) &&
    (rport === undefined || rport === null || isPort(rport)) &&
    (ttl === undefined || (ttl !== null && isDigits(ttl) && ttl.length <= 3 && Number(ttl) <= 255)) &&
    (maddr === undefined || (maddr !== null && isHost(maddr)))
  );
}

function isPort(text: string): boolean {
  return isDigits(text) && text.length <= 5 && Number(text) <= 65535;
}
