import { InvalidSipMessageError } from './errors';
import { SipHeaders } from './headers';
import type { SipMessage } from './message';
import { parseSipMessage } from './parse-message';
import { serializeSipMessage } from './serialize-message';
import { SEED_SIP_MESSAGES } from './testing/seed-messages';

/** What must survive a round trip: everything but Content-Length, which the serializer owns. */
function essence(message: SipMessage): unknown {
  const start = message.kind === 'request' ? [message.method, message.uri] : [message.status, message.reason];
  const headers = message.headers.entries().filter(([name]) => name !== 'Content-Length');
  return { start, headers, body: message.body.toString('hex') };
}

describe('serializeSipMessage — round trip', () => {
  it.each(SEED_SIP_MESSAGES.map((text, index) => [index, text]))(
    'keeps seed %i through parse∘serialize',
    (_i, text) => {
      const parsed = parseSipMessage(text);
      const bytes = serializeSipMessage(parsed);
      expect(essence(parseSipMessage(bytes))).toEqual(essence(parsed));
      // Serializing is a fixed point after the first pass (folding, compact names normalised).
      expect(serializeSipMessage(parseSipMessage(bytes)).equals(bytes)).toBe(true);
    },
  );

  it('writes CRLF lines, canonical names and a Content-Length matching the body', () => {
    const message: SipMessage = {
      kind: 'request',
      method: 'MESSAGE',
      uri: 'sip:bob@example.com',
      headers: new SipHeaders([
        ['i', 'x@y'],
        ['l', '999'],
        ['c', 'text/plain'],
      ]),
      body: Buffer.from('héllo'),
    };
    expect(serializeSipMessage(message).toString()).toBe(
      'MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: x@y\r\nContent-Length: 6\r\nContent-Type: text/plain\r\n\r\nhéllo',
    );
  });

  it('adds Content-Length at the end when the headers had none', () => {
    const message: SipMessage = {
      kind: 'response',
      status: 180,
      reason: 'Ringing',
      headers: new SipHeaders([['To', '<sip:a@b>']]),
      body: Buffer.alloc(0),
    };
    expect(serializeSipMessage(message).toString()).toBe(
      'SIP/2.0 180 Ringing\r\nTo: <sip:a@b>\r\nContent-Length: 0\r\n\r\n',
    );
  });

  it('refuses start lines it could not parse back', () => {
    const headers = new SipHeaders();
    const body = Buffer.alloc(0);
    const bad: SipMessage[] = [
      { kind: 'request', method: 'IN VITE', uri: 'sip:a@b', headers, body },
      { kind: 'request', method: 'INVITE', uri: 'sip:a@b SIP/2.0\r\nVia: x', headers, body },
      { kind: 'response', status: 1000, reason: 'x', headers, body },
      { kind: 'response', status: 200.5, reason: 'x', headers, body },
      { kind: 'response', status: 200, reason: 'OK\r\nVia: x', headers, body },
    ];
    for (const message of bad) expect(() => serializeSipMessage(message)).toThrow(InvalidSipMessageError);
  });
});
