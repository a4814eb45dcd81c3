import type { SipRequest, SipResponse } from './message';
import { parseSipMessage } from './parse-message';
import { parseFailure } from './spec-helpers';
import { SEED_SIP_MESSAGES } from './testing/seed-messages';

const crlf = (...lines: string[]): string => lines.join('\r\n');

const HEAD = [
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: <sip:bob@biloxi.example.com>',
  'From: <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 1 OPTIONS',
];

function request(message: ReturnType<typeof parseSipMessage>): SipRequest {
  if (message.kind !== 'request') throw new Error('expected a request');
  return message;
}

function response(message: ReturnType<typeof parseSipMessage>): SipResponse {
  if (message.kind !== 'response') throw new Error('expected a response');
  return message;
}

describe('parseSipMessage — valid messages', () => {
  it('parses every seed message', () => {
    for (const seed of SEED_SIP_MESSAGES) expect(parseFailure(() => parseSipMessage(seed))).toBeUndefined();
  });

  it('reads a request with an SDP body cut to Content-Length', () => {
    const message = request(
      parseSipMessage(
        crlf('INVITE sip:bob@biloxi.example.com SIP/2.0', ...HEAD, 'Content-Length: 4', '', 'v=0\r\nextra'),
      ),
    );
    expect(message).toMatchObject({ kind: 'request', method: 'INVITE', uri: 'sip:bob@biloxi.example.com' });
    expect(message.body.toString()).toBe('v=0\r');
    expect(message.headers.get('Call-ID')).toBe('a84b4c76e66710');
  });

  it('reads a response with an empty and a spaced reason phrase', () => {
    expect(response(parseSipMessage(crlf('SIP/2.0 200 ', ...HEAD, '', '')))).toMatchObject({
      status: 200,
      reason: '',
    });
    expect(response(parseSipMessage(crlf('SIP/2.0 699 Very\tOdd  Reason ', ...HEAD, '', ''))).reason).toBe(
      'Very\tOdd  Reason ',
    );
  });

  it('takes the rest of a datagram as the body when Content-Length is absent (§18.3)', () => {
    expect(
      parseSipMessage(crlf('MESSAGE sip:b@example.com SIP/2.0', ...HEAD, '', 'hello\r\n')).body.toString(),
    ).toBe('hello\r\n');
  });

  it('unfolds continuation lines with one space, and expands compact names', () => {
    const message = parseSipMessage(
      crlf(
        'OPTIONS sip:b@example.com SIP/2.0',
        ...HEAD,
        's: lunch',
        '   at',
        '\tnoon ',
        'v  :SIP/2.0/TCP b.example.com',
        '',
        '',
      ),
    );
    expect(message.headers.get('Subject')).toBe('lunch at noon');
    expect(message.headers.getAll('Via')).toEqual([
      'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
      'SIP/2.0/TCP b.example.com',
    ]);
  });

  it('accepts bare LF line ends and CRLF before the start line', () => {
    const message = parseSipMessage(
      `\r\n\r\n${['BYE sip:b@example.com SIP/2.0', ...HEAD, '', 'x'].join('\n')}`,
    );
    expect(request(message).method).toBe('BYE');
    expect(message.headers.get('CSeq')).toBe('1 OPTIONS');
    expect(message.body.toString()).toBe('x');
  });

  it('accepts unknown methods, lower-case SIP version and non-SIP Request-URIs', () => {
    const message = request(parseSipMessage(crlf('NEWMETHOD tel:+1-555-0100 sip/2.0', ...HEAD, '', '')));
    expect(message).toMatchObject({ method: 'NEWMETHOD', uri: 'tel:+1-555-0100' });
  });

  it('keeps UTF-8 in display names and reason phrases', () => {
    const message = parseSipMessage(crlf('SIP/2.0 486 Occupé', 'From: "Zoë" <sip:z@example.com>', '', ''));
    expect(response(message).reason).toBe('Occupé');
    expect(message.headers.get('From')).toBe('"Zoë" <sip:z@example.com>');
  });

  it('copies the body out of the caller buffer', () => {
    const bytes = Buffer.from(crlf('SIP/2.0 200 OK', 'Content-Length: 2', '', 'ab'));
    const message = parseSipMessage(bytes);
    bytes.fill(0);
    expect(message.body.toString()).toBe('ab');
  });
});

describe('parseSipMessage — refusals', () => {
  it.each([
    ['empty message', ''],
    ['empty message', '\r\n\r\n'],
    ['missing end of headers', 'OPTIONS sip:a@example.com SIP/2.0\r\nTo: <sip:a@example.com>\r\n'],
    ['bad start line', 'OPTIONS  sip:a@example.com SIP/2.0\r\n\r\n'],
    ['bad start line', 'OPTIONS sip:a@example.com SIP/2.0 \r\n\r\n'],
    ['bad start line', 'OPTIONS\tsip:a@example.com SIP/2.0\r\n\r\n'],
    ['bad start line', 'OPT@ONS sip:a@example.com SIP/2.0\r\n\r\n'],
    ['bad start line', 'OPTIONS sip:a@example.com\r\n\r\n'],
    ['bad start line', 'SIP/2.0 20 OK\r\n\r\n'],
    ['bad start line', 'SIP/2.0 099 Low\r\n\r\n'],
    ['bad start line', 'SIP/2.0 700 High\r\n\r\n'],
    ['bad start line', 'SIP/2.0 200\r\n\r\n'],
    ['bad start line', 'SIP/2.0  200 OK\r\n\r\n'],
    ['bad start line', '\ufeffOPTIONS sip:a@example.com SIP/2.0\r\n\r\n'],
    ['unsupported SIP version', 'OPTIONS sip:a@example.com SIP/7.0\r\n\r\n'],
    ['unsupported SIP version', 'SIP/1.0 200 OK\r\n\r\n'],
    ['bad Request-URI', 'OPTIONS sip:a@@example.com SIP/2.0\r\n\r\n'],
    ['bad Request-URI', 'OPTIONS <sip:a@example.com> SIP/2.0\r\n\r\n'],
    ['bad header', 'SIP/2.0 200 OK\r\nNo colon here\r\n\r\n'],
    ['bad header name', 'SIP/2.0 200 OK\r\nTo Me: x\r\n\r\n'],
    ['bad header name', 'SIP/2.0 200 OK\r\n: x\r\n\r\n'],
    ['bad header', 'SIP/2.0 200 OK\r\nSubject: a\rb\r\n\r\n'],
    ['bad header', 'SIP/2.0 200 OK\r\nSubject: a\0b\r\n\r\n'],
    ['bad folding', 'SIP/2.0 200 OK\r\n continued: x\r\n\r\n'],
    ['invalid UTF-8', Buffer.from('SIP/2.0 200 \xff\xfe\r\n\r\n', 'latin1')],
    ['bad Content-Length', 'SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['bad Content-Length', 'SIP/2.0 200 OK\r\nContent-Length: 0x10\r\n\r\n'],
    ['bad Content-Length', 'SIP/2.0 200 OK\r\nl: \r\n\r\n'],
    ['Content-Length too large', 'SIP/2.0 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n'],
    ['Content-Length too large', 'SIP/2.0 200 OK\r\nContent-Length: 65537\r\n\r\n'],
    ['multiple Content-Length', 'SIP/2.0 200 OK\r\nContent-Length: 0\r\nl: 0\r\n\r\n'],
    ['body shorter than Content-Length', 'SIP/2.0 200 OK\r\nContent-Length: 10\r\n\r\nshort'],
  ])('says %s for %j', (reason, input) => {
    expect(parseFailure(() => parseSipMessage(input))).toBe(reason);
  });

  it('bounds message size, header count and line length', () => {
    const big = `SIP/2.0 200 OK\r\n\r\n${'x'.repeat(70_000)}`;
    expect(parseFailure(() => parseSipMessage(big))).toBe('message too large');
    expect(parseFailure(() => parseSipMessage(big, { maxBytes: 100_000 }))).toBeUndefined();
    const many = `SIP/2.0 200 OK\r\n${'Subject: x\r\n'.repeat(257)}\r\n`;
    expect(parseFailure(() => parseSipMessage(many))).toBe('too many headers');
    expect(parseFailure(() => parseSipMessage(many, { maxHeaders: 300 }))).toBeUndefined();
    const long = `SIP/2.0 200 OK\r\nSubject: ${'y'.repeat(9000)}\r\n\r\n`;
    expect(parseFailure(() => parseSipMessage(long))).toBe('line too long');
    const folded = `SIP/2.0 200 OK\r\nSubject: a${'\r\n 1234567890'.repeat(800)}\r\n\r\n`;
    expect(parseFailure(() => parseSipMessage(folded))).toBe('line too long');
  });
});
