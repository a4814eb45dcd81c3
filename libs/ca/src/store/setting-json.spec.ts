import fc from 'fast-check';
import { canonicalJson, parseSetting } from './setting-json';

describe('persistence — setting JSON', () => {
  it('writes the same text for deep-equal values whatever their key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { e: 2, f: 1 }] }, b: 1 }),
    );
  });

  it('reads back a value deep-equal to the one written', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(parseSetting(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
  });
});

describe('persistence — setting JSON keys', () => {
  it('keeps a "__proto__" key as data (regression: it was dropped as a prototype change)', () => {
    const value = JSON.parse('{"__proto__":false,"b":1}') as unknown;
    expect(parseSetting(canonicalJson(value))).toEqual(value);
    expect(canonicalJson(value)).toBe('{"__proto__":false,"b":1}');
  });
});
