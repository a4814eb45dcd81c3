import type { EnrollmentStore } from '@p2psip/ca';
import { LmdbEnrollmentStore } from './lmdb-enrollment-store';
import { MongoEnrollmentStore } from './mongo-enrollment-store';

export interface OpenEnrollmentStoreInit {
  /** When set, the store lives in MongoDB at this URI and `path` is not used. */
  readonly mongodbUri?: string;
  /** Directory of the embedded lmdb store, used when no MongoDB URI is given. */
  readonly path: string;
  /** Aborts connecting to MongoDB. */
  readonly signal?: AbortSignal;
}

/** The deployment's store: MongoDB when a URI is configured, else the embedded lmdb default. */
export function openEnrollmentStore(init: OpenEnrollmentStoreInit): Promise<EnrollmentStore> {
  if (init.mongodbUri !== undefined && init.mongodbUri !== '') {
    return MongoEnrollmentStore.connect({
      uri: init.mongodbUri,
      ...(init.signal ? { signal: init.signal } : {}),
    });
  }
  return LmdbEnrollmentStore.open({ path: init.path });
}
