import { InvalidSipMessageError } from './errors';
import { parseFailure } from './spec-helpers';
import { formatVia, parseVia } from './via';

describe('Via — parsing', () => {
  it('reads transport, host, port and parameters', () => {
    expect(
      parseVia('SIP/2.0/udp pc33.atlanta.example.com:5060;branch=z9hG4bK776;rport;received=192.0.2.1'),
    ).toEqual({
      transport: 'UDP',
      host: 'pc33.atlanta.example.com',
      port: 5060,
      params: new Map<string, string | null>([
        ['branch', 'z9hG4bK776'],
        ['rport', null],
        ['received', '192.0.2.1'],
      ]),
    });
  });

  it('allows white space around slashes, the colon and semicolons (RFC 4475 §3.1.1.6)', () => {
    expect(
      parseVia(
        'SIP / 2.0 / UDP  first.example.com: 4000;ttl=16 ;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1',
      ),
    ).toEqual({
      transport: 'UDP',
      host: 'first.example.com',
      port: 4000,
      params: new Map([
        ['ttl', '16'],
        ['maddr', '224.2.0.1'],
        ['branch', 'z9hG4bKa7c6a8dlze.1'],
      ]),
    });
  });

  it('reads IPv6 sent-by with a bare IPv6 received and a numeric rport', () => {
    expect(
      parseVia('SIP/2.0/TLS [2001:db8::9]:5061;branch=z9hG4bKx;received=2001:db8::9;rport=6000'),
    ).toEqual({
      transport: 'TLS',
      host: '[2001:db8::9]',
      port: 5061,
      params: new Map([
        ['branch', 'z9hG4bKx'],
        ['received', '2001:db8::9'],
        ['rport', '6000'],
      ]),
    });
  });

  it.each([
    ['another protocol', 'HTTP/1.1/TCP a.example.com'],
    ['another SIP version', 'SIP/3.0/UDP a.example.com'],
    ['no space before sent-by', 'SIP/2.0/UDPa.example.com'],
    ['a missing host', 'SIP/2.0/UDP ;branch=z9hG4bK1'],
    ['two Vias (split them first)', 'SIP/2.0/UDP a.example.com, SIP/2.0/UDP b.example.com'],
    ['a received that is not an address', 'SIP/2.0/UDP a.example.com;received=host.example.com'],
    ['a bracketed received', 'SIP/2.0/UDP a.example.com;received=[::1]'],
    ['an rport past 65535', 'SIP/2.0/UDP a.example.com;rport=70000'],
    ['a ttl past 255', 'SIP/2.0/UDP a.example.com;ttl=256'],
    ['a quoted branch', 'SIP/2.0/UDP a.example.com;branch="z9hG4bK1"'],
    ['a valueless branch', 'SIP/2.0/UDP a.example.com;branch'],
    ['a bad port', 'SIP/2.0/UDP a.example.com:x'],
  ])('refuses %s', (_what, text) => {
    expect(parseFailure(() => parseVia(text))).toBe('bad Via');
  });
});

describe('Via — formatting', () => {
  it('writes what it parses back the same', () => {
    const via = {
      transport: 'tcp',
      host: '::1',
      port: 5060,
      params: new Map<string, string | null>([
        ['branch', 'z9hG4bKabc'],
        ['rport', null],
        ['received', '::1'],
      ]),
    };
    const text = formatVia(via);
    expect(text).toBe('SIP/2.0/TCP [::1]:5060;branch=z9hG4bKabc;rport;received=::1');
    expect(parseVia(text)).toEqual({ ...via, transport: 'TCP', host: '[::1]' });
  });

  it('refuses a transport or host that would not parse', () => {
    expect(() => formatVia({ transport: 'U DP', host: 'a', params: new Map() })).toThrow(
      InvalidSipMessageError,
    );
    expect(() => formatVia({ transport: 'UDP', host: 'a b', params: new Map() })).toThrow(
      InvalidSipMessageError,
    );
  });
});
