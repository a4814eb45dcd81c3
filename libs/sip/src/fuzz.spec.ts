import { isDeepStrictEqual } from 'node:util';

import { createResponse } from './create-response';
import { parseCSeq } from './cseq';
import { SipParseError } from './errors';
import type { SipMessage } from './message';
import { formatNameAddr, parseNameAddr } from './name-addr';
import { parseSipMessage } from './parse-message';
import { requiredHeadersProblem } from './required-headers';
import { serializeSipMessage } from './serialize-message';
import { SipStreamFramer } from './stream-framer';
import { mutatedSipMessages, seedSipMessages } from './testing/fuzz-corpus';
import { formatSipUri, parseSipUri } from './uri';
import { formatVia, parseVia } from './via';

/**
 * The contract under attack: on any bytes, parsing either succeeds or throws SipParseError —
 * never a RangeError, TypeError or stack overflow — and whatever is accepted survives
 * serialize∘parse and the header parsers' format∘parse unchanged.
 */
const SEED = 20261121;
const COUNT = 12_000;
const NAME_ADDR_HEADERS = ['From', 'To', 'Contact', 'Route', 'Record-Route', 'Refer-To', 'Referred-By'];

/** Runs `step`; SipParseError is an acceptable outcome, anything else fails with the input named. */
function tolerant<T>(input: Buffer, index: number, step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    if (error instanceof SipParseError) return undefined;
    throw new Error(`input #${index} (${JSON.stringify(input.toString('latin1'))}) threw ${String(error)}`, {
      cause: error,
    });
  }
}

/**
 * A cheap equality check for the hot loop (jest's expect costs more than the parse it checks);
 * on a mismatch, expect() runs to print the difference, naming the input.
 */
function expectSame(actual: unknown, expected: unknown, input: Buffer, index: number): void {
  if (isDeepStrictEqual(actual, expected)) return;
  expect({ index, input: input.toString('latin1'), actual }).toEqual({
    index,
    input: input.toString('latin1'),
    actual: expected,
  });
}

function essence(message: SipMessage): unknown {
  const start = message.kind === 'request' ? [message.method, message.uri] : [message.status, message.reason];
  const headers = message.headers.entries().filter(([name]) => name !== 'Content-Length');
  return { start, headers, body: message.body.toString('hex') };
}

/** Exercises every header parser on an accepted message; each value round-trips through its formatter. */
function checkHeaders(message: SipMessage, input: Buffer, index: number): void {
  requiredHeadersProblem(message);
  for (const text of message.headers.getAll('Via')) {
    const via = tolerant(input, index, () => parseVia(text));
    if (via) expectSame(parseVia(formatVia(via)), via, input, index);
  }
  for (const name of NAME_ADDR_HEADERS) {
    for (const text of message.headers.getAll(name)) {
      const value = tolerant(input, index, () => parseNameAddr(text));
      if (value) expectSame(parseNameAddr(formatNameAddr(value)), value, input, index);
      if (value && /^sips?:/i.test(value.uri)) checkUri(value.uri, input, index);
    }
  }
  const cseq = message.headers.get('CSeq');
  if (cseq !== undefined) tolerant(input, index, () => parseCSeq(cseq));
}

function checkUri(text: string, input: Buffer, index: number): void {
  const uri = tolerant(input, index, () => parseSipUri(text));
  if (uri) expectSame(parseSipUri(formatSipUri(uri)), uri, input, index);
}

describe('SIP parser — fuzzing', () => {
  const inputs = mutatedSipMessages(SEED, COUNT);

  it('makes a deterministic corpus of the requested size from about twenty seeds', () => {
    expect(seedSipMessages().length).toBeGreaterThanOrEqual(20);
    expect(inputs.length).toBe(COUNT);
    expect(mutatedSipMessages(SEED, 50)).toEqual(inputs.slice(0, 50));
    expect(mutatedSipMessages(SEED + 1, 50)).not.toEqual(inputs.slice(0, 50));
  });

  it('parses or throws SipParseError on every input, and round-trips what it accepts', () => {
    let accepted = 0;

    inputs.forEach((input, index) => {
      const message = tolerant(input, index, () => parseSipMessage(input));
      if (!message) return;
      accepted++;
      const reparsed = tolerant(input, index, () => parseSipMessage(serializeSipMessage(message)));
      expectSame(reparsed && essence(reparsed), essence(message), input, index);
      checkHeaders(message, input, index);
      if (message.kind === 'request') {
        if (/^sips?:/i.test(message.uri)) checkUri(message.uri, input, index);
        const response = createResponse(message, 400, 'Bad Request');
        const answer = tolerant(input, index, () => parseSipMessage(serializeSipMessage(response)));
        expectSame(answer?.kind, 'response', input, index);
      }
    });
    // A corpus that is all accepted or all refused would not be testing much of the parser.
    expect(accepted).toBeGreaterThan(COUNT * 0.05);
    expect(accepted).toBeLessThan(COUNT * 0.95);
  });

  it('stays linear and well-behaved on pathological header values', () => {
    const values = ['<', '"', ';', ',', '\\', '[', '%', ';a=', 'SIP/2.0/UDP a;', ' '].map((unit) =>
      unit.repeat(Math.ceil(60_000 / unit.length)),
    );
    const parsers = [parseVia, parseNameAddr, parseSipUri, parseCSeq, (v: string) => parseSipUri(`sip:${v}`)];
    values.forEach((value, index) => {
      const input = Buffer.from(value);
      for (const parse of parsers) tolerant(input, index, () => parse(value));
      const message = tolerant(input, index, () =>
        parseSipMessage(`SIP/2.0 200 OK\r\nContact: ${value}\r\n\r\n`, {
          maxBytes: Infinity,
          maxLineLength: Infinity,
        }),
      );
      if (message) checkHeaders(message, input, index);
    });
  });

  it('frames or throws SipParseError on every input split into two chunks', () => {
    inputs.forEach((input, index) => {
      const framer = new SipStreamFramer();
      const cut = (index * 7919) % (input.length + 1);
      tolerant(input, index, () => [
        ...framer.push(input.subarray(0, cut)),
        ...framer.push(input.subarray(cut)),
      ]);
    });
  });
});
