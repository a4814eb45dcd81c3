import { SipParseError } from './errors';
import { hasControlChar, isDigits, isToken, isWhitespace, trimWhitespace } from './grammar';
import { SipHeaders } from './headers';
import type { SipParseLimits } from './limits';
import type { SipMessage } from './message';
import { type StartLine, parseStartLine } from './start-line';
import { decodeUtf8 } from './utf8';

/** The start line and header fields of a message, before its body is known. */
export interface MessageHead {
  start: StartLine;
  headers: SipHeaders;
  /** The Content-Length value, if the header was present. */
  contentLength?: number;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Skips CR and LF bytes before a start line: §7.5 tells stream receivers to ignore CRLF before a
 * message, and RFC 5626 keep-alives (CRLFCRLF ping, CRLF pong) are exactly that.
 */
export function skipLineBreaks(data: Uint8Array, from: number): number {
  let i = from;
  while (i < data.length && (data[i] === CR || data[i] === LF)) i++;
  return i;
}

/**
 * Finds the empty line that ends the header section, searching from `from`. `headEnd` is where
 * the last header line's break starts, `bodyStart` the first body byte. Bare LF line ends are
 * accepted as well as CRLF (robustness for hand-written and test traffic; we always send CRLF).
 */
export function findHeadEnd(
  data: Uint8Array,
  from: number,
): { headEnd: number; bodyStart: number } | undefined {
  for (let i = data.indexOf(LF, from); i >= 0; i = data.indexOf(LF, i + 1)) {
    const headEnd = i > 0 && data[i - 1] === CR ? i - 1 : i;
    if (data[i + 1] === LF) return { headEnd, bodyStart: i + 2 };
    if (data[i + 1] === CR && data[i + 2] === LF) return { headEnd, bodyStart: i + 3 };
  }
  return undefined;
}

/** Parses the start line and headers (without the terminating empty line). */
export function parseMessageHead(head: Uint8Array, limits: Required<SipParseLimits>): MessageHead {
  const lines = decodeUtf8(head).split('\n');
  for (const line of lines)
    if (line.length > limits.maxLineLength + 1) throw new SipParseError('line too long');
  const start = parseStartLine(stripCr(lines[0] ?? ''));
  const headers = new SipHeaders();
  for (const [name, value] of unfold(lines.slice(1).map(stripCr), limits)) headers.append(name, value);
  return { start, headers, contentLength: contentLengthOf(headers, limits) };
}

/** Puts a parsed head and its body together into the public message shape. */
export function buildMessage(head: MessageHead, body: Buffer): SipMessage {
  const { start, headers } = head;
  return start.kind === 'request'
    ? { kind: 'request', method: start.method, uri: start.uri, headers, body }
    : { kind: 'response', status: start.status, reason: start.reason, headers, body };
}

/**
 * Joins continuation lines (starting with SP or HT) to their header with one SP, as §7.3.1
 * allows, and splits each header at its colon (HCOLON = *( SP / HTAB ) ":" SWS).
 */
function unfold(lines: string[], limits: Required<SipParseLimits>): [string, string][] {
  const logical: string[] = [];
  for (const line of lines) {
    if (isWhitespace(line.charCodeAt(0))) {
      if (logical.length === 0) throw new SipParseError('bad folding');
      logical[logical.length - 1] = `${logical[logical.length - 1] ?? ''} ${trimWhitespace(line)}`;
    } else {
      logical.push(line);
      if (logical.length > limits.maxHeaders) throw new SipParseError('too many headers');
    }
  }
  return logical.map((header) => splitHeader(header, limits));
}

function splitHeader(header: string, limits: Required<SipParseLimits>): [string, string] {
  if (header.length > limits.maxLineLength) throw new SipParseError('line too long');
  const colon = header.indexOf(':');
  if (colon < 0) throw new SipParseError('bad header');
  const name = trimWhitespace(header.slice(0, colon));
  if (!isToken(name)) throw new SipParseError('bad header name');
  const value = trimWhitespace(header.slice(colon + 1));
  if (hasControlChar(value)) throw new SipParseError('bad header');
  return [name, value];
}

/**
 * Content-Length must be one decimal within the message limit. Two Content-Length headers are
 * refused even if equal: disagreeing framers are how messages get smuggled past a proxy.
 */
function contentLengthOf(headers: SipHeaders, limits: Required<SipParseLimits>): number | undefined {
  const values = headers.getAll('Content-Length');
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new SipParseError('multiple Content-Length');
  const text = values[0] ?? '';
  if (!isDigits(text)) throw new SipParseError('bad Content-Length');
  if (text.length > 15 || Number(text) > limits.maxBytes) throw new SipParseError('Content-Length too large');
  return Number(text);
}

/** A CR is part of the line break only at the very end; anywhere else hasControlChar refuses it. */
function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
