import { createResponse } from './create-response';
import { InvalidSipMessageError } from './errors';
import type { SipRequest } from './message';
import { parseNameAddr } from './name-addr';
import { parseSipMessage } from './parse-message';
import { serializeSipMessage } from './serialize-message';

const INVITE = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2d4790.1, SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776',
  'Via: SIP/2.0/UDP 192.0.2.200;branch=z9hG4bKlast',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.example.com>',
  'Timestamp: 54',
  'Content-Type: application/sdp',
  'Content-Length: 3',
  '',
  'v=0',
].join('\r\n');

function invite(edit: (text: string) => string = (t) => t): SipRequest {
  const message = parseSipMessage(edit(INVITE));
  if (message.kind !== 'request') throw new Error('expected a request');
  return message;
}

describe('createResponse', () => {
  it('copies Via lines in order, From, Call-ID and CSeq, and tags To (§8.2.6)', () => {
    const response = createResponse(invite(), 486, undefined, { toTag: 'b0b' });
    expect(response).toMatchObject({ kind: 'response', status: 486, reason: 'Busy Here' });
    expect(response.headers.entries()).toEqual([
      [
        'Via',
        'SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2d4790.1, SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776',
      ],
      ['Via', 'SIP/2.0/UDP 192.0.2.200;branch=z9hG4bKlast'],
      ['To', 'Bob <sip:bob@biloxi.example.com>;tag=b0b'],
      ['From', 'Alice <sip:alice@atlanta.example.com>;tag=1928301774'],
      ['Call-ID', 'a84b4c76e66710@pc33.example.com'],
      ['CSeq', '314159 INVITE'],
    ]);
    expect(response.body.length).toBe(0);
  });

  it('makes a fresh tag when none is given, and keeps an existing one', () => {
    const tagged = createResponse(invite(), 200);
    expect(parseNameAddr(tagged.headers.get('To') ?? '').params.get('tag')).toMatch(/^[0-9a-f]{16}$/);
    const inDialog = invite((t) =>
      t.replace('To: Bob <sip:bob@biloxi.example.com>', 'To: <sip:bob@b.example.com>;tag=old'),
    );
    expect(createResponse(inDialog, 200, 'OK', { toTag: 'new' }).headers.get('To')).toBe(
      '<sip:bob@b.example.com>;tag=old',
    );
  });

  it('echoes Timestamp and adds no tag in 100 Trying unless asked (§8.2.6.1)', () => {
    const trying = createResponse(invite(), 100);
    expect(trying.reason).toBe('Trying');
    expect(trying.headers.get('To')).toBe('Bob <sip:bob@biloxi.example.com>');
    expect(trying.headers.get('Timestamp')).toBe('54');
    expect(createResponse(invite(), 180).headers.has('Timestamp')).toBe(false);
  });

  it('carries a body with its Content-Type, and serializes to a valid message', () => {
    const response = createResponse(invite(), 200, 'OK', {
      toTag: 't1',
      body: Buffer.from('v=0\r\n'),
      contentType: 'application/sdp',
    });
    const reparsed = parseSipMessage(serializeSipMessage(response));
    expect(reparsed.headers.get('Content-Type')).toBe('application/sdp');
    expect(reparsed.headers.get('Content-Length')).toBe('5');
    expect(reparsed.body.toString()).toBe('v=0\r\n');
  });

  it('answers even a request whose To does not parse, copying it untouched', () => {
    const broken = invite((t) => t.replace('To: Bob <sip:bob@biloxi.example.com>', 'To: <broken'));
    expect(createResponse(broken, 400, 'bad To').headers.get('To')).toBe('<broken');
  });

  it('uses class phrases for codes without their own, and refuses impossible ones', () => {
    expect(createResponse(invite(), 299).reason).toBe('Success');
    expect(createResponse(invite(), 488).reason).toBe('Not Acceptable Here');
    expect(() => createResponse(invite(), 99)).toThrow(InvalidSipMessageError);
    expect(() => createResponse(invite(), 200, 'OK', { toTag: 'a;b' })).toThrow(InvalidSipMessageError);
  });
});
