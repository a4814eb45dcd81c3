import { InvalidSipMessageError } from './errors';
import { SipHeaders } from './headers';

describe('SipHeaders — names', () => {
  it('expands compact forms and finds headers case-insensitively', () => {
    const headers = new SipHeaders([
      ['i', 'abc@host'],
      ['v', 'SIP/2.0/UDP a.example.com'],
      ['CSEQ', '1 INVITE'],
      ['x', '1800'],
      ['X-Custom', 'kept'],
    ]);
    expect(headers.get('Call-ID')).toBe('abc@host');
    expect(headers.get('call-id')).toBe('abc@host');
    expect(headers.get('I')).toBe('abc@host');
    expect(headers.has('via')).toBe(true);
    expect(headers.entries()).toEqual([
      ['Call-ID', 'abc@host'],
      ['Via', 'SIP/2.0/UDP a.example.com'],
      ['CSeq', '1 INVITE'],
      ['Session-Expires', '1800'],
      ['X-Custom', 'kept'],
    ]);
    expect(headers.get('x-custom')).toBe('kept');
  });

  it('maps every compact form of the brief to its full name', () => {
    const expected: Record<string, string> = {
      i: 'Call-ID',
      m: 'Contact',
      e: 'Content-Encoding',
      l: 'Content-Length',
      c: 'Content-Type',
      f: 'From',
      s: 'Subject',
      k: 'Supported',
      t: 'To',
      v: 'Via',
      o: 'Event',
      u: 'Allow-Events',
      r: 'Refer-To',
      b: 'Referred-By',
      x: 'Session-Expires',
    };
    const headers = new SipHeaders(Object.keys(expected).map((compact) => [compact, 'x'] as const));
    expect(headers.entries().map(([name]) => name)).toEqual(Object.values(expected));
  });
});

describe('SipHeaders — lists', () => {
  it('splits list headers at top-level commas only', () => {
    const headers = new SipHeaders([
      ['Contact', '"Doe, John" <sip:john@a.example.com>;q=0.5, <sip:x@b.example.com;a=1,2>'],
      ['Contact', 'sip:y@c.example.com'],
      ['Supported', 'timer,  100rel ,,replaces'],
    ]);
    expect(headers.getAll('m')).toEqual([
      '"Doe, John" <sip:john@a.example.com>;q=0.5',
      '<sip:x@b.example.com;a=1,2>',
      'sip:y@c.example.com',
    ]);
    expect(headers.getAll('Supported')).toEqual(['timer', '100rel', 'replaces']);
  });

  it('keeps an escaped quote inside a quoted string from ending it', () => {
    const headers = new SipHeaders([
      ['Route', '"a \\", b" <sip:r1.example.com;lr>, <sip:r2.example.com;lr>'],
    ]);
    expect(headers.getAll('Route')).toEqual([
      '"a \\", b" <sip:r1.example.com;lr>',
      '<sip:r2.example.com;lr>',
    ]);
  });

  it('gives the topmost Via from get() even when several share one line', () => {
    const headers = new SipHeaders([
      ['Via', 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com'],
    ]);
    expect(headers.get('Via')).toBe('SIP/2.0/UDP a.example.com;branch=z9hG4bK1');
  });

  it('never splits headers whose commas separate parameters', () => {
    const challenge = 'Digest realm="x", nonce="y", qop="auth,auth-int"';
    const headers = new SipHeaders([
      ['WWW-Authenticate', challenge],
      ['Date', 'Sat, 13 Nov 2010 23:29:00 GMT'],
    ]);
    expect(headers.getAll('WWW-Authenticate')).toEqual([challenge]);
    expect(headers.get('Date')).toBe('Sat, 13 Nov 2010 23:29:00 GMT');
  });
});

describe('SipHeaders — editing', () => {
  it('sets in place of the first line, appends and prepends in order', () => {
    const headers = new SipHeaders([
      ['Via', 'SIP/2.0/UDP a'],
      ['To', '<sip:b@x>'],
      ['Via', 'SIP/2.0/UDP c'],
      ['Route', '<sip:r>'],
    ]);
    headers.set('v', 'SIP/2.0/TCP only');
    headers.prepend('Route', '<sip:r0>');
    headers.append('Route', '<sip:r2>');
    headers.prepend('Record-Route', '<sip:rr>');
    expect(headers.entries()).toEqual([
      ['Record-Route', '<sip:rr>'],
      ['Via', 'SIP/2.0/TCP only'],
      ['To', '<sip:b@x>'],
      ['Route', '<sip:r0>'],
      ['Route', '<sip:r>'],
      ['Route', '<sip:r2>'],
    ]);
    headers.remove('ROUTE');
    expect(headers.has('Route')).toBe(false);
    expect(headers.getAll('Route')).toEqual([]);
    expect(headers.get('Route')).toBeUndefined();
  });

  it('clones independently of the original', () => {
    const original = new SipHeaders([['Subject', 'a']]);
    const copy = original.clone();
    copy.set('Subject', 'b');
    copy.append('To', '<sip:x@y>');
    expect(original.entries()).toEqual([['Subject', 'a']]);
    expect(copy.entries()).toEqual([
      ['Subject', 'b'],
      ['To', '<sip:x@y>'],
    ]);
  });

  it('refuses header names that are not tokens and values that would inject lines', () => {
    const headers = new SipHeaders();
    expect(() => headers.append('Bad Name', 'x')).toThrow(InvalidSipMessageError);
    expect(() => headers.append('', 'x')).toThrow(InvalidSipMessageError);
    expect(() => headers.set('Subject', 'hi\r\nVia: SIP/2.0/UDP evil')).toThrow(InvalidSipMessageError);
    expect(() => headers.prepend('Subject', 'nul\0')).toThrow(InvalidSipMessageError);
    expect(headers.size).toBe(0);
  });

  it('trims only SP and HT around values, keeping other white space as text', () => {
    const headers = new SipHeaders([['Subject', ' \t caf\u00e9\u00a0 ']]);
    expect(headers.get('Subject')).toBe('caf\u00e9\u00a0');
  });
});
