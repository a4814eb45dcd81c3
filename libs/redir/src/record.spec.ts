import fc from 'fast-check';
import { nodeIdFromHex, resourceIdOf } from '@p2psip/identity';
import { decodeRedirRecord, encodeRedirRecord, type RedirServiceProvider } from './record';

const X = nodeIdFromHex('0102030405060708090a0b0c0d0e0f10');
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('redir — RedirServiceProvider codec', () => {
  it('writes RFC 7374’s layout: type, destination_list<2>, namespace<2>, level, node, length, extension', () => {
    const bytes = encodeRedirRecord({
      destinations: [{ kind: 'node', id: X }],
      namespace: 'turn-server',
      level: 2,
      node: 57,
    });
    expect(hex(bytes)).toBe(
      '00' +
        '0012' +
        '0110' +
        '0102030405060708090a0b0c0d0e0f10' +
        '000b' +
        hex(Buffer.from('turn-server')) +
        '0002' +
        '0039' +
        '0000',
    );
    expect(decodeRedirRecord(bytes)).toEqual({
      destinations: [{ kind: 'node', id: X }],
      namespace: 'turn-server',
      level: 2,
      node: 57,
      extension: { type: 0, data: new Uint8Array(0) },
    });
  });

  it('round-trips any valid record', () => {
    const destination = fc.oneof(
      fc
        .bigInt({ min: 1n, max: (1n << 128n) - 2n })
        .map((id) => ({ kind: 'node' as const, id: id as typeof X })),
      fc.string({ minLength: 1 }).map((s) => ({ kind: 'resource' as const, id: resourceIdOf(s) })),
    );
    fc.assert(
      fc.property(
        fc.record({
          destinations: fc.array(destination, { minLength: 1, maxLength: 4 }),
          namespace: fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
          level: fc.integer({ min: 0, max: 0xffff }),
          node: fc.integer({ min: 0, max: 0xffff }),
          extension: fc.record({
            type: fc.integer({ min: 0, max: 255 }),
            data: fc.uint8Array({ maxLength: 20 }),
          }),
        }),
        (record: RedirServiceProvider) => {
          expect(decodeRedirRecord(encodeRedirRecord(record))).toEqual(record);
        },
      ),
    );
  });

  it('refuses records it cannot encode', () => {
    const base = { destinations: [{ kind: 'node' as const, id: X }], namespace: 'n', level: 0, node: 0 };
    expect(codeOf(() => encodeRedirRecord({ ...base, destinations: [] }))).toBe('INVALID_REDIR_RECORD');
    expect(codeOf(() => encodeRedirRecord({ ...base, namespace: '' }))).toBe('INVALID_REDIR_RECORD');
    expect(codeOf(() => encodeRedirRecord({ ...base, level: 65_536 }))).toBe('INVALID_REDIR_RECORD');
    expect(
      codeOf(() => encodeRedirRecord({ ...base, extension: { type: 256, data: new Uint8Array(0) } })),
    ).toBe('INVALID_REDIR_RECORD');
  });

  it('refuses truncated, overlong and inconsistent bytes with MALFORMED_REDIR_RECORD', () => {
    const good = hex(
      encodeRedirRecord({ destinations: [{ kind: 'node', id: X }], namespace: 'n', level: 1, node: 2 }),
    );
    for (const bad of [
      '',
      good.slice(0, -2),
      `${good}00`,
      '00' + '0000' + '0001' + '6e' + '0000' + '0000' + '0000', // no destination
      '00' + '0012' + '0110' + '00'.repeat(16) + '0000' + '0000' + '0000' + '0000', // empty namespace
      '00' + '0012' + '0110' + '01'.repeat(16) + '0001' + 'ff' + '0000' + '0000' + '0000', // bad UTF-8
      '00' + '0003' + '0901ff' + '0001' + '6e' + '0000' + '0000' + '0000', // unknown destination type
    ]) {
      expect(codeOf(() => decodeRedirRecord(Buffer.from(bad, 'hex')))).toBe('MALFORMED_REDIR_RECORD');
    }
  });

  it('fails only with MALFORMED_REDIR_RECORD on random and mutated bytes', () => {
    const good = encodeRedirRecord({
      destinations: [{ kind: 'node', id: X }],
      namespace: 'turn-server',
      level: 1,
      node: 2,
    });
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
        const copy = Uint8Array.from(good);
        copy[at] = byte;
        return copy;
      }),
    );
    fc.assert(
      fc.property(inputs, (bytes) => {
        const code = codeOf(() => decodeRedirRecord(bytes));
        expect(code === undefined || code === 'MALFORMED_REDIR_RECORD').toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
