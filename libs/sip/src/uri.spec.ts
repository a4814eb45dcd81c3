import { InvalidSipMessageError } from './errors';
import { parseFailure } from './spec-helpers';
import { type SipUri, formatSipUri, parseSipUri } from './uri';

describe('SIP URI — parsing', () => {
  it('reads every component of a full SIPS URI', () => {
    expect(
      parseSipUri(
        'SIPS:alice:secret@atlanta.example.com:5061;transport=TCP;lr?subject=project%20x&priority=urgent',
      ),
    ).toEqual({
      scheme: 'sips',
      user: 'alice',
      password: 'secret',
      host: 'atlanta.example.com',
      port: 5061,
      params: new Map([
        ['transport', 'TCP'],
        ['lr', null],
      ]),
      headers: new Map([
        ['subject', 'project x'],
        ['priority', 'urgent'],
      ]),
    });
  });

  it('decodes escapes and keeps user-unreserved characters in the user part', () => {
    const uri = parseSipUri('sip:%61lice%20smith;ext=1?x/y@example.com');
    expect(uri.user).toBe('alice smith;ext=1?x/y');
    expect(uri.host).toBe('example.com');
    expect(uri.params.size).toBe(0);
    expect(parseSipUri('sip:%E2%82%AC@example.com').user).toBe('€');
  });

  it('reads IPv6 references with and without a port, and IPv4 hosts', () => {
    expect(parseSipUri('sip:[::1]:5060')).toMatchObject({ host: '[::1]', port: 5060 });
    expect(parseSipUri('sip:bob@[2001:db8::10]')).toMatchObject({ user: 'bob', host: '[2001:db8::10]' });
    expect(parseSipUri('sip:[::ffff:192.0.2.1];maddr=[2001:db8::1]').params.get('maddr')).toBe(
      '[2001:db8::1]',
    );
    expect(parseSipUri('sip:192.0.2.1:0').port).toBe(0);
  });

  it.each([
    ['no scheme', 'alice@example.com'],
    ['another scheme', 'tel:+1-555-0100'],
    ['an empty host', 'sip:alice@'],
    ['an empty user', 'sip:@example.com'],
    ['two @', 'sip:a@b@example.com'],
    ['a bad escape', 'sip:al%6gice@example.com'],
    ['an escape that is not UTF-8', 'sip:%ff@example.com'],
    ['a port past 65535', 'sip:example.com:65536'],
    ['an empty port', 'sip:example.com:'],
    ['a zone id', 'sip:[fe80::1%25eth0]'],
    ['an unbracketed IPv6 address', 'sip:2001:db8::1'],
    ['a malformed IPv6 address', 'sip:[1::2::3]'],
    ['an IPv4 address before ::', 'sip:[1.2.3.4::]'],
    ['an octet past 255', 'sip:192.0.2.256'],
    ['a label starting with -', 'sip:-a.example.com'],
    ['an underscore in a host', 'sip:my_host.example.com'],
    ['a space', 'sip:alice@example.com ;lr'],
    ['an empty parameter value', 'sip:example.com;transport='],
    ['an empty parameter', 'sip:example.com;;lr'],
    ['a repeated parameter', 'sip:example.com;lr;LR'],
    ['a header without a value separator', 'sip:example.com?subject'],
    ['a repeated header', 'sip:example.com?a=1&a=2'],
    ['an unescaped character in a parameter', 'sip:example.com;x="y"'],
  ])('refuses %s', (_what, text) => {
    expect(parseFailure(() => parseSipUri(text))).toBe('bad SIP URI');
  });
});

describe('SIP URI — formatting', () => {
  it('escapes what each component cannot carry and round-trips', () => {
    const uri: SipUri = {
      scheme: 'sip',
      user: 'alice smith@home',
      password: 'p:w',
      host: '::1',
      port: 5070,
      params: new Map<string, string | null>([
        ['transport', 'tcp'],
        ['lr', null],
        ['x', 'a b'],
      ]),
      headers: new Map([['Subject', 'café & co']]),
    };
    const text = formatSipUri(uri);
    expect(text).toBe(
      'sip:alice%20smith%40home:p%3Aw@[::1]:5070;transport=tcp;lr;x=a%20b?Subject=caf%C3%A9%20%26%20co',
    );
    expect(parseSipUri(text)).toEqual({ ...uri, host: '[::1]', params: new Map([...uri.params]) });
  });

  it('writes the minimal form of a bare host', () => {
    expect(formatSipUri({ scheme: 'sips', host: 'example.com', params: new Map(), headers: new Map() })).toBe(
      'sips:example.com',
    );
  });

  it('refuses URIs it could not parse back', () => {
    const base: SipUri = { scheme: 'sip', host: 'example.com', params: new Map(), headers: new Map() };
    expect(() => formatSipUri({ ...base, host: 'bad host' })).toThrow(InvalidSipMessageError);
    expect(() => formatSipUri({ ...base, port: 70000 })).toThrow(InvalidSipMessageError);
    expect(() => formatSipUri({ ...base, user: '' })).toThrow(InvalidSipMessageError);
    expect(() => formatSipUri({ ...base, params: new Map([['x', '']]) })).toThrow(InvalidSipMessageError);
  });
});
