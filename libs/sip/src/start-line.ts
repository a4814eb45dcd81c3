import { InvalidSipMessageError, SipParseError } from './errors';
import { hasControlChar, isToken } from './grammar';
import type { SipMessage } from './message';
import { checkUri } from './uri-reference';

export type StartLine =
  { kind: 'request'; method: string; uri: string } | { kind: 'response'; status: number; reason: string };

// §7.1: "The SIP-Version string is case-insensitive, but implementations MUST send upper-case."
const SIP_2_0 = /^SIP\/2\.0$/i;
const ANY_SIP_VERSION = /^SIP\/[0-9]+\.[0-9]+$/i;

/**
 * Request-Line = Method SP Request-URI SP SIP-Version; Status-Line = SIP-Version SP Status-Code
 * SP Reason-Phrase. Exactly one SP between elements: extra white space is how smuggled or
 * mangled start lines look, and §7.1 allows none.
 */
export function parseStartLine(line: string): StartLine {
  // HT passes this check: it is legal in a reason phrase, and every other element's grammar refuses it.
  if (hasControlChar(line)) throw new SipParseError('bad start line');
  const firstSpace = line.indexOf(' ');
  const first = firstSpace < 0 ? line : line.slice(0, firstSpace);
  return ANY_SIP_VERSION.test(first) ? parseStatusLine(line, first) : parseRequestLine(line);
}

/** Validates the start line of a message we built ourselves, and writes it. */
export function formatStartLine(message: SipMessage): string {
  if (message.kind === 'request') {
    if (!isToken(message.method))
      throw new InvalidSipMessageError(`method is not a token: ${message.method}`);
    try {
      checkUri(message.uri, 'bad Request-URI');
    } catch (cause) {
      throw new InvalidSipMessageError(`bad Request-URI ${JSON.stringify(message.uri)}`, { cause });
    }
    return `${message.method} ${message.uri} SIP/2.0`;
  }
  if (!Number.isInteger(message.status) || message.status < 100 || message.status > 699) {
    throw new InvalidSipMessageError(`status must be an integer in 100–699, not ${message.status}`);
  }
  if (hasControlChar(message.reason))
    throw new InvalidSipMessageError('reason phrase has a control character');
  return `SIP/2.0 ${message.status} ${message.reason}`;
}

function parseRequestLine(line: string): StartLine {
  const parts = line.split(' ');
  const [method = '', uri = '', version = ''] = parts;
  if (parts.length !== 3 || !isToken(method)) throw new SipParseError('bad start line');
  if (!SIP_2_0.test(version)) {
    throw new SipParseError(ANY_SIP_VERSION.test(version) ? 'unsupported SIP version' : 'bad start line');
  }
  checkUri(uri, 'bad Request-URI');
  return { kind: 'request', method, uri };
}

function parseStatusLine(line: string, version: string): StartLine {
  if (!SIP_2_0.test(version)) throw new SipParseError('unsupported SIP version');
  const match = /^[^ ]+ ([1-6][0-9][0-9]) (.*)$/s.exec(line);
  if (!match?.[1] || match[2] === undefined) throw new SipParseError('bad start line');
  return { kind: 'response', status: Number(match[1]), reason: match[2] };
}
