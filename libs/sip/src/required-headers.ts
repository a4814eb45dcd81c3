import { parseCSeq } from './cseq';
import { SipParseError } from './errors';
import { isDigits, isWord } from './grammar';
import type { SipMessage } from './message';
import { parseNameAddr } from './name-addr';
import { parseVia } from './via';

/**
 * The first reason this message lacks what RFC 3261 §8.1.1 makes mandatory — To, From, CSeq,
 * Call-ID, Via, and Max-Forwards in requests — or undefined. Each must parse, the single-valued
 * ones must appear once, and a request's CSeq method must be its own method. A UAS answers a
 * problem with 400 (the reason fits its reason phrase); a UAC drops such a response (§8.1.3.3).
 */
export function requiredHeadersProblem(message: SipMessage): string | undefined {
  const { headers } = message;
  const vias = headers.getAll('Via');
  if (vias.length === 0) return 'missing Via';
  if (!vias.every((via) => parses(() => parseVia(via)))) return 'bad Via';
  const singles: [string, (value: string) => boolean][] = [
    ['To', (v) => parses(() => parseNameAddr(v))],
    ['From', (v) => parses(() => parseNameAddr(v))],
    ['Call-ID', isCallId],
    ['CSeq', (v) => parses(() => parseCSeq(v))],
  ];
  if (message.kind === 'request')
    singles.push(['Max-Forwards', (v) => isDigits(v) && v.length <= 3 && Number(v) <= 255]);
  for (const [name, valid] of singles) {
    const values = headers.getAll(name);
    if (values.length === 0) return `missing ${name}`;
    if (values.length > 1) return `multiple ${name}`;
    if (!valid(values[0] ?? '')) return `bad ${name}`;
  }
  if (message.kind === 'request' && parseCSeq(headers.get('CSeq') ?? '').method !== message.method) {
    return 'CSeq method mismatch';
  }
  return undefined;
}

/** callid = word [ "@" word ] */
function isCallId(value: string): boolean {
  const parts = value.split('@');
  return parts.length <= 2 && parts.every(isWord);
}

function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch (error) {
    if (error instanceof SipParseError) return false;
    throw error;
  }
}
