import { SipParseError } from './errors';
import type { SipParseLimits } from './limits';
import { resolveLimits } from './limits';
import type { SipMessage } from './message';
import { buildMessage, findHeadEnd, parseMessageHead, skipLineBreaks } from './message-head';

/**
 * Parses one complete message: a UDP datagram, or a message some other framing delivered whole.
 * Per RFC 3261 §18.3, a body longer than Content-Length is cut to it (the rest of a datagram is
 * discarded), a shorter one is an error, and without Content-Length the body is the rest of the
 * datagram. Throws SipParseError for anything else that is not valid SIP, and nothing else.
 */
export function parseSipMessage(data: Buffer | string, options: SipParseLimits = {}): SipMessage {
  const limits = resolveLimits(options);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (bytes.length > limits.maxBytes) throw new SipParseError('message too large');
  const start = skipLineBreaks(bytes, 0);
  if (start === bytes.length) throw new SipParseError('empty message');
  const end = findHeadEnd(bytes, start);
  if (end === undefined) throw new SipParseError('missing end of headers');
  const head = parseMessageHead(bytes.subarray(start, end.headEnd), limits);
  const rest = bytes.subarray(end.bodyStart);
  const length = head.contentLength ?? rest.length;
  if (rest.length < length) throw new SipParseError('body shorter than Content-Length');
  // A copy, so the message does not pin the caller's (possibly pooled) receive buffer.
  return buildMessage(head, Buffer.from(rest.subarray(0, length)));
}
