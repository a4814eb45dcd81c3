import { InvalidSipMessageError } from './errors';
import { isDigits } from './grammar';
import type { Scanner } from './scanner';

/**
 * Hosts as RFC 3261 §25.1 writes them: hostname, IPv4address, or an IPv6reference in brackets.
 * Zone ids (`%eth0`) and `_` in labels are outside the grammar and refused.
 */

const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const TOP_LABEL = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/i;

export function isHostname(text: string): boolean {
  if (text.length === 0 || text.length > 255) return false;
  const labels = (text.endsWith('.') ? text.slice(0, -1) : text).split('.');
  const top = labels.pop() ?? '';
  return TOP_LABEL.test(top) && labels.every((label) => LABEL.test(label));
}

export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => p.length <= 3 && isDigits(p) && Number(p) <= 255);
}

/** IPv6address of RFC 3261: hex groups, at most one `::`, optionally ending in an IPv4 address. */
export function isIPv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  const all = groups.flat();
  // An embedded IPv4 address may only close the address, never precede a `::`.
  const ipv4Allowed = halves.length === 1 || (groups[1]?.length ?? 0) > 0;
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const group = all[i] ?? '';
    if (ipv4Allowed && i === all.length - 1 && group.includes('.')) {
      if (!isIPv4(group)) return false;
      count += 2;
    } else if (/^[0-9a-f]{1,4}$/i.test(group)) {
      count += 1;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** host = hostname / IPv4address / IPv6reference ("[" IPv6address "]"). */
export function isHost(text: string): boolean {
  if (text.startsWith('[')) return text.endsWith(']') && isIPv6(text.slice(1, -1));
  return isIPv4(text) || isHostname(text);
}

/** Reads a host at the cursor: up to `]` for an IPv6 reference, else hostname characters. */
export function readHost(scanner: Scanner): string {
  const host = scanner.peek() === 0x5b ? readBracketed(scanner) : scanner.readWhile(isHostnameChar);
  if (!isHost(host)) scanner.fail();
  return host;
}

/** port = 1*DIGIT, bounded to what a transport can use. */
export function readPort(scanner: Scanner): number {
  const digits = scanner.readWhile((c) => c >= 0x30 && c <= 0x39);
  if (digits === '' || digits.length > 5 || Number(digits) > 65535) scanner.fail();
  return Number(digits);
}

/** Hosts handed to a formatter may be bare IPv6 (`::1`); the wire needs the brackets. */
export function hostForWire(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function formatPort(port: number): string {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidSipMessageError(`bad port ${port}`);
  return String(port);
}

function readBracketed(scanner: Scanner): string {
  const start = scanner.pos;
  scanner.expect('[');
  scanner.readWhile((c) => c !== 0x5d);
  scanner.expect(']');
  return scanner.text.slice(start, scanner.pos);
}

function isHostnameChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x2d ||
    code === 0x2e
  );
}
