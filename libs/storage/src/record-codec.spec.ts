import { resourceIdOf } from '@p2psip/identity';
import { StorageError } from './errors';
import type { KindRecord } from './model';
import { decodeKindRecord, encodeKindRecord } from './record-codec';

const signature = {
  algorithm: { hash: 4, signature: 3 },
  identity: { type: 'cert_hash' as const, hashAlgorithm: 4, hash: Buffer.alloc(32, 7) },
  value: Buffer.from('sig'),
};

const record: KindRecord = {
  resourceId: resourceIdOf('alice@p2psip.test'),
  kind: 0xf0000003,
  generation: 42n,
  values: [
    {
      storageTimeMs: 1n,
      lifetimeS: 60,
      expiresAtMs: 1_000,
      item: { model: 'DICTIONARY', key: Buffer.from('k'), exists: true, value: Buffer.from('v') },
      signature,
      certificate: Buffer.from('cert'),
    },
    {
      storageTimeMs: 2n,
      lifetimeS: 0,
      expiresAtMs: 2_000,
      item: { model: 'ARRAY', index: 9, exists: false, value: Buffer.alloc(0) },
      signature: { ...signature, identity: { type: 'none' as const } },
      certificate: Buffer.alloc(0),
    },
    {
      storageTimeMs: (1n << 64n) - 1n,
      lifetimeS: 0xffffffff,
      expiresAtMs: 3_000,
      item: { model: 'SINGLE', exists: true, value: Buffer.alloc(300, 1) },
      signature,
      certificate: Buffer.alloc(1200, 2),
    },
  ],
};

describe('record codec', () => {
  it('round-trips every data model, identity type and field width', () => {
    expect(decodeKindRecord(encodeKindRecord(record))).toEqual(record);
  });

  it('refuses truncated, trailing and foreign bytes with a StorageError', () => {
    const bytes = encodeKindRecord(record);
    for (const bad of [
      bytes.subarray(0, bytes.length - 1),
      Buffer.concat([bytes, Buffer.of(0)]),
      Buffer.of(9, 1, 2),
    ]) {
      expect(() => decodeKindRecord(bad)).toThrow(StorageError);
    }
  });
});
