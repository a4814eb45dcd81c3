import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { type RootDatabase, open } from 'lmdb';
import { type LmdbValueLayout, lmdbValueLayoutIn, openLmdbValueLayout } from './lmdb-value-layout';
import { LmdbValueStore } from './lmdb-value-store';
import type { ValueStoreComponents } from './value-store-logger';

export interface LmdbValueEnvironmentInit {
  /** Directory of the shared environment (`data.mdb`, `lock.mdb`); created if missing. */
  readonly path: string;
  /** How many stores it will hold at most (two named databases each). */
  readonly maxStores: number;
}

/**
 * One lmdb environment holding the value stores of all the virtual peers of a process, each in
 * two named databases of its own: an environment per peer cost ≈ 200 KB of RSS (its pages, lock
 * table and write buffers), a store in a shared one ≈ 20–50 KB (ADR 0004 §8). Writes of different
 * stores serialize on the environment's one writer, as they did on the process's one thread.
 */
export class LmdbValueEnvironment {
  #openStores = 0;
  #closing: Promise<void> | undefined;

  private constructor(private readonly root: RootDatabase) {}

  static async open(init: LmdbValueEnvironmentInit): Promise<LmdbValueEnvironment> {
    await mkdir(init.path, { recursive: true });
    return new LmdbValueEnvironment(
      open({ path: init.path, noSubdir: false, maxDbs: 2 * init.maxStores + 2 }),
    );
  }

  /**
   * The store named `name` (a Node-ID in hex). With `legacyPath`, the values of an environment of
   * its own from an earlier version are copied in once, and that directory is renamed
   * `<legacyPath>.migrated` (kept, not deleted).
   */
  async store(
    name: string,
    options: { legacyPath?: string; components?: ValueStoreComponents } = {},
  ): Promise<LmdbValueStore> {
    if (this.#closing) throw new Error('the value environment is closed');
    const layout = lmdbValueLayoutIn(this.root, name);
    if (options.legacyPath !== undefined && existsSync(path.join(options.legacyPath, 'data.mdb'))) {
      await migrate(options.legacyPath, layout);
    }
    if (this.#closing) throw new Error('the value environment is closed');
    this.#openStores++;
    return LmdbValueStore.within(layout, () => this.#release(), options.components);
  }

  /** Closes the environment now, whatever stores are still open. */
  close(): Promise<void> {
    this.#closing ??= this.root.close();
    return this.#closing;
  }

  #release(): Promise<void> {
    this.#openStores--;
    return this.#openStores === 0 ? this.close() : Promise.resolve();
  }
}

/** Copies a legacy per-store environment's two databases into `target`, in one transaction. */
async function migrate(legacyPath: string, target: LmdbValueLayout): Promise<void> {
  const legacy = openLmdbValueLayout(legacyPath);
  try {
    const records = [...legacy.records.getRange({})];
    const resources = [...legacy.resources.getRange({})];
    // What the shared environment already holds is newer (written by this version): kept.
    await target.root.childTransaction(() => {
      for (const { key, value } of records) {
        if (target.records.get(key) === undefined) target.records.putSync(key, value);
      }
      for (const { key, value } of resources) {
        if (target.resources.get(key) === undefined) target.resources.putSync(key, value);
      }
    });
  } finally {
    await legacy.root.close();
  }
  // A second migration (an earlier version ran again meanwhile) must not fail on the first's name.
  const kept = existsSync(`${legacyPath}.migrated`)
    ? `${legacyPath}.migrated-${Date.now()}`
    : `${legacyPath}.migrated`;
  await rename(legacyPath, kept);
}
