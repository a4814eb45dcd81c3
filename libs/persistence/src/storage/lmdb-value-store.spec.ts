import { encodeKindRecord } from '@p2psip/storage';
import { createTempDir } from '@p2psip/testing';
import path from 'node:path';
import { describeValueStoreConformance } from './conformance';
import { expectStorageError, rid, singleRecord, slots, view } from './conformance/builders';
import { LmdbValueStore } from './lmdb-value-store';
import { openLmdbValueLayout, recordKey } from './lmdb-value-layout';
import type { ValueStoreLogger } from './value-store-logger';

describeValueStoreConformance(
  'lmdb',
  async () => {
    const dir = await createTempDir('lmdb-values');
    const storePath = path.join(dir.path, 'values');
    return { store: await LmdbValueStore.open({ path: storePath }), path: storePath, cleanup: dir.remove };
  },
  { reopen: (fixture) => LmdbValueStore.open({ path: fixture.path }) },
);

describe('value store — lmdb specifics', () => {
  let dir: { path: string; remove(): Promise<void> };
  let storePath: string;

  beforeEach(async () => {
    dir = await createTempDir('lmdb-values');
    storePath = path.join(dir.path, 'values');
  });

  afterEach(async () => {
    await dir.remove();
  });

  /** Writes raw bytes under a record key, as disk corruption or a foreign writer would. */
  async function plant(key: Buffer, bytes: Buffer): Promise<void> {
    const layout = openLmdbValueLayout(storePath);
    await layout.records.put(key, bytes);
    await layout.root.close();
  }

  it('rejects a write with a record it cannot encode, writing none of the call', async () => {
    const store = await LmdbValueStore.open({ path: storePath });
    try {
      const good = singleRecord(rid(1), 1, 'good');
      const base = singleRecord(rid(2), 1, 'bad');
      const value = base.values[0];
      const unencodable = {
        ...base,
        values: [{ ...value, signature: { ...value.signature, value: Buffer.alloc(70_000) } }],
      };
      await expectStorageError(() => store.write([good, unencodable]), 'ENCODING');
      expect(await store.read(rid(1), 1)).toBeUndefined();
      expect(await store.resourceCount()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('reports a record that does not decode as CORRUPT_RECORD on read, and skips and logs it in range', async () => {
    const healthy = [singleRecord(rid(1), 1, 'before'), singleRecord(rid(3), 1, 'after')];
    const first = await LmdbValueStore.open({ path: storePath });
    await first.write(healthy);
    await first.close();
    await plant(recordKey(rid(2), 1), Buffer.from([1, 2, 3]));

    const warnings: object[] = [];
    const logger: ValueStoreLogger = { warn: (obj) => warnings.push(obj) };
    const store = await LmdbValueStore.open({ path: storePath }, { logger });
    try {
      await expectStorageError(() => store.read(rid(2), 1), 'CORRUPT_RECORD');
      await expectStorageError(() => store.readResource(rid(2)), 'CORRUPT_RECORD');
      expect(slots(await store.range(0n, 0n))).toEqual(slots(healthy));
      expect(warnings).toEqual([
        expect.objectContaining({ resourceId: rid(2).toString(16).padStart(32, '0'), kind: 1 }),
      ]);

      // Writing the (resource, kind) again replaces the corrupt bytes.
      const repaired = singleRecord(rid(2), 1, 'repaired');
      await store.write([repaired]);
      expect(view(await store.read(rid(2), 1))).toEqual(view(repaired));
    } finally {
      await store.close();
    }
  });

  it('reports a record stored under another resource’s key as CORRUPT_RECORD', async () => {
    await plant(recordKey(rid(5), 1), encodeKindRecord(singleRecord(rid(6), 1, 'misplaced')));
    const store = await LmdbValueStore.open({ path: storePath });
    try {
      await expectStorageError(() => store.read(rid(5), 1), 'CORRUPT_RECORD');
      expect(await store.range(0n, 0n)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('acknowledges writes after flushing them when asked to', async () => {
    const store = await LmdbValueStore.open({ path: storePath, flushBeforeAcknowledge: true });
    const record = singleRecord(rid(9), 1, 'flushed');
    await store.write([record]);
    await store.close();
    const reopened = await LmdbValueStore.open({ path: storePath });
    expect(view(await reopened.read(rid(9), 1))).toEqual(view(record));
    await reopened.close();
  });
});
