import { SipParseError } from './errors';
import type { SipMessage } from './message';
import { parseSipMessage } from './parse-message';
import { serializeSipMessage } from './serialize-message';
import { parseFailure } from './spec-helpers';
import { SipStreamFramer } from './stream-framer';
import { seedSipMessages } from './testing/seed-messages';

/** The seeds as a stream sender writes them: serialized, so each carries its Content-Length. */
const STREAM = seedSipMessages().map((seed) => serializeSipMessage(parseSipMessage(seed)));

function describeMessage(message: SipMessage): string {
  return serializeSipMessage(message).toString('hex');
}

describe('SipStreamFramer — framing', () => {
  it('returns coalesced messages from one chunk, in order, skipping keep-alives between them', () => {
    const framer = new SipStreamFramer();
    const chunk = Buffer.concat(
      STREAM.flatMap((bytes) => [Buffer.from('\r\n\r\n'), bytes, Buffer.from('\r\n')]),
    );
    const messages = framer.push(chunk);
    expect(messages.map(describeMessage)).toEqual(STREAM.map((bytes) => bytes.toString('hex')));
  });

  it('reassembles messages pushed one byte at a time', () => {
    const framer = new SipStreamFramer();
    const all = Buffer.concat(STREAM);
    const messages: SipMessage[] = [];
    for (let i = 0; i < all.length; i++) messages.push(...framer.push(all.subarray(i, i + 1)));
    expect(messages.map(describeMessage)).toEqual(STREAM.map((bytes) => bytes.toString('hex')));
  });

  it('reassembles messages split at every possible point, including inside CRLFCRLF', () => {
    const [first, second] = STREAM;
    if (!first || !second) throw new Error('seeds missing');
    const both = Buffer.concat([first, second]);
    for (let cut = 0; cut <= both.length; cut++) {
      const framer = new SipStreamFramer();
      const messages = [...framer.push(both.subarray(0, cut)), ...framer.push(both.subarray(cut))];
      expect(messages.map(describeMessage)).toEqual([first.toString('hex'), second.toString('hex')]);
    }
  });

  it('returns nothing for keep-alives alone, and waits for a body still in flight', () => {
    const framer = new SipStreamFramer();
    expect(framer.push(Buffer.from('\r\n\r\n'))).toEqual([]);
    expect(framer.push(Buffer.from('\r\n'))).toEqual([]);
    expect(
      framer.push(Buffer.from('MESSAGE sip:b@example.com SIP/2.0\r\nContent-Length: 5\r\n\r\nhel')),
    ).toEqual([]);
    const [message] = framer.push(Buffer.from('lo'));
    expect(message?.body.toString()).toBe('hello');
  });
});

describe('SipStreamFramer — refusals', () => {
  it('refuses garbage as soon as the first line is complete', () => {
    const framer = new SipStreamFramer();
    expect(parseFailure(() => framer.push(Buffer.from('GET / HTTP/1.1\r\n')))).toBe('bad start line');
    expect(parseFailure(() => new SipStreamFramer().push(Buffer.from('\x16\x03\x01\x02\x00\n')))).toBe(
      'bad start line',
    );
  });

  it('requires Content-Length on a stream (§18.3)', () => {
    const framer = new SipStreamFramer();
    expect(parseFailure(() => framer.push(Buffer.from('SIP/2.0 200 OK\r\nTo: <sip:a@b>\r\n\r\n')))).toBe(
      'missing Content-Length',
    );
  });

  it('refuses oversize heads, bodies and lines without buffering them', () => {
    const small = { maxMessageBytes: 1000 };
    expect(
      parseFailure(() =>
        new SipStreamFramer(small).push(Buffer.from(`SIP/2.0 200 OK\r\n${'Subject: x\r\n'.repeat(100)}`)),
      ),
    ).toBe('message too large');
    expect(
      parseFailure(() =>
        new SipStreamFramer(small).push(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 990\r\n\r\n')),
      ),
    ).toBe('message too large');
    expect(
      parseFailure(() => new SipStreamFramer(small).push(Buffer.from('SIP/2.0 200 OK\r\nl: 1001\r\n\r\n'))),
    ).toBe('Content-Length too large');
    expect(
      parseFailure(() => new SipStreamFramer().push(Buffer.from(`OPTIONS sip:${'a'.repeat(9000)}`))),
    ).toBe('line too long');
  });

  it('stays failed after an error, since the stream can no longer be framed', () => {
    const framer = new SipStreamFramer();
    expect(() => framer.push(Buffer.from('garbage garbage\r\n'))).toThrow(SipParseError);
    const [first] = STREAM;
    expect(() => framer.push(first ?? Buffer.alloc(0))).toThrow(SipParseError);
  });
});
