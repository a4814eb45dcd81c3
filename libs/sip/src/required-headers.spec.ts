import { SipHeaders } from './headers';
import type { SipMessage, SipRequest } from './message';
import { parseSipMessage } from './parse-message';
import { requiredHeadersProblem } from './required-headers';
import { SEED_SIP_MESSAGES } from './testing/seed-messages';

const HEADERS: [string, string][] = [
  ['Via', 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1'],
  ['Max-Forwards', '70'],
  ['To', '<sip:b@example.com>'],
  ['From', '<sip:a@example.com>;tag=1'],
  ['Call-ID', 'abc@a.example.com'],
  ['CSeq', '1 OPTIONS'],
];

function options(edit: (headers: SipHeaders) => void = () => undefined): SipRequest {
  const headers = new SipHeaders(HEADERS);
  edit(headers);
  return { kind: 'request', method: 'OPTIONS', uri: 'sip:b@example.com', headers, body: Buffer.alloc(0) };
}

describe('requiredHeadersProblem', () => {
  it('finds nothing wrong with the seed messages or a minimal request', () => {
    for (const seed of SEED_SIP_MESSAGES)
      expect(requiredHeadersProblem(parseSipMessage(seed))).toBeUndefined();
    expect(requiredHeadersProblem(options())).toBeUndefined();
  });

  it.each([
    ['Via', 'missing Via'],
    ['To', 'missing To'],
    ['From', 'missing From'],
    ['Call-ID', 'missing Call-ID'],
    ['CSeq', 'missing CSeq'],
    ['Max-Forwards', 'missing Max-Forwards'],
  ])('reports a request without %s', (name, problem) => {
    expect(requiredHeadersProblem(options((h) => h.remove(name)))).toBe(problem);
  });

  it.each([
    ['Via', 'SIP/2.0/UDP', 'bad Via'],
    ['To', 'sip:b@example.com?x=1', 'bad To'],
    ['From', '<sip:a@example.com', 'bad From'],
    ['Call-ID', 'a b', 'bad Call-ID'],
    ['Call-ID', 'a@b@c', 'bad Call-ID'],
    ['CSeq', 'OPTIONS 1', 'bad CSeq'],
    ['Max-Forwards', '256', 'bad Max-Forwards'],
    ['Max-Forwards', 'ten', 'bad Max-Forwards'],
  ])('reports a malformed %s (%j)', (name, value, problem) => {
    expect(requiredHeadersProblem(options((h) => h.set(name, value)))).toBe(problem);
  });

  it('reports duplicated single-valued headers and any bad Via in a list', () => {
    expect(requiredHeadersProblem(options((h) => h.append('Call-ID', 'other@x')))).toBe('multiple Call-ID');
    expect(requiredHeadersProblem(options((h) => h.append('f', '<sip:c@example.com>')))).toBe(
      'multiple From',
    );
    expect(requiredHeadersProblem(options((h) => h.append('Via', 'SIP/2.0/UDP b.example.com, junk')))).toBe(
      'bad Via',
    );
  });

  it('requires the CSeq method to be the request method', () => {
    expect(requiredHeadersProblem(options((h) => h.set('CSeq', '1 INVITE')))).toBe('CSeq method mismatch');
  });

  it('does not ask responses for Max-Forwards or a matching method', () => {
    const headers = new SipHeaders(HEADERS.filter(([name]) => name !== 'Max-Forwards'));
    headers.set('CSeq', '7 INVITE');
    const response: SipMessage = {
      kind: 'response',
      status: 200,
      reason: 'OK',
      headers,
      body: Buffer.alloc(0),
    };
    expect(requiredHeadersProblem(response)).toBeUndefined();
  });
});
