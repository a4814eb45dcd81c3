import { MemoryValueStore, type ValueStore } from '@p2psip/storage';
import type { LmdbValueEnvironment } from './lmdb-value-environment';
import { LmdbValueStore } from './lmdb-value-store';
import { MongoValueStore } from './mongo-value-store';
import type { ValueStoreComponents } from './value-store-logger';

export interface OpenValueStoreInit {
  /** When set (and not empty), the values live in MongoDB at this URI; `path` is not used. */
  readonly mongodbUri?: string;
  /** MongoDB collection for this peer's values (each peer needs its own). @default 'values' */
  readonly collection?: string;
  /** Directory of the embedded lmdb store, used when no MongoDB URI is given. */
  readonly path?: string;
  /**
   * Instead of `path`: the store `name` in an environment shared with the process's other peers;
   * `legacyPath` is where an earlier version kept this store in an environment of its own.
   */
  readonly shared?: { environment: LmdbValueEnvironment; name: string; legacyPath?: string };
  /** Aborts connecting to MongoDB. */
  readonly signal?: AbortSignal;
}

/**
 * A peer's value store: MongoDB when a URI is configured, else lmdb (in a shared environment, or in
 * `path`: values survive a restart), else — neither given — a MemoryValueStore, whose values die with the process
 * (tests, the simulator, peers run without a state directory).
 */
export function openValueStore(
  init: OpenValueStoreInit,
  components: ValueStoreComponents = {},
): Promise<ValueStore> {
  if (init.mongodbUri !== undefined && init.mongodbUri !== '') {
    return MongoValueStore.connect(
      {
        uri: init.mongodbUri,
        ...(init.collection === undefined ? {} : { collection: init.collection }),
        ...(init.signal === undefined ? {} : { signal: init.signal }),
      },
      components,
    );
  }
  if (init.shared) {
    const { environment, name, legacyPath } = init.shared;
    return environment.store(name, { ...(legacyPath === undefined ? {} : { legacyPath }), components });
  }
  if (init.path !== undefined && init.path !== '')
    return LmdbValueStore.open({ path: init.path }, components);
  return Promise.resolve(new MemoryValueStore());
}
