import { InvalidSipMessageError } from './errors';
import { formatNameAddr, parseNameAddr } from './name-addr';
import { parseFailure } from './spec-helpers';

describe('name-addr — parsing', () => {
  it('reads a quoted display name with commas, escapes and a tag', () => {
    expect(parseNameAddr('"Doe, John \\"JD\\"" <sip:john@example.com>;tag=abc;Expires=60')).toEqual({
      displayName: 'Doe, John "JD"',
      uri: 'sip:john@example.com',
      params: new Map([
        ['tag', 'abc'],
        ['expires', '60'],
      ]),
    });
  });

  it('reads token display names separated by tabs and spaces', () => {
    expect(parseNameAddr('  Alice \t Smith<sip:alice@example.com> ;  tag = 7 ')).toEqual({
      displayName: 'Alice Smith',
      uri: 'sip:alice@example.com',
      params: new Map([['tag', '7']]),
    });
  });

  it('gives an addr-spec its parameters as header parameters (§20.10)', () => {
    expect(parseNameAddr('sip:bob@example.com;tag=xyz')).toEqual({
      uri: 'sip:bob@example.com',
      params: new Map([['tag', 'xyz']]),
    });
  });

  it('keeps URI parameters inside brackets and quoted parameter values raw', () => {
    const value = parseNameAddr(
      '<sip:alice@192.0.2.1;transport=tcp>;+sip.instance="<urn:uuid:f81d4fae>";reg-id=1;lr;maddr=[2001:db8::1]',
    );
    expect(value.uri).toBe('sip:alice@192.0.2.1;transport=tcp');
    expect([...value.params]).toEqual([
      ['+sip.instance', '"<urn:uuid:f81d4fae>"'],
      ['reg-id', '1'],
      ['lr', null],
      ['maddr', '[2001:db8::1]'],
    ]);
  });

  it('accepts non-SIP URIs in brackets and an empty quoted display name', () => {
    expect(parseNameAddr('"" <tel:+1-212-555-0101>')).toEqual({
      displayName: '',
      uri: 'tel:+1-212-555-0101',
      params: new Map(),
    });
    expect(parseNameAddr('<urn:service:sos>').uri).toBe('urn:service:sos');
  });

  it.each([
    ['an empty value', ''],
    ['a star Contact', '*'],
    ['an unclosed bracket', '<sip:a@example.com'],
    ['an unclosed quote', '"Alice <sip:a@example.com>'],
    ['a display name without brackets', 'Alice sip:a@example.com'],
    ['a malformed SIP URI', '<sip:a@@example.com>'],
    ['an addr-spec with a header part', 'sip:a@example.com?subject=x'],
    ['an addr-spec with a comma', 'sip:a,b@example.com'],
    ['trailing garbage', '<sip:a@example.com> x'],
    ['a repeated tag', '<sip:a@example.com>;tag=1;tag=2'],
    ['a parameter without a name', '<sip:a@example.com>;=1'],
    ['a parameter with an empty value', '<sip:a@example.com>;tag='],
    ['a URI without a scheme', '<alice>'],
  ])('refuses %s', (_what, text) => {
    expect(parseFailure(() => parseNameAddr(text))).toBe('bad name-addr');
  });
});

describe('name-addr — formatting', () => {
  it('writes bracketed form, bare token names and quoted others, then parses back the same', () => {
    const values = [
      { uri: 'sip:a@example.com', params: new Map([['tag', '1']]) },
      { displayName: 'Alice Smith', uri: 'sip:a@example.com', params: new Map() },
      { displayName: 'Doe, "JD"', uri: 'sips:j@example.com', params: new Map([['q', '0.5']]) },
      { displayName: 'Zoë', uri: 'tel:+1555', params: new Map<string, string | null>([['x', '"a b"']]) },
    ];
    expect(values.map(formatNameAddr)).toEqual([
      '<sip:a@example.com>;tag=1',
      'Alice Smith <sip:a@example.com>',
      '"Doe, \\"JD\\"" <sips:j@example.com>;q=0.5',
      '"Zoë" <tel:+1555>;x="a b"',
    ]);
    for (const value of values) expect(parseNameAddr(formatNameAddr(value))).toEqual(value);
  });

  it('refuses values that would break the header', () => {
    expect(() => formatNameAddr({ uri: 'sip:a@b> x', params: new Map() })).toThrow(InvalidSipMessageError);
    expect(() => formatNameAddr({ displayName: 'a\r\nb', uri: 'sip:a@b', params: new Map() })).toThrow(
      InvalidSipMessageError,
    );
    expect(() => formatNameAddr({ uri: 'sip:a@b', params: new Map([['tag', 'a;b']]) })).toThrow(
      InvalidSipMessageError,
    );
  });
});
