import { existsSync } from 'node:fs';
import path from 'node:path';
import { createTempDir } from '@p2psip/testing';
import { describeValueStoreConformance } from './conformance';
import { rid, singleRecord, view } from './conformance/builders';
import { LmdbValueEnvironment } from './lmdb-value-environment';
import { LmdbValueStore } from './lmdb-value-store';

// A store in a shared environment is a ValueStore like any other; a neighbour store (another
// virtual peer's) lives in the same environment throughout, so isolation is exercised as well.
describeValueStoreConformance(
  'lmdb, a store in a shared environment',
  async () => {
    const dir = await createTempDir('lmdb-shared-values');
    const envPath = path.join(dir.path, 'peer-values');
    const environment = await LmdbValueEnvironment.open({ path: envPath, maxStores: 2 });
    const neighbour = await environment.store('neighbour');
    await neighbour.write([singleRecord(rid(5), 1, 'not yours')]);
    return {
      store: await environment.store('mine'),
      envPath,
      cleanup: async () => {
        await neighbour.close();
        await dir.remove();
      },
    };
  },
  {
    reopen: async (fixture) => {
      const environment = await LmdbValueEnvironment.open({ path: fixture.envPath, maxStores: 2 });
      return environment.store('mine');
    },
  },
);

describe('LmdbValueEnvironment', () => {
  let dir: { path: string; remove(): Promise<void> };

  beforeEach(async () => {
    dir = await createTempDir('lmdb-shared-values');
  });

  afterEach(() => dir.remove());

  it('keeps the stores apart, and closes once the last of them is closed', async () => {
    const environment = await LmdbValueEnvironment.open({ path: path.join(dir.path, 'env'), maxStores: 2 });
    const a = await environment.store('a');
    const b = await environment.store('b');
    await a.write([singleRecord(rid(1), 7, 'for a')]);
    await b.write([singleRecord(rid(1), 7, 'for b'), singleRecord(rid(2), 7, 'also b')]);
    expect(view(await a.read(rid(1), 7))).toEqual(view(singleRecord(rid(1), 7, 'for a')));
    expect([await a.resourceCount(), await b.resourceCount()]).toEqual([1, 2]);
    await a.close();
    expect(view(await b.read(rid(2), 7))).toEqual(view(singleRecord(rid(2), 7, 'also b')));
    await b.close();
    await expect(environment.store('c')).rejects.toThrow(/closed/);
  });

  it('moves a store kept in an environment of its own by an earlier version, once', async () => {
    const legacyPath = path.join(dir.path, 'values', 'a');
    const legacy = await LmdbValueStore.open({ path: legacyPath });
    await legacy.write([singleRecord(rid(3), 9, 'kept'), singleRecord(rid(4), 9, 'too')]);
    await legacy.close();

    const environment = await LmdbValueEnvironment.open({ path: path.join(dir.path, 'env'), maxStores: 1 });
    const store = await environment.store('a', { legacyPath });
    expect(view(await store.read(rid(3), 9))).toEqual(view(singleRecord(rid(3), 9, 'kept')));
    expect(await store.resourceCount()).toBe(2);
    expect(existsSync(legacyPath)).toBe(false);
    expect(existsSync(`${legacyPath}.migrated`)).toBe(true);
    await store.close();
  });
});
