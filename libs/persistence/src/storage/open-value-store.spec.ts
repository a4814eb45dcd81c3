import { unusedTcpPort } from '@p2psip/testing';
import { MemoryValueStore } from '@p2psip/storage';
import { createTempDir } from '@p2psip/testing';
import path from 'node:path';
import { rid, singleRecord, view } from './conformance/builders';
import { LmdbValueStore } from './lmdb-value-store';
import { openValueStore } from './open-value-store';

describe('value store — openValueStore', () => {
  it('keeps values in memory when given neither a MongoDB URI nor a path', async () => {
    const store = await openValueStore({});
    expect(store).toBeInstanceOf(MemoryValueStore);
    await store.close();
    const blank = await openValueStore({ mongodbUri: '', path: '' });
    expect(blank).toBeInstanceOf(MemoryValueStore);
    await blank.close();
  });

  it('opens lmdb at the path when no MongoDB URI is given, and the values outlive the store', async () => {
    const dir = await createTempDir('open-values');
    try {
      const storePath = path.join(dir.path, 'values');
      const record = singleRecord(rid(1), 1, 'kept');
      const store = await openValueStore({ path: storePath, mongodbUri: '' });
      expect(store).toBeInstanceOf(LmdbValueStore);
      await store.write([record]);
      await store.close();
      const reopened = await openValueStore({ path: storePath });
      expect(view(await reopened.read(rid(1), 1))).toEqual(view(record));
      await reopened.close();
    } finally {
      await dir.remove();
    }
  });

  it('connects to MongoDB when a URI is given, even with a path', async () => {
    const controller = new AbortController();
    const reason = new Error('stopped');
    setTimeout(() => controller.abort(reason), 50);
    await expect(
      openValueStore({
        mongodbUri: `mongodb://127.0.0.1:${await unusedTcpPort()}`,
        path: '/nonexistent',
        signal: controller.signal,
      }),
    ).rejects.toBe(reason);
  });
});
